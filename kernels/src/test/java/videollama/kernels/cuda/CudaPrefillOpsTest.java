package videollama.kernels.cuda;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.PrefillOpsContract;
import videollama.kernels.TestBackend;

/** {@link PrefillOpsContract} on a real CUDA device (rope.cu rows, flash_attention.cu, activations.cu); skipped where there is no driver. */
class CudaPrefillOpsTest extends PrefillOpsContract {
    @RegisterExtension
    static final TestBackend<CudaBackend> cuda = TestBackend.cuda();

    CudaPrefillOpsTest() {
        super(cuda);
    }
}
