package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.kernels.Backend;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceOps;
import videollama.model.llama.Llama;
import videollama.model.llama.LlamaSession;
import videollama.weights.DType;
import videollama.weights.SafetensorsFile;
import videollama.weights.Tensor;

/**
 * Batched prefill on OpenCL against the same session type fed one position at a time (inputs of one row run
 * the decode graph): the logits of every row within 1e-5 relative with float32 weights, 1e-3 with fp16/bf16
 * (same fp16 cache on both sides; only the order of the float32 sums differs), over chunks that start at
 * position 0 and later, a chunk of one row between batched ones, embeddings as well as token ids, and an input
 * longer than one batched pass. Greedy decoding after a batched prefill must then pick the same tokens as after
 * the positions one by one (the cache rows the batched pass wrote are what decode steps read).
 */
class OpenCLPrefillTest {
    private static Backend opencl;
    private final Random random = new Random(System.nanoTime());

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

    private static double tolerance(Llama llama) {
        return llama.weights().embedTokens.dtype() == DType.F32 ? 1e-5 : 1e-3;
    }

    /** The golden prompt followed by its greedy continuation: a few dozen real tokens. */
    private static int[] tokens(LlamaGoldenTest.Case c) {
        try (SafetensorsFile expected = SafetensorsFile.open(c.expected())) {
            int[] prompt = ids(expected.get("prompt_ids"));
            int[] greedy = ids(expected.get("greedy_ids"));
            int[] all = Arrays.copyOf(prompt, prompt.length + greedy.length);
            System.arraycopy(greedy, 0, all, prompt.length, greedy.length);
            return all;
        }
    }

