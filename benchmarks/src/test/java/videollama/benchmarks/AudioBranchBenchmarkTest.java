package videollama.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.kernels.BackendUnavailableException;
import videollama.model.videollama.AudioStages;
import videollama.model.videollama.StageTimes;

/**
 * Setup (which checks a device's stages against the reference path), one timed call, and the trial's end, which
 * splits one more encode into stages: the bundled demo over 3 clips, and a random narrow branch with the released
 * head width (64) written into a temporary folder, checked over every clip and, forced, on the first clip only.
 */
class AudioBranchBenchmarkTest {
    @TempDir
    Path cache;

    @ParameterizedTest(name = "{0} {1} full check up to width {2}")
    @CsvSource({"reference, demo, 512", "opencl, demo, 512", "opencl, narrow-heads-64, 512", "opencl, narrow-heads-64, 0"})
    void aCheckedCallAndItsSplit(String backend, String shape, int fullCheckMaxWidth) {
        AudioBranchBenchmark b = benchmark(backend, shape);
        b.fullCheckMaxWidth = fullCheckMaxWidth;
        try {
            Smoke.setUpOrSkip(b::setup);
            assertEquals(8 * 64, b.encode().length, "8 soft tokens of d_model (64) floats");
            if (backend.equals("opencl")) {
                assertTrue(b.checkedError() <= BranchBenchmarks.TOLERANCE, "checked: " + b.checkedError());
            }
        } finally {
            b.tearDown();
        }
        if (!shape.equals("demo")) {
            assertTrue(Files.isRegularFile(cache.resolve("audio-" + shape + "/audio.safetensors")), "written into the cache");
        }
        StageTimes split = b.split();
        assertEquals(3, split.items());
        assertTrue(split.totalMillis() > 0 && split.blockMillis() > 0, split.table());
        assertEquals(2, split.blocks(), "the demo and narrow-heads-64 have 2 ImageBind blocks");
        if (backend.equals("opencl")) {
            assertEquals(0, split.millis(StageTimes.OTHER), "every kernel belongs to a stage: " + split.table());
            for (String stage : new String[] {AudioStages.STEM, AudioStages.BLOCKS, AudioStages.HEAD, AudioStages.QFORMER}) {
                assertTrue(split.millis(stage) > 0, stage + ": " + split.table());
            }
        } else {
            assertTrue(split.millis(AudioStages.IMAGEBIND) > 0 && split.millis(AudioStages.QFORMER) > 0, split.table());
        }
    }

    /** The CUDA backend: skipped without an NVIDIA driver, unless {@code VIDEOLLAMA_REQUIRE_CUDA=1}. */
    @Test
    void cuda() {
        AudioBranchBenchmark b = benchmark("cuda", "demo");
        try {
            try {
                b.setup();
            } catch (BackendUnavailableException e) {
                if ("1".equals(System.getenv("VIDEOLLAMA_REQUIRE_CUDA"))) {
                    throw e;
                }
                Assumptions.abort("no CUDA device on this machine: " + e.getMessage());
            }
            assertEquals(8 * 64, b.encode().length);
            assertTrue(b.checkedError() <= BranchBenchmarks.TOLERANCE, "checked: " + b.checkedError());
        } finally {
            b.tearDown();
        }
    }

    private AudioBranchBenchmark benchmark(String backend, String shape) {
        AudioBranchBenchmark b = new AudioBranchBenchmark();
        b.backend = backend;
        b.shape = shape;
        b.clips = 3;
        b.cacheDir = cache;
        return b;
    }
}
