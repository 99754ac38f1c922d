package videollama.kernels.cuda;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.AttentionOpsContract;

/**
 * {@link AttentionOpsContract} on the CPU emulation of the CUDA driver ({@link CudaEmulator}): every case, the models'
 * full sizes included (EVA's 257 tokens, ImageBind's 229, three frames of Q-Former cross-attention).
 */
class EmulatedCudaAttentionOpsTest extends AttentionOpsContract {
    @RegisterExtension
    static final EmulatedBackend emulator = new EmulatedBackend();

    EmulatedCudaAttentionOpsTest() {
        super(emulator);
    }
}
