package videollama.benchmarks;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Setup (which checks the kernel), then one timed call on a poisoned output, against the reference: a small
 * batched shape with odd sizes, and the Q-Former cross shape the benchmark runs.
 */
class AttentionBenchmarkTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"reference, 2x5x37x3x24", "flash, 2x5x37x3x24", "rows, 2x5x37x3x24", "blocked, 2x5x37x3x24", "flash, qformer-cross",
            "rows, qformer-cross", "blocked, qformer-cross"})
    void oneCallMatchesTheReference(String variant, String shape) {
        AttentionBenchmark b = new AttentionBenchmark();
        b.variant = variant;
        b.shape = shape;
        Smoke.callsMatchTheReference(b, 1);
    }
}
