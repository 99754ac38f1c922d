package videollama.kernels.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import videollama.kernels.DeviceBackend;
import videollama.kernels.PrefillOpsContract;

/** {@link PrefillOpsContract} on a real CUDA device (rope.cu rows, flash_attention.cu, activations.cu); skipped where there is no driver. */
class CudaPrefillOpsTest extends PrefillOpsContract {
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
