package videollama.kernels.cuda;

/** A CUDA driver call that failed; the message names the call and the error (e.g. {@code CUDA_ERROR_OUT_OF_MEMORY (2)}). */
public class CudaException extends RuntimeException {
    private final int code;

    CudaException(String call, int code, String error) {
        super("CUDA " + call + " failed: " + error);
        this.code = code;
    }

    CudaException(String message) {
        super(message);
        this.code = 0;
    }

    /** The {@code CUresult}, or 0 for a failure the driver did not report. */
    public int code() {
        return code;
    }
}
