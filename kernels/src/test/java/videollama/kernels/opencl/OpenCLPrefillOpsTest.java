package videollama.kernels.opencl;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import videollama.kernels.DeviceBackend;
import videollama.kernels.PrefillOpsContract;

/** {@link PrefillOpsContract} on OpenCL (PoCL in CI): rope_cache_write_rows, the attention kernel of the device, swiglu. */
class OpenCLPrefillOpsTest extends PrefillOpsContract {
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
