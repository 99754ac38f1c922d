package videollama.kernels.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link CudaGraphContract} on the CPU emulation of the CUDA driver ({@link CudaEmulator}): the task graphs' Java code and the
 * kernels' logic, end to end, where there is no GPU. Skipped where g++ with C++20 is missing; model-sized cases
 * are left to {@link CudaGraphTest} on a GPU.
 */
class EmulatedCudaGraphTest extends CudaGraphContract {
    private static CudaBackend backend;

    @BeforeEach
    void needsEmulator() {
        synchronized (EmulatedCudaGraphTest.class) {
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
    CudaBackend backend() {
        return backend;
    }

    @Override
    boolean emulated() {
        return true;
    }
}
