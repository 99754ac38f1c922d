package videollama.kernels.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link CudaGemmContract} on the CPU emulation of the CUDA driver ({@link CudaEmulator}), whose tensor-core
 * instruction is computed from the PTX ISA's fragment layout (emulator/mma.cuh). Skipped where g++ with C++20 is
 * missing; model-sized shapes are left to {@link CudaGemmTest} on a GPU.
 */
class EmulatedCudaGemmTest extends CudaGemmContract {
    private static CudaBackend backend;

    @BeforeEach
    void needsEmulator() {
        synchronized (EmulatedCudaGemmTest.class) {
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
