package videollama.kernels.opencl;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.GemmOps;
import videollama.kernels.GemvOps;
import videollama.kernels.Q8_0Ops;
import videollama.kernels.Q8_0OpsContract;
import videollama.kernels.TestBackend;

/** {@link Q8_0OpsContract} on OpenCL with the GEMV variant 2 forced ({@link OpenCLQ8_0Ops.Variant#WIDE}, the CPU baseline before WIDE8). */
class OpenCLWideQ8_0OpsTest extends Q8_0OpsContract {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    OpenCLWideQ8_0OpsTest() {
        super(openCL);
    }

    @Override
    protected Q8_0Ops q8Family() {
        return OpenCLQ8_0Ops.of(openCL.get(), OpenCLQ8_0Ops.Variant.WIDE);
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
