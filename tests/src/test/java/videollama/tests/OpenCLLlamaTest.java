package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.kernels.Backend;
import videollama.model.llama.Llama;
import videollama.model.llama.LlamaSession;
import videollama.weights.DType;
import videollama.weights.SafetensorsFile;
import videollama.weights.Tensor;

/**
 * LLaMA on the OpenCL backend against the PyTorch golden data and against the reference path: the same
 * greedy tokens, logits within 1e-4 relative with float32 weights (float32 KV cache) and within 1e-2 with
 * fp16/bf16 weights (fp16 KV cache), DESIGN.md section 7. Runs on PoCL in CI.
 */
class OpenCLLlamaTest {
    private static Backend opencl;

    @BeforeAll
    static void open() {
        opencl = TestFiles.openClOrSkip();
    }

    @AfterAll
    static void close() {
        if (opencl != null) {
            opencl.close();
        }
    }

    static Stream<LlamaGoldenTest.Case> cases() throws Exception {
        return LlamaGoldenTest.cases();
    }

    private static int[] ids(Tensor t) {
        int[] ids = new int[Math.toIntExact(t.size())];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Math.toIntExact(t.getLong(i));
        }
        return ids;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void promptLogitsAndGreedyContinuation(LlamaGoldenTest.Case c) {
        try (Llama llama = Llama.load(c.model());
             SafetensorsFile expected = SafetensorsFile.open(c.expected())) {
            double tolerance = llama.weights().embedTokens.dtype() == DType.F32 ? 1e-4 : 1e-2;
            int[] prompt = ids(expected.get("prompt_ids"));
            int[] greedy = ids(expected.get("greedy_ids"));
            float[] stepLogits = expected.get("step_logits").toFloatArray();
            int vocab = llama.config().vocabSize();
            try (LlamaSession session = llama.newSession(opencl, prompt.length + greedy.length)) {
                float[] logits = session.forwardTokens(prompt, true);
                Tolerance.assertClose(logits, expected.get("prompt_logits").toFloatArray(), tolerance, c + " prompt logits");
                int token = greedy[0];
                assertEquals(greedy[0], argmax(logits, (prompt.length - 1) * vocab, vocab), c + " first token");
                // every other step through the on-device argmax, checking logits on a few steps
                for (int step = 1; step < greedy.length; step++) {
                    if (step % 10 == 1) {
                        float[] row = session.forwardTokens(new int[] {token}, false);
                        double error = Tolerance.relativeError(row, 0, stepLogits, step * vocab, vocab);
                        assertTrue(error <= tolerance, c + " step " + step + ": relative error " + error);
                        token = argmax(row, 0, vocab);
                    } else {
                        token = session.forwardGreedy(token);
                    }
                    assertEquals(greedy[step], token, c + ": greedy token " + step);
                }
            }
        }
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
                "--profile", "--bandwidth-gbs", "20", "--cache-dir", cache.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("tokens/s") && run.out().contains("of 20 GB/s"), run.out());
        assertTrue(run.out().contains("gate/up + silu") && run.out().contains("attention"), run.out());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int argmax(float[] x, int offset, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[offset + i] > x[offset + best]) {
                best = i;
            }
        }
        return best;
    }
}
