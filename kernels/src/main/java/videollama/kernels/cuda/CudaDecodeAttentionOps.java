package videollama.kernels.cuda;

import videollama.kernels.Cost;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DecodeAttentionOps;
import videollama.kernels.KernelSource;
import videollama.kernels.KvCacheType;
import videollama.kernels.Launch;
import videollama.kernels.LocalMemory;
import videollama.kernels.OpChecks;
import videollama.kernels.TaskGraph;
import videollama.kernels.Workspaces;

/**
 * Decode attention in CUDA C ({@code decode_attention.cu}): flash-decoding, a warp per slice of positions then a
 * block per head merging the slices. The OpenCL twin is {@code OpenCLDecodeAttentionOps}; the reference
 * {@link videollama.kernels.reference.Attention#causal}.
 */
final class CudaDecodeAttentionOps implements DecodeAttentionOps {
    /** Positions one warp scans in the first attention kernel, and warps per block there. */
    static final int ATTENTION_SLICE = 16;
    static final int ATTENTION_WARPS = 4;
    /** Threads of the attention merge (one block per head). */
    static final int MERGE_THREADS = 128;
    /** head_dim limit of the attention kernel: 32 lanes × MAX_PER_LANE (decode_attention.cu). */
    static final int MAX_HEAD_DIM = 256;

    /** Scratch for the attention partials, one per size (see {@link #decodeAttention}). */
    private final Workspaces workspaces;

    CudaDecodeAttentionOps(DeviceBackend backend) {
        this.workspaces = new Workspaces(backend);
    }

    /**
     * Flash-decoding in two tasks: {@code name} (each warp scans {@link #ATTENTION_SLICE} positions with an online
     * softmax and writes a partial max, sum and accumulator) and {@code name + " merge"} (one block per head adds
     * the partials). The grid covers the whole {@code capacity}; slices past {@code pos[0]} return at once. The
     * partials live in a workspace shared by every attention task of the same shape: safe, as all graphs of a
     * backend replay in order on its one stream.
     */
    @Override
    public void decodeAttention(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer q, DeviceBuffer keyCache,
                                DeviceBuffer valueCache, KvCacheType cacheType, DeviceBuffer pos,
                                int heads, int kvHeads, int headDim, int capacity) {
        OpChecks.requireGroupedHeads(name, heads, kvHeads);
        if (headDim > MAX_HEAD_DIM) {
            throw new IllegalArgumentException(name + ": head width " + headDim + " exceeds the attention kernel's " + MAX_HEAD_DIM);
        }
        int slices = (capacity + ATTENTION_SLICE - 1) / ATTENTION_SLICE;
        int blocksPerHead = (slices + ATTENTION_WARPS - 1) / ATTENTION_WARPS;
        int parts = blocksPerHead * ATTENTION_WARPS;
        long partialFloats = (long) heads * parts * (2 + headDim);
        // The merge keeps one weight a partial in shared memory: CudaGraph checks parts * 4 bytes beside the kernel's
        // static arrays against the device's limits when the graph is built.
        DeviceBuffer partials = workspaces.get("attention partials", partialFloats * 4);
        float scale = (float) (1.0 / Math.sqrt(headDim)); // as the reference computes it
        // The OpenCL op's cost, that of a full cache (the real one grows with the position); the merge adds its own.
        g.task(name, new KernelSource("decode_attention", "decode_attention_slices_" + CudaOps.suffix(cacheType)),
                Launch.groups2d(heads, ATTENTION_WARPS * 32, blocksPerHead),
                new Cost(2L * capacity * kvHeads * headDim * cacheType.bytes(), 4L * heads * capacity * headDim),
                partials, q, keyCache, valueCache, pos, heads, kvHeads, headDim, ATTENTION_SLICE, scale);
        g.task(name + " merge", new KernelSource("decode_attention", "decode_attention_merge"), Launch.groups(heads, MERGE_THREADS),
                new Cost(partialFloats * 4 + heads * headDim * 4L, 2L * heads * parts * headDim),
                out, partials, pos, headDim, parts, ATTENTION_SLICE, new LocalMemory(parts * 4L));
    }
}
