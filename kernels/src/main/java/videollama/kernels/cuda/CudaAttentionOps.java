package videollama.kernels.cuda;

import videollama.kernels.AttentionOps;
import videollama.kernels.AttentionShape;
import videollama.kernels.Cost;
import videollama.kernels.KernelSource;
import videollama.kernels.KvCacheType;
import videollama.kernels.Launch;
import videollama.kernels.StridedRows;
import videollama.kernels.TaskGraph;

/**
 * Multi-row attention in CUDA C ({@code flash_attention.cu}): causal prefill over the KV cache, the bidirectional
 * self-attention of the ViT, ImageBind and the Q-Formers, and the Q-Formers' cross-attention batched over frames,
 * all one flash kernel (a block per block of queries, head and set; 4 threads per query; keys and values streamed
 * through shared memory in tiles of 32). Same arguments, checks and {@link Cost} as the OpenCL op; the twin is
 * {@link videollama.kernels.reference.MultiHeadAttention}.
 */
final class CudaAttentionOps implements AttentionOps {
    /** Threads per query: each holds a quarter of the query's head in registers ({@code QUARTET}). */
    static final int THREADS_PER_QUERY = 4;
    /** Queries per block at most ({@code FLASH_MAX_THREADS} / 4), and at least: a block is whole warps. */
    static final int MAX_BLOCK_QUERIES = 32;
    static final int MIN_BLOCK_QUERIES = 32 / THREADS_PER_QUERY;
    /** The head widths the kernel is instantiated for: it keeps a head in registers, so each is an entry point. */
    private static final int[] HEAD_CAPACITIES = {32, 64, 96, 128};
    static final int MAX_HEAD_DIM = HEAD_CAPACITIES[HEAD_CAPACITIES.length - 1];

    /**
     * {@code out = softmax(q·kᵀ · scale, masked) · v} per set and head (see {@link AttentionShape}). Set b's query i
     * is row {@code b · queries + i} of {@code q} and {@code out}, its key j row {@code b · keys + j} of {@code k} and
     * {@code v}, each read or written in place at its offset and stride. Keys and values are float, or half with
     * {@code kvType} F16 (the KV cache); queries and outputs are float.
     */
    @Override
    public void attention(TaskGraph g, String name, StridedRows out, StridedRows q, StridedRows k, StridedRows v,
                   KvCacheType kvType, AttentionShape s) {
        s.checkViews(name, out, q, k, v, kvType);
        String entry = "flash_attention_" + (kvType == KvCacheType.F16 ? "f16" : "f32") + "_d" + headCapacity(name, s.headDim());
        int blockQueries = blockQueries(s.queries());
        int threads = blockQueries * THREADS_PER_QUERY;
        long blocks = (s.queries() + blockQueries - 1) / blockQueries;
        Launch launch = new Launch(new long[] {blocks * threads, s.heads(), s.sets()}, new long[] {threads, 1, 1});
        g.task(name, new KernelSource("flash_attention", entry), launch,
                s.cost(kvType),
                out.buffer(), out.offset(), out.stride(), q.buffer(), q.offset(), q.stride(),
                k.buffer(), k.offset(), k.stride(), v.buffer(), v.offset(), v.stride(),
                s.queries(), s.keys(), s.heads(), s.kvHeads(), s.headDim(), s.scale(), s.causal() ? 1 : 0, s.queryStart());
    }

    /** The smallest head capacity that holds {@code headDim}: 96 for EVA's 88, 64 for the Q-Formers, 128 for LLaMA. */
    static int headCapacity(String name, int headDim) {
        for (int capacity : HEAD_CAPACITIES) {
            if (headDim <= capacity) {
                return capacity;
            }
        }
        throw new IllegalArgumentException(name + ": head width " + headDim + " exceeds the flash attention kernel's " + MAX_HEAD_DIM);
    }

    /**
     * Queries per block: a multiple of 8 (whole warps), at most 32: the fewest that cover {@code queries} when they
     * are fewer (the Q-Formers' 8 and 32), else 32 (each key tile then serves 32 queries).
     */
    static int blockQueries(int queries) {
        int rounded = (queries + MIN_BLOCK_QUERIES - 1) / MIN_BLOCK_QUERIES * MIN_BLOCK_QUERIES;
        return Math.min(MAX_BLOCK_QUERIES, rounded);
    }
}
