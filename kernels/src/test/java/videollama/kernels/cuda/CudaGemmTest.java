package videollama.kernels.cuda;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.TestBackend;

/**
 * {@link CudaGemmContract} on a real CUDA device (compute capability 8.0 or later: the tensor-core kernel's
 * mma.sync): skipped, each test saying why, where there is none, unless {@code VIDEOLLAMA_REQUIRE_CUDA=1}.
 */
class CudaGemmTest extends CudaGemmContract {
    @RegisterExtension
    static final TestBackend<CudaBackend> cuda = TestBackend.cuda();

    CudaGemmTest() {
        super(cuda, false);
    }
}
