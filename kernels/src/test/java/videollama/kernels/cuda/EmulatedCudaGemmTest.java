package videollama.kernels.cuda;

import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link CudaGemmContract} on the CPU emulation of the CUDA driver ({@link CudaEmulator}), whose tensor-core
 * instruction is computed from the PTX ISA's fragment layout (emulator/mma.cuh). Skipped where g++ with C++20 is
 * missing; model-sized shapes are left to {@link CudaGemmTest} on a GPU.
 */
class EmulatedCudaGemmTest extends CudaGemmContract {
    @RegisterExtension
    static final EmulatedBackend emulator = new EmulatedBackend();

    EmulatedCudaGemmTest() {
        super(emulator, true);
    }
}
