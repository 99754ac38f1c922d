package videollama.kernels.opencl;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.GemmOps;
import videollama.kernels.GemvOps;
import videollama.kernels.Q8_0Ops;
import videollama.kernels.Q8_0OpsContract;
import videollama.kernels.TestBackend;

/** {@link Q8_0OpsContract} on OpenCL with the GPU's GEMV forced ({@link OpenCLQ8_0Ops.Variant#ROWS}, a work-group per row). */
class OpenCLRowsQ8_0OpsTest extends Q8_0OpsContract {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    OpenCLRowsQ8_0OpsTest() {
        super(openCL);
    }

    @Override
    protected Q8_0Ops q8Family() {
        return OpenCLQ8_0Ops.of(openCL.get(), OpenCLQ8_0Ops.Variant.ROWS);
    }

    @Override
    protected GemvOps gemv() {
        return q8Family();
    }

    @Override
    protected GemmOps gemm() {
        return q8Family();
    }
}
