package videollama.kernels.opencl;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.TestBackend;

/** {@link videollama.kernels.Q8_0OpsContract} on OpenCL with the GEMV variant 2 forced ({@link OpenCLQ8_0Ops.Variant#WIDE}, the CPU baseline before WIDE8). */
class OpenCLWideQ8_0OpsTest extends OpenCLForcedQ8_0OpsTest {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    OpenCLWideQ8_0OpsTest() {
        super(openCL, OpenCLQ8_0Ops.Variant.WIDE);
    }
}
