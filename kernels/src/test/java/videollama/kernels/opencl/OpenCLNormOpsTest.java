package videollama.kernels.opencl;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import videollama.kernels.DeviceBackend;
import videollama.kernels.NormOpsContract;

/** {@link NormOpsContract} on OpenCL (PoCL in CI): the encoders' row-wise and element-wise kernels of norms.cl. */
class OpenCLNormOpsTest extends NormOpsContract {
    private static DeviceBackend backend;

    @BeforeAll
    static void open() {
        backend = OpenCLTestSupport.open();
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
        }
    }

    @Override
    protected DeviceBackend backend() {
        return backend;
    }
}
