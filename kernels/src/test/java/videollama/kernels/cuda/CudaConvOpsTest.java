package videollama.kernels.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import videollama.kernels.DeviceBackend;
import videollama.kernels.ConvOpsContract;

/** {@link ConvOpsContract} on a real CUDA device (patch_embed.cu); skipped where there is no driver. */
class CudaConvOpsTest extends ConvOpsContract {
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
