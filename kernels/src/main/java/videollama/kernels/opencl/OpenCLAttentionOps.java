package videollama.kernels.opencl;

import videollama.kernels.AttentionOps;
import videollama.kernels.AttentionShape;
import videollama.kernels.Cost;
import videollama.kernels.DeviceBackend;
import videollama.kernels.KernelSource;
import videollama.kernels.KernelVariant;
import videollama.kernels.KvCacheType;
import videollama.kernels.Launch;
import videollama.kernels.StridedRows;
import videollama.kernels.TaskGraph;

/**
 * Multi-row attention in OpenCL C ({@code flash_attention.cl}): causal prefill over the KV cache, the
 * bidirectional self-attention of the ViT, ImageBind and the Q-Formers, and the Q-Formers' cross-attention
 * batched over frames, all one op (cross-attention is {@code sets} independent non-causal sets). The twin is
 * {@link videollama.kernels.reference.MultiHeadAttention}.
 *
 * <p>GPUs get the flash kernel (a work-group per block of queries, head and set; keys streamed through local
 * memory); CPUs get the blocked kernel (a work-item per block of queries, head and set, register blocks as the
 * CPU GEMM's; no barriers, which PoCL handles slowly), or for heads narrower than one float8 the row kernel it
 * replaced (a work-item per query), as {@link OpenCLGemvOps} picks its wide GEMVs; {@code VIDEOLLAMA_OPENCL_WIDE=0}
 * forces the flash kernel.
 */
public final class OpenCLAttentionOps implements AttentionOps {
    /** Local memory the flash kernel may use per work-group: well within the 48 KiB of GPUs. */
    static final long LOCAL_MEMORY_BUDGET = 32 * 1024;
    /** The query block of the flash kernel at most, and how many work-items share one query's head dimensions. */
    private static final int MAX_BLOCK_Q = 16;
    private static final int SPLIT = 4;
    /** Queries per work-group of the row kernel. */
    private static final int ROW_GROUP = 8;
    /**
     * The blocked kernel's register blocks: 4 queries × 3 keys of scores (12 float8 accumulators, 7 loads per 12
     * multiply-adds) and 4 queries × 3 float8s of the head in p·v, as the CPU GEMM's 3 × 4
     * ({@link OpenCLGemmOps#CPU_BLOCK}); work-groups of 4 such items.
     */
    private static final String BLOCKED_OPTIONS = " -DQUERY_BLOCK=4 -DKEY_BLOCK=3 -DVALUE_BLOCK=3";
    private static final int QUERY_BLOCK = 4;
    private static final int BLOCKED_GROUP = 4;

    /** The kernels of flash_attention.cl, numbered from the baseline ({@link KernelVariant}). */
    public enum Variant implements KernelVariant {
        /** 1, GPUs: a work-group per block of queries, head and set, keys streamed through local memory ({@code flash_attention}). */
        FLASH,
        /**
         * 2, CPUs before {@link #BLOCKED}: a work-item per query, head and set, no barriers ({@code attention_rows});
         * the CPUs' kernel for heads narrower than 8.
         */
        ROWS,
        /**
         * 3, CPUs: a work-item per block of 4 queries, head and set; scores and p·v in register blocks, float8 along
         * the head ({@code attention_blocked}).
         */
        BLOCKED
    }

    private final OpenCLBackend backend;
    /** Null: the device's choice ({@link #cpuVariant} on CPUs, else FLASH); otherwise every call uses this kernel. */
    private final Variant forced;

    /** Attention with {@code variant} forced on an OpenCL device whatever its kind (benchmarks, tests). */
    public static OpenCLAttentionOps of(DeviceBackend backend, Variant variant) {
        return new OpenCLAttentionOps(OpenCLBackend.of(backend, "attention " + variant), variant);
    }

    OpenCLAttentionOps(OpenCLBackend backend) {
        this(backend, backend.cpuShaped() ? null : Variant.FLASH);
    }

    /** With {@code forced} that kernel for every call, else (null) the CPU's choice by head width (tests run each on any device). */
    OpenCLAttentionOps(OpenCLBackend backend, Variant forced) {
        this.backend = backend;
        this.forced = forced;
    }

    /**
     * The CPUs' kernel: the blocked one, except for heads narrower than a float8, where its register blocks would
     * hold nothing but the one-by-one rest.
     */
    static Variant cpuVariant(int headDim) {
        return headDim >= 8 ? Variant.BLOCKED : Variant.ROWS;
    }

