package videollama.kernels.reference;

import java.util.stream.IntStream;
import videollama.kernels.AttentionShape;

/**
 * The encoders' attention: {@code sets} independent sets of query rows, each attending to its own key/value
 * rows with no mask (the ViT's and ImageBind's self-attention, the Q-Former's self- and cross-attention), and
 * the oracle of the device's multi-row attention kernels, whose {@link AttentionShape} may also carry
 * grouped-query heads and a causal mask (LLaMA's prefill on the device). The decoder's attention over its
 * key/value cache is {@link Attention#causal}, LLaMA's alone.
 *
 * <p>Some models scale q before the product (EVA: {@code q = q · scale; q·kᵀ}); this scales the product. The
 * two differ by float32 rounding only.
 */
public final class MultiHeadAttention {
    private MultiHeadAttention() {}

    /**
     * {@code softmax(q·kᵀ · scale) · v} per set and head, into a new array: {@code sets} sets of
     * {@code q.length / (sets · heads · headDim)} queries, each over its set's
     * {@code k.length / (sets · heads · headDim)} keys, every query seeing every key of its set.
     */
    public static float[] attention(float[] q, float[] k, float[] v, int sets, int heads, int headDim, float scale) {
        int width = heads * headDim;
        if (q.length % (sets * width) != 0 || k.length % (sets * width) != 0 || v.length != k.length) {
            throw new IllegalArgumentException(q.length + " query, " + k.length + " key and " + v.length
                    + " value floats are not " + sets + " sets of rows " + heads + " heads of " + headDim + " wide");
        }
        float[] out = new float[q.length];
        attention(out, q, k, v, new AttentionShape(sets, q.length / (sets * width), k.length / (sets * width), heads,
                heads, headDim, scale, false, 0));
        return out;
    }

    /**
     * {@code out = softmax(q·kᵀ · scale, masked) · v} per set and head, in any {@link AttentionShape}: the
     * form the device kernels take, for their contract tests.
     *
     * @param out [sets · queries, heads · headDim]
     * @param q   [sets · queries, heads · headDim]: set b's query i is row {@code b · queries + i}
     * @param k   [sets · keys, kvHeads · headDim]: set b's key j is row {@code b · keys + j}
     * @param v   [sets · keys, kvHeads · headDim]
     */
    public static void attention(float[] out, float[] q, float[] k, float[] v, AttentionShape s) {
        int headDim = s.headDim();
        int qDim = s.queryWidth();
        int kvDim = s.kvWidth();
        int groupSize = s.heads() / s.kvHeads();
        IntStream.range(0, s.sets() * s.queries() * s.heads()).parallel().forEach(job -> {
            int h = job % s.heads();
            int row = job / s.heads(); // b · queries + i
            int set = row / s.queries();
            int visible = s.visibleKeys(row % s.queries());
            int qBase = row * qDim + h * headDim;
            int kvOffset = set * s.keys() * kvDim + (h / groupSize) * headDim;
            float[] scores = new float[visible];
            for (int j = 0; j < visible; j++) {
                int kBase = kvOffset + j * kvDim;
                float dot = 0f;
                for (int i = 0; i < headDim; i++) {
                    dot += q[qBase + i] * k[kBase + i];
                }
                scores[j] = dot * s.scale();
            }
            Softmax.softmax(scores, 0, visible);
            for (int i = 0; i < headDim; i++) {
                out[qBase + i] = 0f;
            }
            for (int j = 0; j < visible; j++) {
                float weight = scores[j];
                int vBase = kvOffset + j * kvDim;
                for (int i = 0; i < headDim; i++) {
                    out[qBase + i] += weight * v[vBase + i];
                }
            }
        });
    }
}
