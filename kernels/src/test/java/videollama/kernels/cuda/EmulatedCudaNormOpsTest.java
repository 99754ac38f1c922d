package videollama.kernels.cuda;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.NormOpsContract;

/**
 * {@link NormOpsContract} on the CPU emulation of the CUDA driver ({@link CudaEmulator}): every case, the models'
 * 257-row ones included.
 */
class EmulatedCudaNormOpsTest extends NormOpsContract {
    @RegisterExtension
    static final EmulatedBackend emulator = new EmulatedBackend();

    EmulatedCudaNormOpsTest() {
        super(emulator);
    }
}
