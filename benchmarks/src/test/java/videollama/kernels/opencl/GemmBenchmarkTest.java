package videollama.kernels.opencl;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.benchmarks.Smoke;
import videollama.benchmarks.Traffic;

/** Setup (which checks the kernel), then one timed call on a poisoned output, against the reference; odd sizes. */
class GemmBenchmarkTest {

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({"reference, 17x33x65, F32", "tiled, 17x33x65, F32", "blocked, 70x130x129, F16", "rows, 5x33x300, BF16"})
    void oneCallMatchesTheReference(String variant, String shape, String dtype) {
        GemmBenchmark b = new GemmBenchmark();
        b.variant = variant;
        b.shape = shape;
        b.dtype = dtype;
        try {
            Smoke.setUpOrSkip(b::setup);
            b.poisonOutput();
            b.linear(new Traffic());
            Smoke.assertMatches(b.expected(), b.result(), 1e-5, variant);
        } finally {
            b.tearDown();
        }
    }
}