    private static int[] ids(Tensor t) {
        int[] ids = new int[Math.toIntExact(t.size())];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Math.toIntExact(t.getLong(i));
        }
        return ids;
    }

    /** Every row's logits, one position at a time. */
    private static float[] positionByPosition(Llama llama, int[] tokens, int capacity) {
        int vocab = llama.config().vocabSize();
        float[] logits = new float[tokens.length * vocab];
        try (LlamaSession session = llama.newSession(opencl, capacity)) {
            for (int t = 0; t < tokens.length; t++) {
                System.arraycopy(session.forwardTokens(new int[] {tokens[t]}, true), 0, logits, t * vocab, vocab);
            }
        }
        return logits;
    }

    /** Each row's relative error on its own, so a small row's error is not hidden by a large one's scale. */
    private static void assertRowsClose(float[] actual, float[] expected, int firstRow, int rows, int vocab, double tolerance, String what) {
        for (int r = 0; r < rows; r++) {
            double error = Tolerance.relativeError(actual, r * vocab, expected, (firstRow + r) * vocab, vocab);
            assertTrue(error <= tolerance, what + ", row " + (firstRow + r) + ": relative error " + error + " > " + tolerance);
        }
    }

    /**
     * Four calls on one session: a prompt at position 0, a second chunk after it, one row (the decode graph), and
     * a last chunk given as embeddings, every row's logits; then greedy steps on both sessions.
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
            float[] expected = positionByPosition(llama, tokens, capacity);
            int a = n / 3;
            int b = 2 * n / 3;
            try (LlamaSession batched = llama.newSession(opencl, capacity);
                 LlamaSession single = llama.newSession(opencl, capacity)) {
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

                // the same positions fed one by one, then greedy decoding on both
                for (int token : tokens) {
                    single.forwardTokens(new int[] {token}, false);
                }
                int x = argmax(last, (rest - 1) * vocab, vocab);
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
            try (LlamaSession session = llama.newSession(opencl, n)) {
                float[] first = session.forwardTokens(Arrays.copyOfRange(tokens, 0, a), false);
                assertEquals(vocab, first.length);
                assertRowsClose(first, expected, a - 1, 1, vocab, tolerance(llama), c + " last row of the chunk at 0");
                float[] second = session.forward(session.embed(Arrays.copyOfRange(tokens, a, n)), n - a, false);
                assertEquals(vocab, second.length);
                assertRowsClose(second, expected, n - 1, 1, vocab, tolerance(llama), c + " last row of the chunk at " + a);
            }
        }
    }

    /** 700 random tokens: more than one batched pass takes (512 rows), so the input runs as two chunks. */
    @Test
    void inputLongerThanOnePass() throws Exception {
        LlamaGoldenTest.Case c = cases().filter(x -> x.name().equals("long-context")).findFirst().orElseThrow();
        try (Llama llama = Llama.load(c.model())) {
            int vocab = llama.config().vocabSize();
            int[] tokens = random.ints(700, 3, vocab).toArray();
            float[] expected = positionByPosition(llama, tokens, tokens.length);
            try (LlamaSession session = llama.newSession(opencl, tokens.length)) {
                float[] every = session.forwardTokens(tokens, true);
                assertRowsClose(every, expected, 0, tokens.length, vocab, tolerance(llama), "every row of 700");
            }
            try (LlamaSession session = llama.newSession(opencl, tokens.length)) {
                float[] lastRow = session.forwardTokens(tokens, false);
                assertRowsClose(lastRow, expected, tokens.length - 1, 1, vocab, tolerance(llama), "last row of 700");
            }
        }
    }

    /**
     * A backend without the batched ops (as CUDA is for now: its {@code linear} says "not yet") prefills one
     * position at a time instead of failing: the same logits as the decode graph fed row by row, to the bit.
     */
    @Test
    void backendWithoutBatchedOpsFallsBackToPositions() throws Exception {
        LlamaGoldenTest.Case c = cases().filter(x -> x.name().equals("mha-untied")).findFirst().orElseThrow();
        DeviceBackend real = (DeviceBackend) opencl;
        DeviceOps ops = real.ops();
        DeviceOps noLinear = (DeviceOps) Proxy.newProxyInstance(DeviceOps.class.getClassLoader(), new Class<?>[] {DeviceOps.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("linear")) {
                        throw new UnsupportedOperationException("no linear (GEMM) kernel yet");
                    }
                    return invoke(method, ops, args);
                });
        DeviceBackend withoutGemm = (DeviceBackend) Proxy.newProxyInstance(DeviceBackend.class.getClassLoader(),
                new Class<?>[] {DeviceBackend.class},
                (proxy, method, args) -> method.getName().equals("ops") ? noLinear : invoke(method, real, args));
        try (Llama llama = Llama.load(c.model())) {
            int[] tokens = tokens(c);
            float[] expected = positionByPosition(llama, tokens, tokens.length);
            try (LlamaSession session = llama.newSession(withoutGemm, tokens.length)) {
                float[] a = session.forwardTokens(Arrays.copyOfRange(tokens, 0, 5), true);
                float[] b = session.forwardTokens(Arrays.copyOfRange(tokens, 5, tokens.length), true);
                float[] all = Arrays.copyOf(a, expected.length);
                System.arraycopy(b, 0, all, a.length, b.length);
                assertArrayEquals(expected, all, 0f);
            }
        }
    }

    /** {@code videollama.prefill=positions} (what the bench compares against) runs the decode graph per row. */
    @Test
    void positionsPropertyRunsTheDecodeGraphPerRow() throws Exception {
        LlamaGoldenTest.Case c = cases().filter(x -> x.name().equals("gqa-tied-theta")).findFirst().orElseThrow();
        try (Llama llama = Llama.load(c.model())) {
            int[] tokens = tokens(c);
            float[] expected = positionByPosition(llama, tokens, tokens.length);
            LlamaSession session;
            System.setProperty("videollama.prefill", "positions");
            try {
                session = llama.newSession(opencl, tokens.length);
            } finally {
                System.clearProperty("videollama.prefill");
            }
            try (session) {
                assertArrayEquals(expected, session.forwardTokens(tokens, true), 0f);
            }
        }
    }

    @Test
    void benchTimesPrefillBothWays(@TempDir Path cache) {
        Cli run = Cli.run("bench", "--shape", "stories260K", "--backend", "opencl", "--tokens", "2", "--warmup", "1",
                "--prompt-tokens", "40", "--prompt-runs", "2", "--cache-dir", cache.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("prefill of 40 tokens, median of 2 runs") && run.out().contains("prompt tokens/s")
                && run.out().contains("position by position") && run.out().contains("speed-up"), run.out());
        assertNull(System.getProperty("videollama.prefill"), "the bench puts the property back");
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
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
