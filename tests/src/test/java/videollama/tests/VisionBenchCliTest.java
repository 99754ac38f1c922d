package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.kernels.Backend;

/**
 * {@code videollama bench --stage vision}: the bundled demo's branch (and a random one written into a temporary
 * cache) over a few frames on the reference path and OpenCL, the time per video, frames/s, the stage split and the
 * per-kernel table (its usage errors: {@link BenchUsageCliTest}).
 */
class VisionBenchCliTest {

    @TempDir
    Path cache;

    @Test
    void theReferencePathIsTimedAndSplitAtTheQFormers() {
        Cli run = Cli.run("bench", "--stage", "vision", "--backend", "reference", "--frames", "2", "--runs", "3", "--warmup", "0",
                "--profile");
        assertEquals(0, run.exitCode(), run.toString());
        String out = run.out();
        assertTrue(out.startsWith("vision stage: shape demo (ViT 48 wide, 3 blocks, heads of 12; Q-Formers 12 + 2 layers, 48 wide;"
                + " tokens 64 wide), 2 frames, 3 timed runs after 0 warm-up, backend reference"), out);
        assertTimesAgree(out, 2);
        assertTrue(out.contains("wall time, median of 3 runs") && out.contains("ViT (patch embedding + blocks)")
                && out.contains("ln_vision + Q-Formers + llama_proj") && out.contains("one ViT block"), out);
        assertTrue(out.contains("no kernels to profile on the reference backend"), out);
        assertFalse(out.contains("at 39 ViT blocks"), "no extrapolation for the demo: " + out);
    }

    @Test
    void openClSplitsEveryStageAndProfilesEveryKernel() {
        try (Backend ignored = TestFiles.openClOrSkip()) {
            Cli run = Cli.run("bench", "--stage", "vision", "--backend", "opencl", "--frames", "3", "--runs", "2", "--profile",
                    "--bandwidth-gbs", "20");
            assertEquals(0, run.exitCode(), run.toString());
            String out = run.out();
            assertTrue(out.contains("3 frames, 2 timed runs after 1 warm-up, backend opencl"), out);
            assertTimesAgree(out, 3);
            BenchOutput.assertProfiledStages(run, 32, List.of("ViT patch embedding", "ViT blocks (3)", "ln_vision + image Q-Former",
                    "video Q-Former + llama_proj"), List.of("vit qkv", "Qformer cross attention", "video_Qformer self q", "llama_proj"));
        }
    }

    /** A random branch of a synthetic shape is written once into the cache folder and timed like the demo. */
    @Test
    void aSyntheticShapeIsWrittenOnceIntoTheCache() {
        String[] args = {"bench", "--stage", "vision", "--shape", "narrow-heads-88", "--backend", "reference", "--frames", "1",
                "--runs", "1", "--warmup", "0", "--cache-dir", cache.toString()};
        Cli first = Cli.run(args);
        assertEquals(0, first.exitCode(), first.toString());
        assertTrue(first.out().contains("shape narrow-heads-88 (ViT 176 wide, 2 blocks, heads of 88;"), first.out());
        assertTrue(Files.isRegularFile(cache.resolve("vision-narrow-heads-88-f16/vision.safetensors")));
        assertTrue(first.err().contains("writing a random narrow-heads-88 vision branch (ViT F16)"), first.err());
        Cli again = Cli.run(args);
        assertEquals(0, again.exitCode(), again.toString());
    }

    /**
     * {@code --dtype q8_0}: the random branch as {@code convert --quantize q8_0} writes the F16 one (which tensors are
     * quantised: {@code SyntheticVisionBranchTest}), in a folder of its own, loaded and timed.
     */
    @Test
    void aQ8_0BranchIsWrittenAndTimed() {
        try (Backend ignored = TestFiles.openClOrSkip()) {
            Cli run = Cli.run("bench", "--stage", "vision", "--shape", "narrow-heads-88", "--dtype", "q8_0", "--backend", "opencl",
                    "--frames", "1", "--runs", "1", "--warmup", "0", "--cache-dir", cache.toString());
            assertEquals(0, run.exitCode(), run.toString());
            assertTrue(run.err().contains("writing a random narrow-heads-88 vision branch (ViT Q8_0)"), run.err());
            assertTrue(Files.isRegularFile(cache.resolve("vision-narrow-heads-88-q8_0/vision.safetensors")));
            assertTimesAgree(run.out(), 1);
        }
    }

    private static void assertTimesAgree(String out, int frames) {
        BenchOutput.assertTimesAgree(out, "ms/video", "frames/s", frames);
    }
}
