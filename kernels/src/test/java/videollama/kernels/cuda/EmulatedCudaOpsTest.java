package videollama.kernels.cuda;

import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link CudaOpsContract} on the CPU emulation of the CUDA driver ({@link CudaEmulator}): the ops' Java code and the
 * kernels' logic, end to end, where there is no GPU. Skipped where g++ with C++20 is missing; every
 * case runs, the model-sized ones included.
 */
class EmulatedCudaOpsTest extends CudaOpsContract {
    @RegisterExtension
    static final EmulatedBackend emulator = new EmulatedBackend();

    EmulatedCudaOpsTest() {
        super(emulator);
    }
}
