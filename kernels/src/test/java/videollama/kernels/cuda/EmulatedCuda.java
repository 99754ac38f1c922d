package videollama.kernels.cuda;

import videollama.kernels.DeviceBackend;

/**
 * The CUDA backend on the CPU emulation of the driver ({@link CudaEmulator}), for other modules' tests: the kernels
 * module's test-jar carries it, so the tests module runs the model's CUDA paths end to end where there is no GPU.
 */
public final class EmulatedCuda {
    private EmulatedCuda() {}

    /**
     * A CUDA backend whose kernels run on CPU threads; the calling test (or, from {@code @BeforeAll}, its class) is
     * skipped, saying why, where g++ with C++20 is missing. The emulator library is built once per JVM.
     */
    public static DeviceBackend openOrSkip() {
        return CudaEmulator.open();
    }
}
