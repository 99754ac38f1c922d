package videollama.testing;

import java.util.Random;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * The random inputs of a test, replayable: seeded from {@code -Dvideollama.seed=N} when given, else from a fresh
 * seed, which is printed on stderr as "seed N (replay with -Dvideollama.seed=N)" at the first draw (a test that is
 * skipped or draws nothing prints nothing). Registered as an extension
 * ({@code @RegisterExtension final SeededRandom random = new SeededRandom();}) it restarts from its seed before each
 * test, so that one test replays alone and in any order, and adds that line to the message of a test's failure.
 * Shared by every module's tests through the weights module's test-jar.
 */
public final class SeededRandom extends Random implements BeforeEachCallback, TestExecutionExceptionHandler {
    private final long seed;
    private boolean printed;

    public SeededRandom() {
        this(seed());
    }

    private SeededRandom(long seed) {
        super(seed);
        this.seed = seed;
    }

    private static long seed() {
        Long given = Long.getLong("videollama.seed");
        return given != null ? given : System.nanoTime() ^ Thread.currentThread().threadId() * 0x9E3779B97F4A7C15L;
    }

    @Override
    protected int next(int bits) {
        if (!printed) {
            printed = true;
            System.err.println(this);
        }
        return super.next(bits);
    }

    private static String describe(long seed) {
        return "seed " + seed + " (replay with -Dvideollama.seed=" + seed + ")";
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        setSeed(seed);
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        if (failure instanceof TestAbortedException) {
            throw failure; // a skip stays a skip
        }
        throw new AssertionError(failure.getMessage() + "; " + this, failure);
    }

    /** "seed N (replay with -Dvideollama.seed=N)" */
    @Override
    public String toString() {
        return describe(seed);
    }
}
