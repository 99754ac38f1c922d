package videollama.kernels.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link CudaGraphContract} on a real CUDA device: skipped, each test saying "no CUDA driver on this machine", where there is
 * none, unless {@code VIDEOLLAMA_REQUIRE_CUDA=1} (set it on GPU machines, as device-bundle/run-cuda-tests.sh does).
 */
class CudaGraphTest extends CudaGraphContract {
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
    CudaBackend backend() {
        return backend;
    }
}
