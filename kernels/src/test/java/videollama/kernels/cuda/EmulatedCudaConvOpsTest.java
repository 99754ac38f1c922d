package videollama.kernels.cuda;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.ConvOpsContract;

/**
 * {@link ConvOpsContract} on the CPU emulation of the CUDA driver ({@link CudaEmulator}): every case, the full EVA and
 * ImageBind stems included.
 */
class EmulatedCudaConvOpsTest extends ConvOpsContract {
    @RegisterExtension
    static final EmulatedBackend emulator = new EmulatedBackend();

    EmulatedCudaConvOpsTest() {
        super(emulator);
    }
}
