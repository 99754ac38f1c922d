package videollama.kernels;

/**
 * A device driver call that failed (OpenCL, CUDA): the message names the call and the error, {@link #code} is the
 * driver's error code. Each backend's subclass says how its codes read.
 */
public class DriverCallException extends RuntimeException {
    private final int code;

    protected DriverCallException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** The driver's error code, or 0 for a failure the driver did not report. */
    public int code() {
        return code;
    }
}
