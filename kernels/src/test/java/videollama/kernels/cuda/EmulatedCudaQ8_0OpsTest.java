package videollama.kernels.cuda;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.Q8_0OpsContract;
import videollama.kernels.cuda.CudaQ8_0Ops.Variant;

/**
 * {@link Q8_0OpsContract} on the CPU emulation of the CUDA driver ({@link CudaEmulator}): q8_0.cu compiled with g++,
 * both GEMV variants (DP4A with the emulator's {@code __dp4a}, four signed byte products at a time), up to 2^26
 * multiply-adds a case (the two largest GEMMs, 257 × 1408 × 768 and wider, are left to a GPU).
 */
class EmulatedCudaQ8_0OpsTest extends Q8_0OpsContract<Variant> {
    @RegisterExtension
    static final EmulatedBackend emulator = new EmulatedBackend();

    EmulatedCudaQ8_0OpsTest() {
        super(emulator, Variant.class, CudaQ8_0Ops::of, variant -> variant == Variant.DP4A);
    }

    @Override
    protected long largestCase() {
        return 1L << 26;
    }
}
