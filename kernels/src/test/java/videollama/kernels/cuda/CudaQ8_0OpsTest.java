package videollama.kernels.cuda;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.Q8_0OpsContract;
import videollama.kernels.TestBackend;
import videollama.kernels.cuda.CudaQ8_0Ops.Variant;

/** {@link Q8_0OpsContract} on a real CUDA device (q8_0.cu's GEMVs, FLOAT and DP4A); skipped where there is no driver. */
class CudaQ8_0OpsTest extends Q8_0OpsContract<Variant> {
    @RegisterExtension
    static final TestBackend<CudaBackend> cuda = TestBackend.cuda();

    CudaQ8_0OpsTest() {
        super(cuda, Variant.class, CudaQ8_0Ops::of, variant -> variant == Variant.DP4A);
    }
}
