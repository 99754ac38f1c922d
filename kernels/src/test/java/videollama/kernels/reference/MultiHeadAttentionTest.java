package videollama.kernels.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static videollama.kernels.KernelChecks.assertClose;
import static videollama.kernels.KernelChecks.randomFloats;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.kernels.AttentionShape;

/**
 * {@link MultiHeadAttention} against attention written out directly in double precision (scores, a softmax
 * by its definition, the weighted sum), against {@link Attention#causal} where both apply, and on the mask.
 */
class MultiHeadAttentionTest {
    private final Random random = new Random(20261126);

    /** The definition, in double: for each set, query and head, softmax over the visible keys of q·k·scale, times v. */
    private static double[] direct(float[] q, float[] k, float[] v, AttentionShape s) {
        int d = s.headDim();
        double[] out = new double[s.sets() * s.queries() * s.queryWidth()];
        for (int b = 0; b < s.sets(); b++) {
            for (int i = 0; i < s.queries(); i++) {
                int qRow = (b * s.queries() + i) * s.queryWidth();
                int visible = s.causal() ? Math.min(s.keys(), s.queryStart() + i + 1) : s.keys();
                for (int h = 0; h < s.heads(); h++) {
                    int kvHead = h * s.kvHeads() / s.heads();
                    double[] scores = new double[visible];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < visible; j++) {
                        int kRow = (b * s.keys() + j) * s.kvWidth() + kvHead * d;
                        double dot = 0;
                        for (int c = 0; c < d; c++) {
                            dot += (double) q[qRow + h * d + c] * k[kRow + c];
                        }
                        scores[j] = dot * s.scale();
                        max = Math.max(max, scores[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < visible; j++) {
                        scores[j] = Math.exp(scores[j] - max);
                        sum += scores[j];
                    }
                    for (int j = 0; j < visible; j++) {
                        int vRow = (b * s.keys() + j) * s.kvWidth() + kvHead * d;
                        for (int c = 0; c < d; c++) {
                            out[qRow + h * d + c] += scores[j] / sum * v[vRow + c];
                        }
                    }
                }
            }
        }
        return out;
    }

    private float[] run(float[] q, float[] k, float[] v, AttentionShape s) {
        float[] out = new float[s.sets() * s.queries() * s.queryWidth()];
        Arrays.fill(out, Float.NaN);
        MultiHeadAttention.attention(out, q, k, v, s);
        return out;
    }

    @ParameterizedTest(name = "sets {0}, {1} queries over {2} keys, heads {3}/{4} of {5}, causal {6} from {7}")
    @CsvSource({
        "1, 1, 1, 1, 1, 8, false, 0",
        "1, 5, 5, 2, 1, 8, true, 0",
        "1, 13, 40, 4, 2, 16, true, 27",
        "1, 13, 45, 4, 2, 16, true, 27", // keys beyond the last query's position are never seen
        "1, 29, 30, 3, 3, 64, false, 0",
        "3, 7, 19, 2, 2, 88, false, 0",
        "2, 4, 9, 6, 3, 5, true, 2"})
    void matchesTheDefinitionInDouble(int sets, int queries, int keys, int heads, int kvHeads, int headDim, boolean causal, int start) {
        AttentionShape s = new AttentionShape(sets, queries, keys, heads, kvHeads, headDim, AttentionShape.defaultScale(headDim), causal, start);
        float[] q = randomFloats(random, sets * queries * s.queryWidth());
        float[] k = randomFloats(random, sets * keys * s.kvWidth());
        float[] v = randomFloats(random, sets * keys * s.kvWidth());
        float[] actual = run(q, k, v, s);
        double[] expected = direct(q, k, v, s);
        assertClose(expected, actual, 5e-6, "attention");
    }

    /**
     * {@link Attention#causal} (grouped-query heads over a cache) is the definition, each element within 2e-6, and
     * this class's attention gives its results to the bit.
     */
    @ParameterizedTest(name = "{0} rows from {1}, heads {2}/{3} of {4}")
    @CsvSource({"1, 0, 1, 1, 8", "5, 0, 2, 1, 8", "13, 27, 4, 2, 16", "3, 100, 8, 8, 128", "3, 4, 6, 2, 5"})
    void agreesExactlyWithTheCausalCacheAttention(int n, int start, int heads, int kvHeads, int headDim) {
        AttentionShape s = AttentionShape.causal(n, start, heads, kvHeads, headDim);
        float[] q = randomFloats(random, n * s.queryWidth());
        float[] k = randomFloats(random, s.keys() * s.kvWidth());
        float[] v = randomFloats(random, s.keys() * s.kvWidth());
        float[] expected = new float[q.length];
        Attention.causal(expected, q, k, v, n, start, heads, kvHeads, headDim);
        double[] definition = direct(q, k, v, s);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(definition[i], expected[i], 2e-6, "row " + i / s.queryWidth() + " head " + i % s.queryWidth() / headDim);
        }
        assertArrayEquals(expected, run(q, k, v, s));
    }

    @Test
    void aQueryDoesNotSeeKeysAfterItsPosition() {
        AttentionShape s = AttentionShape.causal(4, 6, 2, 2, 8);
        float[] q = randomFloats(random, 4 * s.queryWidth());
        float[] k = randomFloats(random, s.keys() * s.kvWidth());
        float[] v = randomFloats(random, s.keys() * s.kvWidth());
        float[] before = run(q, k, v, s);
        // change the last key and value (position 9): only the last query (position 9) may change
        for (int c = 0; c < s.kvWidth(); c++) {
            k[9 * s.kvWidth() + c] += 1f;
            v[9 * s.kvWidth() + c] -= 2f;
        }
        float[] after = run(q, k, v, s);
        int firstThree = 3 * s.queryWidth();
        assertArrayEquals(Arrays.copyOf(before, firstThree), Arrays.copyOf(after, firstThree));
        assertTrue(before[firstThree] != after[firstThree]);
    }

    @Test
    void setsAreIndependentAndOneKeyGivesItsValue() {
        AttentionShape s = AttentionShape.cross(3, 2, 1, 2, 4);
        float[] q = randomFloats(random, 3 * 2 * 8);
        float[] k = randomFloats(random, 3 * 8);
        float[] v = randomFloats(random, 3 * 8);
        float[] out = run(q, k, v, s);
        for (int b = 0; b < 3; b++) {
            for (int i = 0; i < 2; i++) {
                for (int c = 0; c < 8; c++) {
                    assertEquals(v[b * 8 + c], out[(b * 2 + i) * 8 + c], 1e-6f);
                }
            }
        }
    }

    @Test
    void shapesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new AttentionShape(1, 4, 4, 6, 4, 8, 1f, false, 0));
        assertThrows(IllegalArgumentException.class, () -> new AttentionShape(1, 4, 4, 4, 4, 8, 1f, false, 3));
        assertThrows(IllegalArgumentException.class, () -> new AttentionShape(0, 4, 4, 4, 4, 8, 1f, false, 0));
    }
}
