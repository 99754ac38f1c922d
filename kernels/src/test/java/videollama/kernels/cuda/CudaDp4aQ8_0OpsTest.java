package videollama.kernels.cuda;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.Q8_0Int8OpsContract;
import videollama.kernels.Q8_0Ops;
import videollama.kernels.TestBackend;

/** {@link Q8_0Int8OpsContract} on a real CUDA device (q8_0.cu's dp4a GEMVs); skipped where there is no driver. */
class CudaDp4aQ8_0OpsTest extends Q8_0Int8OpsContract {
    @RegisterExtension
    static final TestBackend<CudaBackend> cuda = TestBackend.cuda();

    CudaDp4aQ8_0OpsTest() {
        super(cuda);
    }

    @Override
    protected Q8_0Ops int8Family() {
        return CudaQ8_0Ops.of(cuda.get(), CudaQ8_0Ops.Variant.DP4A);
    }
}
