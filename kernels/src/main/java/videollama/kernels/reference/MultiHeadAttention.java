package videollama.kernels.reference;

import java.util.stream.IntStream;
import videollama.kernels.AttentionShape;

/**
 * Multi-row attention, the general twin of the device attention kernels: {@code sets} independent sets of
 * query rows over key/value rows, grouped-query heads, a given scale and an optional causal mask with a query
 * start position (see {@link AttentionShape}). Where both apply it computes exactly what
 * {@link Attention#causal} computes, in the same order.
 *
 * <p>Some models scale q before the product (EVA: {@code q = q · scale; q·kᵀ}); this scales the product. The
 * two differ by float32 rounding only.
 */
public final class MultiHeadAttention {
    private MultiHeadAttention() {}

    /**
     * {@code out = softmax(q·kᵀ · scale, masked) · v} per set and head.
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
