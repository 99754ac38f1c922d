package videollama.model.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from a row of logits. Sampling follows Hugging Face's warpers in their order
 * (spec section 4.5): temperature, then top-k, then top-p, then one draw from the softmax of what is left.
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
        for (float value : logits) {
            if (Float.isNaN(value)) {
                throw new IllegalStateException("the model produced NaN logits");
            }
        }
        if (settings.isGreedy()) {
            return argmax(logits, 0, logits.length);
        }
        int vocab = logits.length;
        float[] scaled = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            scaled[i] = logits[i] / settings.temperature();
        }
        keepTopK(scaled, settings.topK());
        keepTopP(scaled, settings.topP());
        return draw(scaled);
    }

    /** Sets to −∞ every logit below the k-th largest; ties with the k-th survive, as in Hugging Face. */
    static void keepTopK(float[] logits, int k) {
        if (k <= 0 || k >= logits.length) {
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
        for (int rank = 0; rank < order.length - 1; rank++) {
            cumulative += probabilities[order[rank]];
            if (cumulative <= 1f - p) {
                logits[order[rank]] = Float.NEGATIVE_INFINITY;
            } else {
                break;
            }
        }
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
