package videollama.kernels.cuda;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.TestBackend;

/**
 * {@link CudaGraphContract} on a real CUDA device: skipped, each test saying "no CUDA driver on this machine", where there is
 * none, unless {@code VIDEOLLAMA_REQUIRE_CUDA=1} (set it on GPU machines, as device-bundle/run-cuda-tests.sh does).
 */
class CudaGraphTest extends CudaGraphContract {
    @RegisterExtension
    static final TestBackend<CudaBackend> cuda = TestBackend.cuda();

    CudaGraphTest() {
        super(cuda);
    }
}
