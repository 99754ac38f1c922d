package videollama.kernels.opencl;

import java.util.function.Supplier;
import videollama.kernels.GemmOps;
import videollama.kernels.GemvOps;
import videollama.kernels.Q8_0Ops;
import videollama.kernels.Q8_0OpsContract;

/** {@link Q8_0OpsContract} on OpenCL with one GEMV variant forced whatever the device's kind, past the op catalogue. */
abstract class OpenCLForcedQ8_0OpsTest extends Q8_0OpsContract {
    private final OpenCLQ8_0Ops.Variant variant;

    OpenCLForcedQ8_0OpsTest(Supplier<OpenCLBackend> backend, OpenCLQ8_0Ops.Variant variant) {
        super(backend);
        this.variant = variant;
    }

    @Override
    protected Q8_0Ops q8Family() {
        return OpenCLQ8_0Ops.of(backend(), variant);
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
