package videollama.kernels.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import videollama.kernels.DeviceBackend;
import videollama.kernels.NormOpsContract;

/** {@link NormOpsContract} on a real CUDA device (norms.cu, activations.cu); skipped where there is no driver. */
class CudaNormOpsTest extends NormOpsContract {
    private static CudaBackend backend;

    @BeforeAll
    static void open() {
        backend = CudaTestSupport.openIfPresent();
    }

    @BeforeEach
    void needsCuda() {
        CudaTestSupport.assumeCuda(backend);
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
