package videollama.model.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from a row of logits. Sampling follows Hugging Face's warpers in their order
 * (transformers' logits warpers, in {@code generate}'s order): temperature, then top-k, then top-p, then one draw from the softmax of what is left.
 */
public final class Sampler {
    private final SamplingSettings settings;
    private final SplittableRandom random;

    public Sampler(SamplingSettings settings) {
        this.settings = settings;
        this.random = new SplittableRandom(settings.seed());
    }

    /** The index of the largest logit; the first one on ties, as {@code torch.argmax}. */
    public static int argmax(float[] logits, int offset, int length) {
        int best = 0;
        float bestValue = logits[offset];
        for (int i = 1; i < length; i++) {
            if (logits[offset + i] > bestValue) {
                bestValue = logits[offset + i];
                best = i;
            }
        }
        return best;
    }

    /** Chooses a token from {@code logits} (one full row). */
    public int sample(float[] logits) {
        NonFiniteLogitsException.check(logits);
        if (settings.isGreedy()) {
            return argmax(logits, 0, logits.length);
        }
        float[] warped = logits.clone();
        warp(warped, 1);
        return draw(warped);
    }

    /**
     * transformers' warpers in their order, in place: temperature (when not 1), top-k, top-p, each keeping at least
     * {@code minKeep} tokens (4.28 keeps 2 when there are beams).
     */
    void warp(float[] scores, int minKeep) {
        if (settings.temperature() != 1f) {
            for (int i = 0; i < scores.length; i++) {
                scores[i] /= settings.temperature();
            }
        }
        keepTopK(scores, settings.topK(), minKeep);
        keepTopP(scores, settings.topP(), minKeep);
    }

    /** Sets to −∞ every logit below the k-th largest; ties with the k-th survive, as in Hugging Face. */
    static void keepTopK(float[] logits, int k) {
        keepTopK(logits, k, 1);
    }

    /** {@link #keepTopK(float[], int)} keeping at least {@code minKeep} (TopKLogitsWarper's max(top_k, min_tokens_to_keep)). */
    static void keepTopK(float[] logits, int k, int minKeep) {
        if (k <= 0) {
            return;
        }
        k = Math.max(k, minKeep);
        if (k >= logits.length) {
            return;
        }
        float[] sorted = logits.clone();
        Arrays.sort(sorted);
        float kth = sorted[sorted.length - k];
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] < kth) {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /**
     * Nucleus filtering as Hugging Face does it: in ascending order of probability, drop tokens while the
     * cumulative probability stays at or below {@code 1 − p}; the most likely token always survives.
     */
    static void keepTopP(float[] logits, float p) {
        keepTopP(logits, p, 1);
    }

    /** {@link #keepTopP(float[], float)} keeping at least the {@code minKeep} most likely tokens. */
    static void keepTopP(float[] logits, float p, int minKeep) {
        if (p >= 1f) {
            return;
        }
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(logits[a], logits[b])); // stable: ascending
        float[] probabilities = softmax(logits);
        float cumulative = 0f;
        for (int rank = 0; rank < order.length - Math.max(1, minKeep); rank++) {
            cumulative += probabilities[order[rank]];
            if (cumulative <= 1f - p) {
                logits[order[rank]] = Float.NEGATIVE_INFINITY;
            } else {
                break;
            }
        }
    }

    /**
     * {@code count} distinct draws from the softmax of all {@code rows} together, without replacement (what
     * {@code torch.multinomial(softmax(scores.view(1, -1)), count)} samples): each draw renormalises over what is left.
     * Indices are flat ({@code row · width + column}). When fewer than {@code count} entries have a probability, the
     * rest are the best-scored remaining entries, lowest index first (torch picks zero-probability entries in an
     * unspecified order there; they sort last either way).
     */
    int[] drawDistinct(float[][] rows, int count) {
        int width = rows[0].length;
        float max = Float.NEGATIVE_INFINITY;
        for (float[] row : rows) {
            for (float v : row) {
                max = Math.max(max, v);
            }
        }
        double[] weights = new double[rows.length * width];
        double total = 0;
        for (int r = 0; r < rows.length; r++) {
            for (int i = 0; i < width; i++) {
                double w = Math.exp(rows[r][i] - max);
                weights[r * width + i] = w;
                total += w;
            }
        }
        int[] picked = new int[count];
        boolean[] taken = new boolean[weights.length];
        for (int d = 0; d < count; d++) {
            int choice = -1;
            if (total > 0) {
                double u = random.nextDouble() * total;
                double cumulative = 0;
                for (int i = 0; i < weights.length; i++) {
                    if (weights[i] > 0 && !taken[i]) {
                        cumulative += weights[i];
                        choice = i;
                        if (u < cumulative) {
                            break;
                        }
                    }
                }
            }
            if (choice < 0) {
                float best = Float.NaN;
                for (int i = 0; i < weights.length; i++) {
                    float v = rows[i / width][i % width];
                    if (!taken[i] && (choice < 0 || v > best)) {
                        choice = i;
                        best = v;
                    }
                }
            }
            taken[choice] = true;
            total -= weights[choice];
            if (total <= 0 || !(total > 1e-300)) {
                total = 0;
                for (int i = 0; i < weights.length; i++) {
                    if (!taken[i]) {
                        total += weights[i];
                    }
                }
            }
            weights[choice] = 0;
            picked[d] = choice;
        }
        return picked;
    }

    /** One draw from the softmax of {@code logits}. */
    private int draw(float[] logits) {
        float[] probabilities = softmax(logits);
        double u = random.nextDouble();
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < probabilities.length; i++) {
            if (probabilities[i] > 0) {
                cumulative += probabilities[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        return last; // u fell into the rounding gap at the top end
    }

    private static float[] softmax(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        float[] p = new float[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (p[i] / sum);
        }
        return p;
    }
}
