package videollama.benchmarks;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Setup (which checks the kernel), then one timed call on a poisoned output, against the reference; odd sizes. */
class GemmBenchmarkTest {

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({"reference, 17x33x65, F32", "tiled, 17x33x65, F32", "blocked, 70x130x129, F16", "rows, 5x33x300, BF16",
                "opencl, 17x33x64, F32", "reference, 17x33x96, Q8_0", "opencl, 70x130x128, Q8_0"})
    void oneCallMatchesTheReference(String variant, String shape, String dtype) {
        Smoke.callsMatchTheReference(benchmark(variant, shape, dtype), 1);
    }

    /** The CUDA backend's op (1e-2 with 16-bit weights): skipped without an NVIDIA driver, unless {@code VIDEOLLAMA_REQUIRE_CUDA=1}. */
    @ParameterizedTest(name = "cuda {0} {1}")
    @CsvSource({"17x33x65, F32", "70x130x136, F16", "33x200x72, BF16"})
    void theCudaOpMatchesTheReference(String shape, String dtype) {
        Smoke.cudaCallsMatchTheReference(benchmark("cuda", shape, dtype), 1);
    }

    private static GemmBenchmark benchmark(String variant, String shape, String dtype) {
        GemmBenchmark b = new GemmBenchmark();
        b.variant = variant;
        b.shape = shape;
        b.dtype = dtype;
        return b;
    }
}
