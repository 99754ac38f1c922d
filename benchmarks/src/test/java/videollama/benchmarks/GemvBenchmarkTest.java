package videollama.benchmarks;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Setup (which checks the variant), then one timed call on poisoned outputs, against the reference. */
class GemvBenchmarkTest {

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({"reference, 37x53, F32", "matvec, 37x53, F32", "matvec_wide, 37x53, F32",
                "matvec, 130x301, F16", "matvec_wide, 65x1001, BF16", "matvec_split, 37x53, F32", "matvec_split, 130x301, F16"})
    void oneCallMatchesTheReference(String variant, String shape, String dtype) {
        GemvBenchmark b = new GemvBenchmark();
        b.variant = variant;
        b.shape = shape;
        b.dtype = dtype;
        b.coldBytes = 1;     // one copy of the weights is enough here
        Smoke.callsMatchTheReference(b, 1);
    }
}
