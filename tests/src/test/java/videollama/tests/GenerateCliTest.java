package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.model.tokenizer.SentencePieceTokenizer;
import videollama.weights.SafetensorsFile;
import videollama.weights.Tensor;

/** {@code videollama generate} end to end on the bundled stories260K, against the PyTorch greedy continuation. */
class GenerateCliTest {
    @TempDir
    Path tmp;

    /** The golden greedy tokens up to (not including) the first EOS, at most {@code limit}. */
    private static int[] goldenContinuation(int limit) {
        try (SafetensorsFile expected = SafetensorsFile.open(TestFiles.golden("llama/stories260K/expected.safetensors"))) {
            int[] greedy = TestFiles.ids(expected.get("greedy_ids"));
            int end = 0;
            while (end < Math.min(limit, greedy.length) && greedy[end] != 2) {
                end++;
            }
            return Arrays.copyOf(greedy, end);
        }
    }

    @Test
    void greedyStoryIsThePromptAndTheReferenceContinuationOnStdoutOnly() {
        Cli run = Cli.run("generate", "--model", TestFiles.bundledModel().toString(), "--raw",
                "--prompt", "Once upon a time", "--temperature", "0", "--max-new-tokens", "100");
        assertEquals(0, run.exitCode(), run.toString());
        SentencePieceTokenizer tokenizer = SentencePieceTokenizer.load(TestFiles.bundledModel().resolve("tokenizer.model"));
        int[] prompt = tokenizer.encode("Once upon a time");
        int[] continuation = goldenContinuation(100);
        int[] all = new int[prompt.length + continuation.length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(continuation, 0, all, prompt.length, continuation.length);
        assertEquals(tokenizer.decode(all) + "\n", run.out());
        assertTrue(run.out().length() > 200, "a story: " + run.out());
        assertTrue(run.err().contains("tok/s"), run.err());
        assertTrue(run.err().contains("backend: reference"), run.err());
    }

    /** The golden 4.28 beam search of "Once upon a time" with 3 beams and length penalty 0.6, through the command line. */
    @Test
    void beamSearchPrintsTheTransformersBeamAnswer() {
        GenerationContract.Case golden = GenerationContract.named("stories-b3-lp0.6");
        Cli run = Cli.run("generate", "--model", TestFiles.bundledModel().toString(), "--raw", "--prompt", "Once upon a time",
                "--temperature", "0", "--num-beams", "3", "--length-penalty", "0.6", "--max-new-tokens", "40");
        assertEquals(0, run.exitCode(), run.toString());
        SentencePieceTokenizer tokenizer = SentencePieceTokenizer.load(TestFiles.bundledModel().resolve("tokenizer.model"));
        int[] prompt = golden.ints("prompt_ids");
        assertArrayEquals(tokenizer.encode("Once upon a time"), Arrays.copyOfRange(prompt, 1, prompt.length), "the golden prompt");
        int[] sequence = golden.ints("sequence");
        int[] all = new int[prompt.length - 1 + sequence.length - 1];
        System.arraycopy(prompt, 1, all, 0, prompt.length - 1);
        System.arraycopy(sequence, 1, all, prompt.length - 1, sequence.length - 1);
        assertEquals(tokenizer.decode(all) + "\n", run.out());
        assertTrue(run.err().contains("beam search: 3 beams, length penalty 0.600000"), run.err());
        String score = String.format(java.util.Locale.ROOT, "score %.5f", golden.json().get("score").asDouble());
        assertTrue(run.err().contains("3 beams: ") && run.err().contains(score), score + " in " + run.err());
    }

    @Test
    void aSeedRepeatsASampledRun() {
        String model = TestFiles.bundledModel().toString();
        Cli a = Cli.run("generate", "--model", model, "--raw", "--prompt", "Lily", "--seed", "7", "--max-new-tokens", "60");
        Cli b = Cli.run("generate", "--model", model, "--raw", "--prompt", "Lily", "--seed", "7", "--max-new-tokens", "60");
        Cli c = Cli.run("generate", "--model", model, "--raw", "--prompt", "Lily", "--seed", "8", "--max-new-tokens", "60");
        assertEquals(0, a.exitCode(), a.toString());
        assertEquals(a.out(), b.out());
        assertNotEquals(a.out(), c.out());
        assertTrue(a.err().contains("seed 7"), a.err());
    }

    @Test
    void dumpWritesLogitsPromptEmbeddingsAndIds() throws IOException {
        Path dump = tmp.resolve("dump");
        Cli run = Cli.run("generate", "--model", TestFiles.bundledModel().toString(), "--raw", "--prompt", "Once upon a time",
                "--temperature", "0", "--max-new-tokens", "12", "--dump", dump.toString());
        assertEquals(0, run.exitCode(), run.toString());
        SentencePieceTokenizer tokenizer = SentencePieceTokenizer.load(TestFiles.bundledModel().resolve("tokenizer.model"));
        int[] prompt = tokenizer.encode("Once upon a time");
        try (SafetensorsFile file = SafetensorsFile.open(dump.resolve("dump.safetensors"));
             SafetensorsFile expected = SafetensorsFile.open(TestFiles.golden("llama/stories260K/expected.safetensors"))) {
            Tensor logits = file.get("logits");
            assertArrayEquals(new long[] {12, 512}, logits.shape());
            float[] want = Arrays.copyOf(expected.get("step_logits").toFloatArray(), 12 * 512);
            Tolerance.assertClose(logits.toFloatArray(), want, 1e-4, "dumped logits");
            assertArrayEquals(new long[] {prompt.length + 1, 64}, file.get("prompt.embeds").shape());
        }
        JsonNode json = new ObjectMapper().readTree(dump.resolve("prompt.json").toFile());
        JsonNode segment = json.get("segments").get(0);
        assertEquals(prompt.length + 1, segment.size());
        assertEquals(1, segment.get(0).asInt());
        assertEquals(prompt[0], segment.get(1).asInt());
    }

    @Test
    void chatTemplateModePrintsOnlyTheAnswer() {
        Cli run = Cli.run("generate", "--model", TestFiles.bundledModel().toString(), "--prompt", "Tell a story",
                "--temperature", "0", "--max-new-tokens", "20", "--template", "vicuna");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(!run.out().contains("###") && !run.out().contains("Human:"), run.out());
    }
}
