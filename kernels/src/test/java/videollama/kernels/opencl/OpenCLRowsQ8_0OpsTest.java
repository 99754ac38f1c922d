package videollama.kernels.opencl;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.TestBackend;

/** {@link videollama.kernels.Q8_0OpsContract} on OpenCL with the GPU's GEMV forced ({@link OpenCLQ8_0Ops.Variant#ROWS}, a work-group per row). */
class OpenCLRowsQ8_0OpsTest extends OpenCLForcedQ8_0OpsTest {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    OpenCLRowsQ8_0OpsTest() {
        super(openCL, OpenCLQ8_0Ops.Variant.ROWS);
    }
}
