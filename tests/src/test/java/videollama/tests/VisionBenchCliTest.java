package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.kernels.Backend;

/**
 * {@code videollama bench --stage vision}: the bundled demo's branch (and a random one written into a temporary
 * cache) over a few frames on the reference path and OpenCL, the time per video, frames/s, the stage split and the
 * per-kernel table; options of the other stage and bad values are usage errors.
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
            for (String stage : new String[] {"kernel time, 1 profiled run", "ViT patch embedding", "ViT blocks (3)",
                    "ln_vision + image Q-Former", "video Q-Former + llama_proj"}) {
                assertTrue(out.contains(stage), stage + " in\n" + out);
            }
            assertFalse(out.contains("other kernels"), "every kernel belongs to a stage: " + out);
            assertTrue(out.contains("vit qkv") && out.contains("Qformer cross attention") && out.contains("video_Qformer self q")
                    && out.contains("llama_proj") && out.contains("of bandwidth"), out);
            assertTrue(run.err().contains("first encode (uploads the weights, builds the graph) ... 32 soft tokens"), run.err());
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

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--stage sound|--stage must be decode, vision, audio or media",
            "--stage vision --tokens 5|--tokens is for --stage decode",
            "--stage vision --prompt-tokens 5|--prompt-tokens is for --stage decode",
            "--frames 4|--frames is for --stage vision",
            "--runs 4 --shape stories260K|--runs is for --stage vision",
            "--stage vision --shape released-40|the released ViT has 1 to 39 blocks, not 40",
            "--stage vision --shape released-x|expected released-N",
            "--stage vision --shape stories110M|unknown shape 'stories110M'",
            "--stage vision --frames 0|--frames: need at least one frame",
            "--stage vision --runs 0|--runs/--warmup",
            "--stage vision --dtype f8|--dtype must be f32, f16, bf16 or q8_0",
            "--stage vision --dtype q8_0|--dtype q8_0 is for --stage decode",
            "--stage vision --backend reference --frames 33|--frames: 33 frames, but the frame position embedding has 32 rows"})
    void badOptionsAreUsageErrors(String options, String message) {
        Cli.assertFailure(Cli.run(("bench " + options + " --cache-dir " + cache).split(" ")), 2, message);
    }

    private static void assertTimesAgree(String out, int frames) {
        BenchOutput.assertTimesAgree(out, "ms/video", "frames/s", frames);
    }
}
