package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import videollama.kernels.Backend;

/**
 * {@link LlamaDeviceContract} on the OpenCL backend (PoCL in CI), every golden case, and the command line's
 * {@code generate}, {@code --profile} and {@code bench} on OpenCL.
 */
class OpenCLLlamaTest extends LlamaDeviceContract {
    @Override
    Backend open() {
        return TestFiles.openClOrSkip();
    }

    @Test
    void generateOnOpenCLPrintsTheReferenceStory() {
        String[] args = {"generate", "--raw", "--prompt", "Once upon a time", "--temperature", "0", "--max-new-tokens", "120"};
        Cli reference = Cli.run(concat(args, "--backend", "reference"));
        Cli device = Cli.run(concat(args, "--backend", "opencl"));
        assertEquals(0, device.exitCode(), device.toString());
        assertEquals(reference.out(), device.out());
        assertTrue(device.err().contains("backend: opencl"), device.err());
    }

    @Test
    void generateProfilePrintsTheKernelTable() {
        Cli run = Cli.run("generate", "--raw", "--prompt", "Once", "--temperature", "0", "--max-new-tokens", "8",
                "--backend", "opencl", "--profile");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.err().contains("q/k/v") && run.err().contains("GB/s") && run.err().contains("lm_head"), run.err());
        assertEquals(1, run.out().lines().count(), "the profile goes to stderr: " + run.out());
    }

    @Test
    void benchDecodesARandomModelAndProfilesIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path cache) throws Exception {
        java.nio.file.Path json = cache.resolve("bench.json");
        java.nio.file.Path chart = cache.resolve("roofline.png");
        Cli run = Cli.run("bench", "--shape", "stories260K", "--backend", "opencl", "--tokens", "6", "--warmup", "2",
                "--profile", "--bandwidth-gbs", "20", "--num-beams", "2", "--cache-dir", cache.toString(), "--json", json.toString(),
                "--chart", chart.toString(), "--chart-size", "800x500");
        assertEquals(0, run.exitCode(), run.toString());
        // stories260K's 1 MB of weights stay in the last-level cache: no share of the 20 GB/s of DRAM is claimed
        assertTrue(run.out().contains("tokens/s") && run.out().contains("from cache, not DRAM") && run.out().contains("20.0 GB/s"),
                run.out());
        assertTrue(run.out().contains("beam search, 2 beams, 6 steps") && run.out().contains("one beam's cache copy of 6 positions"),
                run.out());
        assertTrue(run.out().contains("gate/up + silu") && run.out().contains("attention"), run.out());
        assertTrue(run.out().contains("| stories260K f32") && run.out().contains("tg6"), run.out());
        var report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile());
        assertTrue(report.path("command").asText().startsWith("videollama bench --shape stories260K"), report.toString());
        assertEquals(6, report.path("decode").path("tokens").asInt());
        assertEquals(2, report.path("beams").path("beams").asInt());
        var image = javax.imageio.ImageIO.read(chart.toFile());
        assertEquals(800, image.getWidth());
        assertEquals(500, image.getHeight());
    }

    @Test
    void benchRefusesAnOutputInAFolderThatDoesNotExistBeforeWork(@org.junit.jupiter.api.io.TempDir java.nio.file.Path cache) {
        Cli run = Cli.run("bench", "--shape", "stories260K", "--cache-dir", cache.toString(), "--json", cache.resolve("no/such/r.json").toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("--json") && run.err().contains("does not exist"), run.err());
        assertTrue(!java.nio.file.Files.exists(cache.resolve("stories260K-f32")), "nothing written before the check");
        Cli size = Cli.run("bench", "--shape", "stories260K", "--cache-dir", cache.toString(), "--chart", cache.resolve("c.png").toString(),
                "--chart-size", "80x60");
        assertEquals(2, size.exitCode(), size.toString());
        assertTrue(size.err().contains("--chart-size"), size.err());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
