package videollama.kernels.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import videollama.kernels.DeviceBackend;
import videollama.kernels.PrefillOpsContract;

/**
 * {@link PrefillOpsContract} on the CPU emulation of the CUDA driver ({@link CudaEmulator}): every chunk (up to 32
 * heads of 128, 17 rows), SwiGLU up to 100,000 elements.
 */
class EmulatedCudaPrefillOpsTest extends PrefillOpsContract {
    private static CudaBackend backend;

    @BeforeEach
    void needsEmulator() {
        synchronized (EmulatedCudaPrefillOpsTest.class) {
            if (backend == null) {
                backend = CudaEmulator.open();
            }
        }
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
            backend = null;
        }
    }

    @Override
    protected DeviceBackend backend() {
        return backend;
    }

    /** Scores or elements: the chunks here are small, and element-wise kernels have no barriers. */
    @Override
    protected long largestCase() {
        return 100_000;
    }
}
