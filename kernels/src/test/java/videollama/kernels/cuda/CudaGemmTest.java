package videollama.kernels.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link CudaGemmContract} on a real CUDA device (compute capability 8.0 or later: the tensor-core kernel's
 * mma.sync): skipped, each test saying why, where there is none, unless {@code VIDEOLLAMA_REQUIRE_CUDA=1}.
 */
class CudaGemmTest extends CudaGemmContract {
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

    @Override
    boolean emulated() {
        return false;
    }
}
