package videollama.benchmarks;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.kernels.BackendUnavailableException;

/** Setup (which checks the kernel), then one timed call on a poisoned output, against the reference; odd sizes. */
class GemmBenchmarkTest {

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({"reference, 17x33x65, F32", "tiled, 17x33x65, F32", "blocked, 70x130x129, F16", "rows, 5x33x300, BF16"})
    void oneCallMatchesTheReference(String variant, String shape, String dtype) {
        GemmBenchmark b = benchmark(variant, shape, dtype);
        try {
            Smoke.setUpOrSkip(b::setup);
            callAndCompare(b, 1e-5);
        } finally {
            b.tearDown();
        }
    }

    /** The CUDA backend's op: skipped without an NVIDIA driver, unless {@code VIDEOLLAMA_REQUIRE_CUDA=1}. */
    @ParameterizedTest(name = "cuda {0} {1}")
    @CsvSource({"17x33x65, F32", "70x130x136, F16", "33x200x72, BF16"})
    void theCudaOpMatchesTheReference(String shape, String dtype) {
        GemmBenchmark b = benchmark("cuda", shape, dtype);
        try {
            try {
                b.setup();
            } catch (BackendUnavailableException e) {
                if ("1".equals(System.getenv("VIDEOLLAMA_REQUIRE_CUDA"))) {
                    throw e;
                }
                Assumptions.abort("no CUDA device on this machine: " + e.getMessage());
            }
            callAndCompare(b, dtype.equals("F32") ? 1e-5 : 1e-2);
        } finally {
            b.tearDown();
        }
    }

    private static GemmBenchmark benchmark(String variant, String shape, String dtype) {
        GemmBenchmark b = new GemmBenchmark();
        b.variant = variant;
        b.shape = shape;
        b.dtype = dtype;
        return b;
    }

    private static void callAndCompare(GemmBenchmark b, double tolerance) {
        b.poisonOutput();
        b.linear(new Traffic());
        Smoke.assertMatches(b.expected(), b.result(), tolerance, b.variant);
    }
}
