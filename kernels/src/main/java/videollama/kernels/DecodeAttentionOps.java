package videollama.kernels;

/** Attention of one new token over the KV cache ({@code decode_attention.cl}, {@code decode_attention.cu}). One of the {@link DeviceOps} families; docs/ops.md lists each op. */
public interface DecodeAttentionOps {
    /**
     * Attention of one query row at position {@code pos[0]} over cache rows {@code 0..pos[0]}:
     * {@code out_h = softmax(q_h·Kᵀ / sqrt(headDim)) · V} per head, grouped-query heads as in the reference.
     */
    void decodeAttention(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer q, DeviceBuffer keyCache,
                         DeviceBuffer valueCache, KvCacheType cacheType, DeviceBuffer pos,
                         int heads, int kvHeads, int headDim, int capacity);
}
