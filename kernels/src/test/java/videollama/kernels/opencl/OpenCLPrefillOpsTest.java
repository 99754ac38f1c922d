package videollama.kernels.opencl;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.PrefillOpsContract;
import videollama.kernels.TestBackend;

/** {@link PrefillOpsContract} on OpenCL (PoCL in CI): rope_cache_write_rows, the attention kernel of the device, swiglu. */
class OpenCLPrefillOpsTest extends PrefillOpsContract {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    OpenCLPrefillOpsTest() {
        super(openCL);
    }
}
