package videollama.kernels;

import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import videollama.kernels.cuda.CudaBackend;
import videollama.kernels.opencl.OpenCLBackend;

/**
 * One test class's backend on a real device (OpenCL, or CUDA on a GPU): opened before the class's first test, closed
 * after its last. Where this machine has none, each test is skipped saying why, unless the backend's
 * {@code VIDEOLLAMA_REQUIRE_*} variable is 1 (CI sets {@code VIDEOLLAMA_REQUIRE_OPENCL}, as it installs PoCL; GPU
 * machines set {@code VIDEOLLAMA_REQUIRE_CUDA}): then a missing backend fails. The twin for the CPU emulation of the
 * CUDA driver is {@code videollama.kernels.cuda.EmulatedBackend}. A test class registers it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final TestBackend<CudaBackend> cuda = TestBackend.cuda();
 * }</pre>
 */
public final class TestBackend<B extends DeviceBackend> implements Supplier<B>, BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    private final String name;
    private final String requiredBy;
    private final Supplier<B> open;
    private B backend;
    private String unavailable;

    private TestBackend(String name, String requiredBy, Supplier<B> open) {
        this.name = name;
        this.requiredBy = requiredBy;
        this.open = open;
    }

    /** OpenCL on whatever device there is (PoCL's CPU device on our build machines). */
    public static TestBackend<OpenCLBackend> openCL() {
        return new TestBackend<>("OpenCL", "VIDEOLLAMA_REQUIRE_OPENCL", OpenCLBackend::open);
    }

    /** CUDA on a real GPU (our build machines have none). */
    public static TestBackend<CudaBackend> cuda() {
        return new TestBackend<>("CUDA driver", "VIDEOLLAMA_REQUIRE_CUDA", CudaBackend::open);
    }

    /** The open backend; only called from a test, which runs only where there is one. */
    @Override
    public synchronized B get() {
        return backend;
    }

    @Override
    public synchronized void beforeAll(ExtensionContext context) {
        try {
            backend = open.get();
        } catch (BackendUnavailableException e) {
            if ("1".equals(System.getenv(requiredBy))) {
                throw e;
            }
            unavailable = e.getMessage();
        }
    }

    @Override
    public synchronized void beforeEach(ExtensionContext context) {
        Assumptions.assumeTrue(backend != null, () -> "no " + name + " on this machine: " + unavailable);
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (backend != null) {
            backend.close();
            backend = null;
        }
    }
}
