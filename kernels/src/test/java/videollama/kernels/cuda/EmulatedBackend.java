package videollama.kernels.cuda;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One test class's CUDA backend on the CPU emulation of the driver: opened when a test first asks for it (which skips
 * that test, saying why, where the emulator cannot be built) and closed after the class's last test. A test class
 * registers it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmulatedBackend emulator = new EmulatedBackend();
 * }</pre>
 */
final class EmulatedBackend implements Supplier<CudaBackend>, AfterAllCallback {
    private final Supplier<CudaBackend> open;
    private CudaBackend backend;

    /** The backend of {@link CudaEmulator#open}. */
    EmulatedBackend() {
        this(CudaEmulator::open);
    }

    /** A backend opened otherwise (e.g. with NVRTC settings). */
    EmulatedBackend(Supplier<CudaBackend> open) {
        this.open = open;
    }

    @Override
    public synchronized CudaBackend get() {
        if (backend == null) {
            backend = open.get();
        }
        return backend;
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (backend != null) {
            backend.close();
            backend = null;
        }
    }
}
