package videollama.kernels.opencl;

import videollama.kernels.Cost;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DecodeAttentionOps;
import videollama.kernels.KernelSource;
import videollama.kernels.KernelVariant;
import videollama.kernels.KvCacheType;
import videollama.kernels.Launch;
import videollama.kernels.LocalMemory;
import videollama.kernels.OpChecks;
import videollama.kernels.TaskGraph;
import videollama.kernels.Workspaces;

/**
 * Decode attention in OpenCL C ({@code decode_attention.cl}): flash-decoding in two tasks, {@code name} (a partial
 * softmax per slice of positions) and {@code name + " merge"} (the partials added); see the kernel file. The twin
 * is {@link videollama.kernels.reference.Attention#causal}. Variant 1 ({@link Variant#HEADS}), the kernel these
 * replaced, is one task and only runs when forced ({@link #of}), as the baseline benchmarks measure them against.
 *
 * <p>GPUs get a work-group per (slice, head) ({@link Variant#SLICES}); CPUs a work-item per slice for all heads
 * ({@link Variant#ROWS}: whole cache rows streamed, no barriers, float8 loads and exps), as {@link OpenCLGemvOps}
 * picks its wide GEMVs; {@code VIDEOLLAMA_OPENCL_WIDE=0} forces the GPU shape. The grid covers the whole capacity,
 * so a graph built once serves every position; slices past {@code pos[0]} return at once. The partials live in a
 * workspace shared by every attention task of the same size: safe, as all graphs of a backend run in order on its
 * one queue.
 */
public final class OpenCLDecodeAttentionOps implements DecodeAttentionOps {

    /** The kernels of decode_attention.cl, numbered from the baseline ({@link KernelVariant}). */
    public enum Variant implements KernelVariant {
        /**
         * 1, the baseline: a work-group per head in one kernel, every score in local memory
         * ({@code decode_attention_heads}); the context is bounded by the device's local memory.
         */
        HEADS,
        /** 2, GPUs: a work-group per (slice, head), an item per position ({@code decode_attention_slices}), then a merge. */
        SLICES,
        /** 3, CPUs: a work-item per slice for all heads, private accumulators ({@code decode_attention_rows}), then a merge. */
        ROWS
    }

    /**
     * Positions per slice on GPUs: two chunks of a 64-item group. At 4,096 positions LLaMA-7B's 32 heads make
     * 1,024 work-groups (several per compute unit) and the partials are about 1 % of the cache bytes.
     */
    static final int GPU_SLICE = 128;
    /**
     * Positions per slice on CPUs: a slice's partials (one head row per head) are under 1 % of the cache rows it
     * reads, and 128 cached positions already give two cores work. Slices of 32 to 256 measured the same on PoCL.
     */
    static final int CPU_SLICE = 64;
    /**
     * The CPU kernel keeps heads × headDim accumulators in private memory (on the stack of a PoCL thread): up to
     * 32 KiB, which LLaMA-7B (4,096) and 13B (5,120) take; wider models get the GPU shape.
     */
    static final int MAX_ROW_FLOATS = 8192;

    private final OpenCLBackend backend;
    private final Variant variant;
    /** Positions per slice; 0: the variant's default. */
    private final int slice;
    /** Work-group size of the GPU kernels: a power of two the device accepts, at most 64. */
    private final int group;
    private final Workspaces workspaces;

    OpenCLDecodeAttentionOps(OpenCLBackend backend) {
        this(backend, backend.cpuShaped() ? Variant.ROWS : Variant.SLICES, 0);
    }

    /** A forced variant and slice length (0: its default): tests run every variant on any device, with many slices. */
    OpenCLDecodeAttentionOps(OpenCLBackend backend, Variant variant, int slice) {
        if (slice < 0) {
            throw new IllegalArgumentException("slices of " + slice + " positions");
        }
        this.backend = backend;
        this.workspaces = new Workspaces(backend);
        this.variant = variant;
        this.slice = slice;
        this.group = backend.info().groupSize(64);
    }

    /**
     * Decode attention with {@code variant} on an OpenCL device whatever its kind, slices of {@code slice}
     * positions (0: the variant's default; HEADS has none): the way benchmarks and tests pick a kernel.
     */
    public static OpenCLDecodeAttentionOps of(DeviceBackend backend, Variant variant, int slice) {
        return new OpenCLDecodeAttentionOps(OpenCLBackend.of(backend, "decode attention " + variant), variant, slice);
    }

