package videollama.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import videollama.model.llama.LlamaConfig;
import videollama.model.llama.LlamaSession;
import videollama.model.tokenizer.SentencePieceTokenizer;

/**
 * Beam sampling, whose draws no reference can reproduce, checked by its structure on a toy model whose logits are a
 * function of the whole sequence a session was fed (so a beam handed the wrong cache shows): the same seed repeats a
 * run and other seeds vary it; every step's continuations are among the candidates 4.28's warpers leave (top-k and
 * top-p on the beam's log-softmax plus its running score over the temperature, each keeping at least 2), each drawn
 * once, and their scores are exactly those warped sums, so the temperature compounds from step to step.
 */
class BeamSamplingTest {
    private static final int VOCAB = 40;
    private static final int EOS = 2;
    private static final SentencePieceTokenizer TOKENIZER = SentencePieceTokenizer.load(
            Path.of(System.getProperty("videollama.root", "..")).resolve("models/stories260K/tokenizer.model"));
    private static final LlamaConfig CONFIG = new LlamaConfig(8, 8, 1, 1, 1, 8, VOCAB, 512, 1e-5f, 10000, false, 1,
            new int[] {EOS});

    /** Logits from a hash of everything fed so far: a session with the wrong cache gives different ones. */
    static float[] toyLogits(List<Integer> fed) {
        long h = 1469598103934665603L;
        for (int t : fed) {
            h = (h ^ t) * 1099511628211L;
        }
        float[] logits = new float[VOCAB];
        java.util.SplittableRandom r = new java.util.SplittableRandom(h);
        for (int i = 0; i < VOCAB; i++) {
            logits[i] = (float) (r.nextGaussian() * 2.5);
        }
        return logits;
    }

    /** A session whose cache is the list of inputs it was fed (prompt rows count by their first float). */
    record ToySession(LlamaConfig config, List<Integer> fed, int capacity) implements LlamaSession {
        ToySession(int capacity) {
            this(CONFIG, new ArrayList<>(), capacity);
        }

        @Override
        public int position() {
            return fed.size();
        }

        @Override
        public float[] embed(int... tokens) {
            float[] rows = new float[tokens.length * 8];
            for (int t = 0; t < tokens.length; t++) {
                rows[t * 8] = tokens[t];
            }
            return rows;
        }

        @Override
        public float[] forward(float[] embeddings, int count, boolean logitsForEveryRow) {
            for (int t = 0; t < count; t++) {
                fed.add((int) embeddings[t * 8]);
            }
            return toyLogits(fed);
        }

        @Override
        public LlamaSession fork() {
            return new ToySession(config, new ArrayList<>(fed), capacity);
        }

        @Override
        public void copyCacheFrom(LlamaSession source, int from) {
            List<Integer> other = ((ToySession) source).fed;
            assertEquals(fed.subList(0, from), other.subList(0, from), "rows below `from` are shared");
            fed.subList(from, fed.size()).clear();
            fed.addAll(other.subList(from, other.size()));
        }

        @Override
        public void close() {}
    }

    record Run(Generation generation, List<BeamSearch.Step> steps) {}

    private static final int[] PROMPT = {1, 17, 23, 5};

    static Run run(int beams, float temperature, int topK, float topP, long seed, int maxNew) {
        GenerationSettings settings = new GenerationSettings(maxNew, new SamplingSettings(temperature, topK, topP, seed), beams,
                1.0, 1f, 1, List.of(), List.of(), false);
        List<BeamSearch.Step> steps = new ArrayList<>();
        ToySession session = new ToySession(PROMPT.length + maxNew);
        Generation g = new BeamSearch(TOKENIZER).generate(session, session.embed(PROMPT), PROMPT.length, settings, false,
                text -> {}, steps::add);
        return new Run(g, steps);
    }

    @Test
    void aSeedRepeatsARunAndOtherSeedsVaryIt() {
        Run a = run(3, 0.9f, 20, 0.9f, 11, 12);
        Run b = run(3, 0.9f, 20, 0.9f, 11, 12);
        assertArrayEquals(a.generation().tokens(), b.generation().tokens());
        assertEquals(a.generation().score(), b.generation().score());
        Set<String> outcomes = new HashSet<>();
        for (long seed = 0; seed < 12; seed++) {
            outcomes.add(Arrays.toString(run(3, 0.9f, 20, 0.9f, seed, 12).generation().tokens()));
        }
        assertTrue(outcomes.size() >= 3, "12 seeds gave " + outcomes.size() + " different answers");
    }

    @Test
    void everyContinuationIsAWarpedCandidateWithItsWarpedScore() {
        for (float temperature : new float[] {0.7f, 1f, 1.6f}) {
            for (long seed = 0; seed < 6; seed++) {
                checkSteps(run(3, temperature, 6, 0.8f, seed, 10), 3, temperature, 6, 0.8f);
            }
        }
    }

    /** Replays the search's bookkeeping from its steps, recomputing each beam's warped row on its own. */
    private static void checkSteps(Run run, int beams, float temperature, int topK, float topP) {
        List<List<Integer>> histories = new ArrayList<>();
        for (int b = 0; b < beams; b++) {
            List<Integer> h = new ArrayList<>();
            for (int t : PROMPT) {
                h.add(t);
            }
            histories.add(h);
        }
        float[] running = new float[beams];
        Arrays.fill(running, 1, beams, -1e9f);
        for (BeamSearch.Step step : run.steps()) {
            float[][] warped = new float[beams][];
            for (int b = 0; b < beams; b++) {
                float[] row = new float[VOCAB];
                BeamSearch.logSoftmax(toyLogits(histories.get(b)), row);
                for (int i = 0; i < VOCAB; i++) {
                    row[i] = (row[i] + running[b]) / temperature;
                }
                Sampler.keepTopK(row, topK, 2);
                Sampler.keepTopP(row, topP, 2);
                warped[b] = row;
            }
            Set<Integer> seen = new HashSet<>();
            for (int j = 0; j < beams; j++) {
                int parent = step.parents()[j];
                int token = step.tokens()[j];
                assertTrue(seen.add(parent * VOCAB + token), "drawn without replacement");
                assertFalse(token == EOS, "EOS never continues a beam");
                float expected = warped[parent][token];
                assertTrue(expected > Float.NEGATIVE_INFINITY || running[parent] <= -1e8f,
                        "token " + token + " of beam " + parent + " was filtered out by top-k/top-p");
                assertEquals(expected, step.scores()[j], Math.abs(expected) * 1e-6f, "the warped score is the beam's score");
                if (j > 0) {
                    assertTrue(step.scores()[j - 1] >= step.scores()[j], "beams sorted by score");
                }
            }
            List<List<Integer>> next = new ArrayList<>();
            for (int j = 0; j < beams; j++) {
                List<Integer> h = new ArrayList<>(histories.get(step.parents()[j]));
                h.add(step.tokens()[j]);
                next.add(h);
            }
            histories = next;
            running = step.scores().clone();
        }
    }
}
