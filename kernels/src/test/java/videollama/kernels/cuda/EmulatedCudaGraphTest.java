package videollama.kernels.cuda;

import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link CudaGraphContract} on the CPU emulation of the CUDA driver ({@link CudaEmulator}): the task graphs' Java code and the
 * kernels' logic, end to end, where there is no GPU. Skipped where g++ with C++20 is missing; every
 * case runs, the model-sized ones included.
 */
class EmulatedCudaGraphTest extends CudaGraphContract {
    @RegisterExtension
    static final EmulatedBackend emulator = new EmulatedBackend();

    @Override
    CudaBackend backend() {
        return emulator.get();
    }
}
