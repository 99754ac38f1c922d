package videollama.kernels.cuda;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.AttentionOpsContract;
import videollama.kernels.TestBackend;

/** {@link AttentionOpsContract} on a real CUDA device (flash_attention.cu); skipped where there is no driver. */
class CudaAttentionOpsTest extends AttentionOpsContract {
    @RegisterExtension
    static final TestBackend<CudaBackend> cuda = TestBackend.cuda();

    CudaAttentionOpsTest() {
        super(cuda);
    }
}
