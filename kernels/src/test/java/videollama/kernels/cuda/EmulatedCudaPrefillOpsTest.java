package videollama.kernels.cuda;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.PrefillOpsContract;

/**
 * {@link PrefillOpsContract} on the CPU emulation of the CUDA driver ({@link CudaEmulator}): every case.
 */
class EmulatedCudaPrefillOpsTest extends PrefillOpsContract {
    @RegisterExtension
    static final EmulatedBackend emulator = new EmulatedBackend();

    EmulatedCudaPrefillOpsTest() {
        super(emulator);
    }
}
