package videollama.kernels;

/** Multi-row attention ({@code flash_attention.cl}, {@code flash_attention.cu}). One of the {@link DeviceOps} families; docs/ops.md lists each op. */
public interface AttentionOps {
    /**
     * Multi-row attention over strided row views: flash attention for prefill (causal) and the encoders'
     * self-attention, and the Q-Formers' cross-attention (several independent sets) — see {@link AttentionShape}.
     */
    void attention(TaskGraph g, String name, StridedRows out, StridedRows q, StridedRows k, StridedRows v,
                   KvCacheType kvType, AttentionShape shape);
}
