package videollama.benchmarks;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Setup (which checks the variant), then one timed call on poisoned outputs, against the reference. */
class GemvQ8_0BenchmarkTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"reference, 37x64", "q8_0_rows, 37x64", "q8_0_wide, 130x320", "q8_0_wide8, 130x320", "q8_0_int8, 130x320",
            "f16_wide, 65x96", "bf16_wide4, 65x96"})
    void oneCallMatchesTheReference(String variant, String shape) {
        GemvQ8_0Benchmark b = new GemvQ8_0Benchmark();
        b.variant = variant;
        b.shape = shape;
        b.coldBytes = 1;     // one copy of the weights is enough here
        Smoke.callsMatchTheReference(b, 1);
    }
}