    /** The variant this device gets by default (before a too-wide model falls back to SLICES). */
    public Variant variant() {
        return variant;
    }

    /** See {@link videollama.kernels.DeviceOps#decodeAttention}. */
    @Override
    public void decodeAttention(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer q, DeviceBuffer keyCache,
                         DeviceBuffer valueCache, KvCacheType cacheType, DeviceBuffer pos,
                         int heads, int kvHeads, int headDim, int capacity) {
        OpChecks.requireGroupedHeads(name, heads, kvHeads);
        if (headDim < 1 || capacity < 1) {
            throw new IllegalArgumentException(name + ": heads of " + headDim + ", a cache of " + capacity + " positions");
        }
        long cacheBytes = (long) capacity * kvHeads * headDim * cacheType.bytes();
        OpChecks.requireBytes(name, "key cache", keyCache, cacheBytes);
        OpChecks.requireBytes(name, "value cache", valueCache, cacheBytes);
        OpChecks.requireBytes(name, "q", q, 4L * heads * headDim);
        OpChecks.requireBytes(name, "out", out, 4L * heads * headDim);
        // The cost is that of a full cache: the real one grows with the position.
        Cost cost = new Cost(2 * cacheBytes + 4L * heads * headDim, 4L * heads * capacity * headDim);
        if (variant == Variant.HEADS) {
            heads(g, name, out, q, keyCache, valueCache, cacheType, pos, heads, kvHeads, headDim, capacity, cost);
            return;
        }
        Variant kernel = variant == Variant.ROWS && (long) heads * headDim > MAX_ROW_FLOATS ? Variant.SLICES : variant;
        int positions = slice > 0 ? slice : kernel == Variant.ROWS ? CPU_SLICE : GPU_SLICE;
        int parts = (capacity + positions - 1) / positions;
        long partialFloats = (long) heads * parts * (2 + headDim);
        DeviceBuffer partials = workspaces.get("attention partials", partialFloats * 4);
        float scale = (float) (1.0 / Math.sqrt(headDim)); // as the reference computes it
        String options = "-DHEAD_DIM=" + headDim + (cacheType == KvCacheType.F16 ? " -DKV_F16" : "");
        Cost mergeCost = new Cost(partialFloats * 4 + 4L * heads * headDim, 3L * heads * parts * headDim);
        if (kernel == Variant.ROWS) {
            options += " -DHEADS=" + heads + " -DKV_HEADS=" + kvHeads;
            g.task(name, new KernelSource("decode_attention", "decode_attention_rows", options), Launch.groups(parts, 1), cost,
                    partials, q, keyCache, valueCache, pos, parts, positions, scale);
            g.task(name + " merge", new KernelSource("decode_attention", "decode_attention_merge_heads", options),
                    Launch.groups(heads, 1), mergeCost, out, partials, pos, parts, positions);
            return;
        }
        options += " -DGROUP=" + group;
        g.task(name, new KernelSource("decode_attention", "decode_attention_slices", options), Launch.groups2d(parts, group, heads),
                cost, partials, q, keyCache, valueCache, pos, heads, kvHeads, positions, scale);
        g.task(name + " merge", new KernelSource("decode_attention", "decode_attention_merge", options),
                Launch.groups2d((headDim + group - 1) / group, group, heads), mergeCost, out, partials, pos, parts, positions);
    }

    /** Variant 1: a work-group per head, a float of local memory per position of the context for the scores. */
    private void heads(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer q, DeviceBuffer keyCache, DeviceBuffer valueCache,
                       KvCacheType cacheType, DeviceBuffer pos, int heads, int kvHeads, int headDim, int capacity, Cost cost) {
        long scoreBytes = 4L * capacity;
        if (scoreBytes + group * 4L > backend.info().localMemoryBytes()) {
            throw new IllegalArgumentException(name + ": a context of " + capacity + " positions needs " + scoreBytes
                    + " bytes of local memory for the scores; " + backend.info().name() + " has " + backend.info().localMemoryBytes());
        }
        String options = "-DHEAD_DIM=" + headDim + (cacheType == KvCacheType.F16 ? " -DKV_F16" : "");
        g.task(name, new KernelSource("decode_attention", "decode_attention_heads", options), Launch.groups(heads, group), cost,
                out, q, keyCache, valueCache, pos, heads, kvHeads, headDim, new LocalMemory(scoreBytes), new LocalMemory(group * 4L));
    }
}
