package videollama.kernels.opencl;

/** An OpenCL call that failed; the message names the call and the error. */
public class OpenCLException extends RuntimeException {
    private final int code;

    OpenCLException(String call, int code) {
        super("OpenCL " + call + " failed: " + CL.errorName(code));
        this.code = code;
    }

    OpenCLException(String message) {
        super(message);
        this.code = 0;
    }

    public int code() {
        return code;
    }
}
