package videollama.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.kernels.BackendUnavailableException;
import videollama.model.videollama.StageTimes;
import videollama.model.videollama.VisionStages;

/**
 * Setup (which checks a device's stages against the reference path), one timed call, and the trial's end, which
 * splits one more encode into stages: the bundled demo over 2 frames, and a random narrow branch with the released
 * head width (88) written into a temporary folder, checked over every frame and, forced, on the first frame only.
 */
class VisionBranchBenchmarkTest {
    @TempDir
    Path cache;

    @ParameterizedTest(name = "{0} {1} full check up to width {2}")
    @CsvSource({"reference, demo, 512", "opencl, demo, 512", "opencl, narrow-heads-88, 512", "opencl, narrow-heads-88, 0"})
    void aCheckedCallAndItsSplit(String backend, String shape, int fullCheckMaxWidth) {
        VisionBranchBenchmark b = benchmark(backend, shape);
        b.fullCheckMaxWidth = fullCheckMaxWidth;
        try {
            Smoke.setUpOrSkip(b::setup);
            assertEquals(32 * 64, b.encode().length, "32 soft tokens of d_model (64) floats");
            if (backend.equals("opencl")) {
                assertTrue(b.checkedError() <= BranchBenchmarks.TOLERANCE, "checked: " + b.checkedError());
            }
        } finally {
            b.tearDown();
        }
        StageTimes split = b.split();
        assertTrue(split.totalMillis() > 0 && split.blockMillis() > 0, split.table());
        if (backend.equals("opencl")) {
            assertEquals(0, split.millis(StageTimes.OTHER), "every kernel belongs to a stage: " + split.table());
            for (String stage : new String[] {VisionStages.VIT_BLOCKS, VisionStages.IMAGE_QFORMER, VisionStages.VIDEO_QFORMER}) {
                assertTrue(split.millis(stage) > 0, stage + ": " + split.table());
            }
        } else {
            assertTrue(split.millis(VisionStages.VIT) > 0 && split.millis(VisionStages.QFORMERS) > 0, split.table());
        }
    }

    /** The CUDA backend: skipped without an NVIDIA driver, unless {@code VIDEOLLAMA_REQUIRE_CUDA=1}. */
    @Test
    void cuda() {
        VisionBranchBenchmark b = benchmark("cuda", "demo");
        try {
            try {
                b.setup();
            } catch (BackendUnavailableException e) {
                if ("1".equals(System.getenv("VIDEOLLAMA_REQUIRE_CUDA"))) {
                    throw e;
                }
                Assumptions.abort("no CUDA device on this machine: " + e.getMessage());
            }
            assertEquals(32 * 64, b.encode().length);
        } finally {
            b.tearDown();
        }
    }

    private VisionBranchBenchmark benchmark(String backend, String shape) {
        VisionBranchBenchmark b = new VisionBranchBenchmark();
        b.backend = backend;
        b.shape = shape;
        b.frames = 2;
        b.vitDtype = "f16";
        b.cacheDir = cache;
        return b;
    }
}
