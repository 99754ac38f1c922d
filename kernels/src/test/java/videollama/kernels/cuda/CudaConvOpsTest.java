package videollama.kernels.cuda;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.ConvOpsContract;
import videollama.kernels.TestBackend;

/** {@link ConvOpsContract} on a real CUDA device (patch_embed.cu); skipped where there is no driver. */
class CudaConvOpsTest extends ConvOpsContract {
    @RegisterExtension
    static final TestBackend<CudaBackend> cuda = TestBackend.cuda();

    CudaConvOpsTest() {
        super(cuda);
    }
}
