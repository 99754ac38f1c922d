package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.model.llama.Llama;
import videollama.model.llama.LlamaSession;
import videollama.testing.SeededRandom;
import videollama.weights.DType;
import videollama.weights.SafetensorsFile;

/**
 * Batched prefill on a device backend against the same session type fed one position at a time (inputs of one
 * row run the decode graph): the logits of every row within 1e-5 relative with float32 weights (measured at most
 * 1.3e-6 on PoCL and the CUDA emulator), 2e-4 with fp16/bf16 (same fp16 cache on both sides; only the order of the
 * float32 sums differs; measured 2.5e-5 on PoCL; 1e-2 on CUDA, whose prefill GEMMs round the activations to the
 * weights' type, measured 5.4e-3 on the emulator, see {@link Tolerance#of}), over chunks that start at
 * position 0 and later, a chunk of one row between batched ones, embeddings as well as token ids, and an input
 * longer than one batched pass. Greedy decoding after a batched prefill must then pick the same tokens as after
 * the positions one by one (the cache rows the batched pass wrote are what decode steps read).
 */
abstract class PrefillDeviceContract extends DeviceContract {
    @RegisterExtension
    final SeededRandom random = new SeededRandom();

    /** The golden cases this backend runs: all of them unless a subclass narrows the list. */
    Stream<LlamaGoldenTest.Case> cases() throws Exception {
        return LlamaGoldenTest.cases();
    }

    /** Tokens of the input longer than one batched pass (512 rows): 700 unless a subclass's backend is slow. */
    int longInputTokens() {
        return 700;
    }

    double tolerance(Llama llama) {
        boolean f32 = llama.weights().embedTokens.dtype() == DType.F32;
        return Tolerance.of(backend, !f32, f32 ? 1e-5 : 2e-4);
    }

    /** The golden prompt followed by its greedy continuation: a few dozen real tokens. */
    static int[] tokens(LlamaGoldenTest.Case c) {
        try (SafetensorsFile expected = SafetensorsFile.open(c.expected())) {
            int[] prompt = TestFiles.ids(expected.get("prompt_ids"));
            int[] greedy = TestFiles.ids(expected.get("greedy_ids"));
            int[] all = Arrays.copyOf(prompt, prompt.length + greedy.length);
            System.arraycopy(greedy, 0, all, prompt.length, greedy.length);
            return all;
        }
    }

    /** Every row's logits, one position at a time. */
    float[] positionByPosition(Llama llama, int[] tokens, int capacity) {
        try (LlamaSession session = llama.newSession(backend, capacity)) {
            return positionByPosition(session, tokens, llama.config().vocabSize());
        }
    }

    /** Every row's logits, one position at a time through {@code session}. */
    static float[] positionByPosition(LlamaSession session, int[] tokens, int vocab) {
        float[] logits = new float[tokens.length * vocab];
        for (int t = 0; t < tokens.length; t++) {
            System.arraycopy(session.forwardTokens(new int[] {tokens[t]}, true), 0, logits, t * vocab, vocab);
        }
        return logits;
    }

    /** Each row's relative error on its own, so a small row's error is not hidden by a large one's scale. */
    static void assertRowsClose(float[] actual, float[] expected, int firstRow, int rows, int vocab, double tolerance, String what) {
        for (int r = 0; r < rows; r++) {
            double error = Tolerance.relativeError(actual, r * vocab, expected, (firstRow + r) * vocab, vocab);
            Tolerance.assertWithin(error, tolerance, what + ", row " + (firstRow + r));
        }
    }

