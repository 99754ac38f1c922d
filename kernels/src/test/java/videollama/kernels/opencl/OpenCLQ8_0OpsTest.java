package videollama.kernels.opencl;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.Q8_0Ops;
import videollama.kernels.Q8_0OpsContract;
import videollama.kernels.TestBackend;

/** {@link Q8_0OpsContract} on OpenCL (PoCL in CI) through the op catalogue: the device's own GEMV variant (WIDE8 on a CPU). */
class OpenCLQ8_0OpsTest extends Q8_0OpsContract {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    OpenCLQ8_0OpsTest() {
        super(openCL);
    }

    @Override
    protected Q8_0Ops q8Family() {
        return new OpenCLQ8_0Ops(openCL.get());
    }
}
