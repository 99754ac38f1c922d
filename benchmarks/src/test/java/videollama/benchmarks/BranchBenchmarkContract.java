package videollama.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.model.videollama.StageTimes;

/**
 * Setup (which checks a device's stages against the reference path), one timed call, and the trial's end, which
 * splits one more encode into stages: the bundled demo, and a random narrow branch with the released head width
 * written into a temporary folder, checked over every item and, forced, on the first item only. Run for each branch
 * by its test class.
 */
abstract class BranchBenchmarkContract<B extends BranchBenchmark> {
    @TempDir
    Path cache;

    private final Case<B> branch;

    /**
     * What a branch's test class states.
     *
     * @param benchmark       a benchmark of a few items, its parameters but shape and backend set
     * @param narrowShape     the synthetic shape with the released head width and a narrow encoder
     * @param tokenFloats     floats of the soft tokens of one call
     * @param blocks          the encoder blocks of the demo and of the narrow shape
     * @param deviceStages    stages a device's kernels must all fall into
     * @param referenceStages stages the reference path's progress lines mark
     */
    record Case<B>(Supplier<B> benchmark, String narrowShape, int tokenFloats, Map<String, Integer> blocks,
                     List<String> deviceStages, List<String> referenceStages) {}

    BranchBenchmarkContract(Case<B> branch) {
        this.branch = branch;
    }

    @ParameterizedTest(name = "{0} {1} full check up to width {2}")
    @CsvSource({"reference, demo, 512", "opencl, demo, 512", "opencl, narrow, 512", "opencl, narrow, 0"})
    void aCheckedCallAndItsSplit(String backend, String shapeKind, int fullCheckMaxWidth) throws IOException {
        String shape = shapeKind.equals("demo") ? "demo" : branch.narrowShape();
        B b = benchmark(backend, shape);
        b.fullCheckMaxWidth = fullCheckMaxWidth;
        try {
            Smoke.setUpOrSkip(b::setup);
            assertEquals(branch.tokenFloats(), b.encode().length, "the soft tokens");
            if (backend.equals("opencl")) {
                assertTrue(b.checkedError() <= BranchBenchmark.TOLERANCE, "checked: " + b.checkedError());
            }
        } finally {
            b.tearDown();
        }
        if (!shape.equals("demo")) {
            try (Stream<Path> written = Files.list(cache)) {
                assertTrue(written.anyMatch(dir -> dir.getFileName().toString().contains(shape)), "written into the cache");
            }
        }
        StageTimes split = b.split();
        assertEquals(b.items(), split.items());
        assertEquals((int) branch.blocks().get(shape), split.blocks());
        assertTrue(split.totalMillis() > 0 && split.blockMillis() > 0, split.table());
        if (backend.equals("opencl")) {
            assertEquals(0, split.millis(StageTimes.OTHER), "every kernel belongs to a stage: " + split.table());
            for (String stage : branch.deviceStages()) {
                assertTrue(split.millis(stage) > 0, stage + ": " + split.table());
            }
        } else {
            for (String stage : branch.referenceStages()) {
                assertTrue(split.millis(stage) > 0, stage + ": " + split.table());
            }
        }
    }

    /** The CUDA backend: skipped without an NVIDIA driver, unless {@code VIDEOLLAMA_REQUIRE_CUDA=1}. */
    @Test
    void cuda() {
        B b = benchmark("cuda", "demo");
        try {
            Smoke.setUpOrSkipWithoutCuda(b::setup);
            assertEquals(branch.tokenFloats(), b.encode().length);
            assertTrue(b.checkedError() <= BranchBenchmark.TOLERANCE, "checked: " + b.checkedError());
        } finally {
            b.tearDown();
        }
    }

    private B benchmark(String backend, String shape) {
        B b = branch.benchmark().get();
        b.backend = backend;
        b.shape = shape;
        b.cacheDir = cache;
        return b;
    }
}
