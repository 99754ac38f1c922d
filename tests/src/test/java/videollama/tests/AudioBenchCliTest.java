package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.kernels.Backend;

/**
 * {@code videollama bench --stage audio}: the bundled demo's audio branch (and a random one written into a
 * temporary cache) over a few clips on the reference path and OpenCL, the time per sound track, clips/s, the stage
 * split and the per-kernel table; options of other stages and bad values are usage errors.
 */
class AudioBenchCliTest {

    @TempDir
    Path cache;

    @Test
    void theReferencePathIsTimedAndSplitAtTheQFormer() throws IOException {
        Path json = cache.resolve("audio.json");
        Cli run = Cli.run("bench", "--stage", "audio", "--backend", "reference", "--clips", "3", "--runs", "3", "--warmup", "0",
                "--profile", "--json", json.toString());
        assertEquals(0, run.exitCode(), run.toString());
        String out = run.out();
        assertTrue(out.startsWith("audio stage: shape demo (ImageBind 48 wide, 2 blocks, heads of 12, 229 tokens a clip, embeddings 64"
                + " wide; Q-Former 2 layers, 48 wide, 8 queries; tokens 64 wide), 3 clips, 3 timed runs after 0 warm-up, backend"
                + " reference"), out);
        assertTimesAgree(out, 3);
        assertTrue(out.contains("wall time, median of 3 runs") && out.contains("ms/3 clips") && out.contains("ImageBind (stem + blocks + head)")
                && out.contains("clip positions + Q-Former + proj") && out.contains("one ImageBind block"), out);
        assertTrue(out.contains("no kernels to profile on the reference backend"), out);
        assertFalse(out.contains("at 12 ImageBind blocks"), "no extrapolation for the demo: " + out);
        assertTrue(run.err().contains("loading the audio branch") && run.err().contains("ImageBind 2 blocks, width 48"), run.err());
        // --json: the same run's figures (the schema is checked on such reports in the benchmarks module)
        var report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile());
        assertTrue(run.err().contains("wrote " + json), run.err());
        assertEquals("audio", report.path("stage").asText());
        assertEquals(3, report.path("branch").path("items").asInt());
        assertTrue(out.contains(String.format(java.util.Locale.ROOT, "median %.1f", report.path("branch").path("msMedian").asDouble())),
                out);
        assertTrue(report.path("command").asText().startsWith("videollama bench --stage audio"), report.path("command").asText());
    }

    @Test
    void openClSplitsEveryStageAndProfilesEveryKernel() {
        try (Backend ignored = TestFiles.openClOrSkip()) {
            Cli run = Cli.run("bench", "--stage", "audio", "--backend", "opencl", "--runs", "2", "--profile", "--bandwidth-gbs", "20");
            assertEquals(0, run.exitCode(), run.toString());
            String out = run.out();
            assertTrue(out.contains("), 8 clips, 2 timed runs after 1 warm-up, backend opencl"), "8 clips by default: " + out);
            assertTimesAgree(out, 8);
            BenchOutput.assertProfiledStages(run, 8, List.of("ms/8 clips", "ImageBind stem", "ImageBind blocks (2)", "ImageBind head",
                    "clip positions + Q-Former + proj"), List.of("audio in_proj", "audio bias_k/bias_v row", "audio_Qformer cross attention",
                    "audio_llama_proj"));
        }
    }

    /** A random branch of a synthetic shape is written once into the cache folder and timed like the demo. */
    @Test
    void aSyntheticShapeIsWrittenOnceIntoTheCache() throws IOException {
        String[] args = {"bench", "--stage", "audio", "--shape", "narrow-heads-64", "--backend", "reference", "--clips", "1",
                "--runs", "1", "--warmup", "0", "--cache-dir", cache.toString()};
        Cli first = Cli.run(args);
        assertEquals(0, first.exitCode(), first.toString());
        assertTrue(first.out().contains("shape narrow-heads-64 (ImageBind 128 wide, 2 blocks, heads of 64,"), first.out());
        Path weights = cache.resolve("audio-narrow-heads-64/audio.safetensors");
        assertTrue(Files.isRegularFile(weights));
        assertTrue(first.err().contains("writing a random narrow-heads-64 audio branch"), first.err());
        FileTime written = Files.getLastModifiedTime(weights);
        Cli again = Cli.run(args);
        assertEquals(0, again.exitCode(), again.toString());
        assertEquals(written, Files.getLastModifiedTime(weights), "written once");
    }

    private static void assertTimesAgree(String out, int clips) {
        BenchOutput.assertTimesAgree(out, "ms/" + clips + " clips", "clips/s", clips);
    }
}
