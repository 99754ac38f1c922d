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
    void benchDecodesARandomModelAndProfilesIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path cache) {
        Cli run = Cli.run("bench", "--shape", "stories260K", "--backend", "opencl", "--tokens", "6", "--warmup", "2",
                "--profile", "--bandwidth-gbs", "20", "--num-beams", "2", "--cache-dir", cache.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("tokens/s") && run.out().contains("of 20 GB/s"), run.out());
        assertTrue(run.out().contains("beam search, 2 beams, 6 steps") && run.out().contains("one beam's cache copy of 6 positions"),
                run.out());
        assertTrue(run.out().contains("gate/up + silu") && run.out().contains("attention"), run.out());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