    /**
     * {@code out = softmax(q·kᵀ · scale, masked) · v} per set and head (see {@link AttentionShape}). Set b's query
     * i is row {@code b · queries + i} of {@code q} and {@code out}, its key j row {@code b · keys + j} of {@code k}
     * and {@code v}; rows are read and written in place at their offsets and strides, so q, k and v may be
     * slices of one fused projection. Keys and values are float, or half with {@code kvType} F16 (the KV cache);
     * queries and outputs are float.
     */
    @Override
    public void attention(TaskGraph g, String name, StridedRows out, StridedRows q, StridedRows k, StridedRows v,
                   KvCacheType kvType, AttentionShape s) {
        s.checkViews(name, out, q, k, v, kvType);
        String options = "-DHEAD_DIM=" + s.headDim() + (kvType == KvCacheType.F16 ? " -DKV_F16" : "");
        Cost cost = s.cost(kvType);
        Object[] args = {out.buffer(), out.offset(), out.stride(), q.buffer(), q.offset(), q.stride(),
                k.buffer(), k.offset(), k.stride(), v.buffer(), v.offset(), v.stride(),
                s.queries(), s.keys(), s.heads(), s.kvHeads(), s.scale(), s.causal() ? 1 : 0, s.queryStart()};
        Variant variant = forced != null ? forced : cpuVariant(s.headDim());
        if (variant == Variant.ROWS) {
            long items = (s.queries() + ROW_GROUP - 1) / ROW_GROUP * ROW_GROUP;
            Launch launch = new Launch(new long[] {items, s.heads(), s.sets()}, new long[] {ROW_GROUP, 1, 1});
            g.task(name, new KernelSource("flash_attention", "attention_rows", options), launch, cost, args);
            return;
        }
        if (variant == Variant.BLOCKED) {
            long blocks = (s.queries() + QUERY_BLOCK - 1) / QUERY_BLOCK;
            long items = (blocks + BLOCKED_GROUP - 1) / BLOCKED_GROUP * BLOCKED_GROUP;
            Launch launch = new Launch(new long[] {items, s.heads(), s.sets()}, new long[] {BLOCKED_GROUP, 1, 1});
            g.task(name, new KernelSource("flash_attention", "attention_blocked", options + BLOCKED_OPTIONS), launch, cost, args);
            return;
        }
        int blockQ = blockQueries(s.queries());
        int blockK = blockKeys(blockQ, s.headDim());
        long group = (long) blockQ * SPLIT;
        if (group > backend.info().maxWorkGroupSize()) {
            throw new IllegalArgumentException(name + ": work-groups of " + group + " items; " + backend.info().name()
                    + " allows " + backend.info().maxWorkGroupSize());
        }
        long blocks = (s.queries() + blockQ - 1) / blockQ;
        Launch launch = new Launch(new long[] {blocks * group, s.heads(), s.sets()}, new long[] {group, 1, 1});
        g.task(name, new KernelSource("flash_attention", "flash_attention",
                options + " -DBLOCK_Q=" + blockQ + " -DSPLIT=" + SPLIT + " -DBLOCK_K=" + blockK), launch, cost, args);
    }

    /** The query block: {@value #MAX_BLOCK_Q}, or fewer (a power of two) when there are fewer queries. */
    static int blockQueries(int queries) {
        return Math.min(MAX_BLOCK_Q, Integer.highestOneBit(Math.max(1, 2 * queries - 1)));
    }

    /**
     * The key tile: the largest of 32, 16, 8, ... whose key and value tiles and partial scores fit in the local
     * memory budget (and in the device's); 32 for head widths up to 88 and 16 for 128 with 16-query blocks.
     */
    int blockKeys(int blockQ, int headDim) {
        long budget = Math.min(LOCAL_MEMORY_BUDGET, backend.info().localMemoryBytes());
        for (int blockK = 32; blockK >= 1; blockK /= 2) {
            if (localMemoryBytes(blockQ, blockK, headDim) <= budget) {
                return blockK;
            }
        }
        throw new IllegalArgumentException("heads of " + headDim + " do not fit the flash kernel's local memory (" + budget + " bytes)");
    }

    /** The flash kernel's local memory: a key tile, a value tile and one partial score per item and key. */
    static long localMemoryBytes(int blockQ, int blockK, int headDim) {
        return 4L * (2L * blockK * headDim + (long) blockK * blockQ * SPLIT);
    }
}
