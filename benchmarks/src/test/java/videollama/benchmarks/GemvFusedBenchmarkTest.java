package videollama.benchmarks;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Setup (which checks the variant on every copy of the weights), then two timed calls on poisoned outputs (the
 * second with the second copy), against the reference; stories260K's shape: 8 query and 4 key/value heads.
 */
class GemvFusedBenchmarkTest {

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({"qkv, reference, F32", "qkv, fused, F32", "qkv, fused_wide, F16",
                "swiglu, reference, F32", "swiglu, fused, BF16", "swiglu, fused_wide, F32"})
    void callsMatchTheReference(String op, String variant, String dtype) {
        GemvFusedBenchmark b = new GemvFusedBenchmark();
        b.op = op;
        b.model = "stories260K";
        b.dtype = dtype;
        b.variant = variant;
        b.coldBytes = 1 << 16;   // two copies at this size
        Smoke.callsMatchTheReference(b, 2);
    }
}
