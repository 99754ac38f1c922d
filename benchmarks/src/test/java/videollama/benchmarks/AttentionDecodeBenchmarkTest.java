package videollama.benchmarks;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Setup (which checks the op on every copy of the cache), then two timed calls on poisoned outputs, against the
 * reference; stories260K's heads (8 query heads over 4 key/value heads of 8), an odd number of positions.
 */
class AttentionDecodeBenchmarkTest {

    @ParameterizedTest(name = "{0} {1} positions {2}")
    @CsvSource({"reference, F32, 37", "opencl, F32, 37", "opencl, F16, 300", "opencl:heads, F32, 300", "opencl:slices, F32, 300", "opencl:rows/16, F16, 300"})
    void callsMatchTheReference(String variant, String cache, int positions) {
        AttentionDecodeBenchmark b = new AttentionDecodeBenchmark();
        b.variant = variant;
        b.model = "stories260K";
        b.cache = cache;
        b.positions = positions;
        b.coldBytes = 1;
        Smoke.callsMatchTheReference(b, 2);
    }
}