    /**
     * Four calls on one session: a prompt at position 0, a second chunk after it, one row (the decode graph), and
     * a last chunk given as embeddings, every row's logits against a second session fed position by position; then
     * greedy steps on both sessions.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void chunksMatchPositionByPosition(LlamaGoldenTest.Case c) {
        try (Llama llama = Llama.load(c.model())) {
            int[] tokens = tokens(c);
            int n = tokens.length;
            assertTrue(n >= 12, c + ": " + n + " tokens");
            int vocab = llama.config().vocabSize();
            int capacity = n + 8;
            double tolerance = tolerance(llama);
            int a = n / 3;
            int b = 2 * n / 3;
            try (LlamaSession batched = llama.newSession(backend, capacity);
                 LlamaSession single = llama.newSession(backend, capacity)) {
                float[] expected = positionByPosition(single, tokens, vocab);
                float[] first = batched.forwardTokens(Arrays.copyOfRange(tokens, 0, a), true);
                assertRowsClose(first, expected, 0, a, vocab, tolerance, c + " chunk at 0");
                float[] second = batched.forwardTokens(Arrays.copyOfRange(tokens, a, b), true);
                assertRowsClose(second, expected, a, b - a, vocab, tolerance, c + " chunk at " + a);
                float[] one = batched.forwardTokens(new int[] {tokens[b]}, true);
                assertRowsClose(one, expected, b, 1, vocab, tolerance, c + " one row at " + b);
                int rest = n - b - 1;
                float[] last = batched.forward(batched.embed(Arrays.copyOfRange(tokens, b + 1, n)), rest, true);
                assertRowsClose(last, expected, b + 1, rest, vocab, tolerance, c + " embeddings at " + (b + 1));
                assertEquals(n, batched.position());

                // greedy decoding on both: from here on the batched session reads the cache rows its passes wrote
                int x = LlamaDeviceContract.argmax(last, (rest - 1) * vocab, vocab);
                int y = x;
                for (int step = 0; step < 8; step++) {
                    x = batched.forwardGreedy(x);
                    y = single.forwardGreedy(y);
                    assertEquals(y, x, c + ": greedy step " + step + " after batched prefill");
                }
            }
        }
    }

    /** An input wanting only its last row's logits takes the head on that row alone; the cache is the same. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lastRowLogitsOnly(LlamaGoldenTest.Case c) {
        try (Llama llama = Llama.load(c.model())) {
            int[] tokens = tokens(c);
            int n = tokens.length;
            int vocab = llama.config().vocabSize();
            float[] expected = positionByPosition(llama, tokens, n);
            int a = n / 2;
            try (LlamaSession session = llama.newSession(backend, n)) {
                float[] first = session.forwardTokens(Arrays.copyOfRange(tokens, 0, a), false);
                assertEquals(vocab, first.length);
                assertRowsClose(first, expected, a - 1, 1, vocab, tolerance(llama), c + " last row of the chunk at 0");
                float[] second = session.forward(session.embed(Arrays.copyOfRange(tokens, a, n)), n - a, false);
                assertEquals(vocab, second.length);
                assertRowsClose(second, expected, n - 1, 1, vocab, tolerance(llama), c + " last row of the chunk at " + a);
            }
        }
    }

    /**
     * {@link #longInputTokens} random tokens: more than one batched pass takes (512 rows), so the input runs as two
     * chunks.
     */
    @Test
    void inputLongerThanOnePass() throws Exception {
        LlamaGoldenTest.Case c = LlamaGoldenTest.cases().filter(x -> x.name().equals("long-context")).findFirst().orElseThrow();
        try (Llama llama = Llama.load(c.model())) {
            int vocab = llama.config().vocabSize();
            int[] tokens = random.ints(longInputTokens(), 3, vocab).toArray();
            float[] expected = positionByPosition(llama, tokens, tokens.length);
            try (LlamaSession session = llama.newSession(backend, tokens.length)) {
                float[] every = session.forwardTokens(tokens, true);
                assertRowsClose(every, expected, 0, tokens.length, vocab, tolerance(llama), "every row of " + tokens.length);
            }
            try (LlamaSession session = llama.newSession(backend, tokens.length)) {
                float[] lastRow = session.forwardTokens(tokens, false);
                assertRowsClose(lastRow, expected, tokens.length - 1, 1, vocab, tolerance(llama), "last row of " + tokens.length);
            }
        }
    }
}
