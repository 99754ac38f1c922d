package videollama.kernels.cuda;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.Q8_0Ops;
import videollama.kernels.Q8_0OpsContract;
import videollama.kernels.TestBackend;

/** {@link Q8_0OpsContract} on a real CUDA device (q8_0.cu); skipped where there is no driver. */
class CudaQ8_0OpsTest extends Q8_0OpsContract {
    @RegisterExtension
    static final TestBackend<CudaBackend> cuda = TestBackend.cuda();

    CudaQ8_0OpsTest() {
        super(cuda);
    }

    @Override
    protected Q8_0Ops q8Family() {
        return new CudaQ8_0Ops(cuda.get());
    }
}
