package videollama.kernels.reference;

import java.util.stream.IntStream;

/**
 * LLaMA's attention: causal multi-head attention with grouped-query heads, the new rows' queries over the
 * key/value cache of every position so far. The encoders' unmasked attention is {@link MultiHeadAttention}.
 *
 * <p>Layout: a query row holds {@code heads} heads of width {@code headDim}; a cache row (one position) holds
 * {@code kvHeads} heads. Query head h reads key/value head {@code h / (heads / kvHeads)}, so with
 * {@code kvHeads == heads} this is ordinary multi-head attention and with {@code kvHeads == 1} multi-query.
 */
public final class Attention {
    private Attention() {}

    /**
     * For each of the {@code n} query rows, the one at position {@code start + t} attends to cache positions
     * {@code 0 .. start + t} (the causal mask): {@code softmax(q·kᵀ / sqrt(headDim)) · v}.
     *
     * @param out    [n, heads · headDim]
     * @param q      [n, heads · headDim], already rotated
     * @param kCache [≥ start + n, kvHeads · headDim], keys of all positions so far, already rotated
     * @param vCache [≥ start + n, kvHeads · headDim]
     */
    public static void causal(float[] out, float[] q, float[] kCache, float[] vCache,
                              int n, int start, int heads, int kvHeads, int headDim) {
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(heads + " query heads do not divide into " + kvHeads + " key/value heads");
        }
        int groupSize = heads / kvHeads;
        int qDim = heads * headDim;
        int kvDim = kvHeads * headDim;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        IntStream.range(0, n * heads).parallel().forEach(job -> {
            int t = job / heads;
            int h = job % heads;
            int pos = start + t;
            int qBase = t * qDim + h * headDim;
            int kvOffset = (h / groupSize) * headDim;
            float[] scores = new float[pos + 1];
            for (int p = 0; p <= pos; p++) {
                int kBase = p * kvDim + kvOffset;
                float dot = 0f;
                for (int i = 0; i < headDim; i++) {
                    dot += q[qBase + i] * kCache[kBase + i];
                }
                scores[p] = dot * scale;
            }
            Softmax.softmax(scores, 0, pos + 1);
            for (int i = 0; i < headDim; i++) {
                out[qBase + i] = 0f;
            }
            for (int p = 0; p <= pos; p++) {
                float weight = scores[p];
                int vBase = p * kvDim + kvOffset;
                for (int i = 0; i < headDim; i++) {
                    out[qBase + i] += weight * vCache[vBase + i];
                }
            }
        });
    }
}
