package videollama.kernels.opencl;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.Q8_0Int8OpsContract;
import videollama.kernels.Q8_0Ops;
import videollama.kernels.TestBackend;

/** {@link Q8_0Int8OpsContract} on OpenCL (PoCL in CI): the GPU form forced, variant 5 ({@link OpenCLQ8_0Ops.Variant#ROWS_INT8}, a work-group per row). */
class OpenCLRowsInt8Q8_0OpsTest extends Q8_0Int8OpsContract {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    OpenCLRowsInt8Q8_0OpsTest() {
        super(openCL);
    }

    @Override
    protected Q8_0Ops int8Family() {
        return OpenCLQ8_0Ops.of(openCL.get(), OpenCLQ8_0Ops.Variant.ROWS_INT8);
    }
}
