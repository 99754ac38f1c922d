package videollama.kernels;

import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.testing.SeededRandom;

/**
 * The base of the backend-agnostic op contracts ({@link NormOpsContract}, {@link AttentionOpsContract},
 * {@link ConvOpsContract}, {@link PrefillOpsContract}, {@link Q8_0OpsContract}), and of the tests of one backend's
 * variants against the reference ({@code OpenCLMatVecTest}, {@code OpenCLDecodeAttentionTest}): each test class passes
 * the backend under test (OpenCL, CUDA on a GPU, or CUDA on the CPU emulation of its driver) and how large a case it
 * takes in reasonable time. Every case draws fresh random inputs (a {@link SeededRandom}: printed, replayable) and compares
 * the device with the reference twin.
 */
public abstract class DeviceOpsContract {
    @RegisterExtension
    protected final SeededRandom random = new SeededRandom();

    private final Supplier<? extends DeviceBackend> backend;

    /**
     * @param backend the backend under test: the subclass's extension ({@link TestBackend} or the CUDA emulator's),
     *                which opens it for the class and skips its tests, saying why, where there is none
     */
    protected DeviceOpsContract(Supplier<? extends DeviceBackend> backend) {
        this.backend = backend;
    }

    /** The backend under test. */
    protected DeviceBackend backend() {
        return backend.get();
    }

    /**
     * The largest case this backend runs, in the contract's measure of a case's work (each contract says what it
     * counts): unlimited by default; a backend too slow for the model-sized cases may lower it.
     */
    protected long largestCase() {
        return Long.MAX_VALUE;
    }

    /** Skips the calling case where its {@code work} exceeds {@link #largestCase()}. */
    protected void assumeAtMost(long work, String what) {
        Assumptions.assumeTrue(work <= largestCase(), () -> what + ": " + work + " is more than this backend runs in a test ("
                + largestCase() + "); left to real devices");
    }
}
