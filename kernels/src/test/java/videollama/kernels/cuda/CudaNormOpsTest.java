package videollama.kernels.cuda;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.NormOpsContract;
import videollama.kernels.TestBackend;

/** {@link NormOpsContract} on a real CUDA device (norms.cu, activations.cu); skipped where there is no driver. */
class CudaNormOpsTest extends NormOpsContract {
    @RegisterExtension
    static final TestBackend<CudaBackend> cuda = TestBackend.cuda();

    CudaNormOpsTest() {
        super(cuda);
    }
}
