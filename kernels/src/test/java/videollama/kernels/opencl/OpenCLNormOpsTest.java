package videollama.kernels.opencl;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.NormOpsContract;
import videollama.kernels.TestBackend;

/** {@link NormOpsContract} on OpenCL (PoCL in CI): the encoders' row-wise and element-wise kernels of norms.cl. */
class OpenCLNormOpsTest extends NormOpsContract {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    OpenCLNormOpsTest() {
        super(openCL);
    }
}
