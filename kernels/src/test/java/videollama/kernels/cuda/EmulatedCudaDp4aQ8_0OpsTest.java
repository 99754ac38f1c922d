package videollama.kernels.cuda;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.Q8_0Int8OpsContract;
import videollama.kernels.Q8_0Ops;

/**
 * {@link Q8_0Int8OpsContract} on the CPU emulation of the CUDA driver ({@link CudaEmulator}): the GEMV variant 2 of
 * q8_0.cu ({@link CudaQ8_0Ops.Variant#DP4A}), the emulator's {@code __dp4a} four signed byte products at a time, up to
 * 2^26 multiply-adds a case.
 */
class EmulatedCudaDp4aQ8_0OpsTest extends Q8_0Int8OpsContract {
    @RegisterExtension
    static final EmulatedBackend emulator = new EmulatedBackend();

    EmulatedCudaDp4aQ8_0OpsTest() {
        super(emulator);
    }

    @Override
    protected long largestCase() {
        return 1L << 26;
    }

    @Override
    protected Q8_0Ops int8Family() {
        return CudaQ8_0Ops.of(emulator.get(), CudaQ8_0Ops.Variant.DP4A);
    }
}
