package videollama.kernels.cuda;

import videollama.kernels.DriverCallException;

/**
 * A CUDA driver call that failed; the message names the call and the error (e.g. {@code CUDA_ERROR_OUT_OF_MEMORY (2)}),
 * {@link #code} is the {@code CUresult}.
 */
public class CudaException extends DriverCallException {

    CudaException(String call, int code, String error) {
        super("CUDA " + call + " failed: " + error, code);
    }

    CudaException(String message) {
        super(message, 0);
    }
}
