package videollama.kernels.opencl;

import videollama.kernels.DriverCallException;

/** An OpenCL call that failed; the message names the call and the error. */
public class OpenCLException extends DriverCallException {

    OpenCLException(String call, int code) {
        super("OpenCL " + call + " failed: " + CL.errorName(code), code);
    }

    OpenCLException(String message) {
        super(message, 0);
    }
}
