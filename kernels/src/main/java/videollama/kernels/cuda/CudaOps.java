package videollama.kernels.cuda;

import java.util.HashMap;
import java.util.Map;
import videollama.kernels.AttentionShape;
import videollama.kernels.Cost;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceOps;
import videollama.kernels.DeviceTensor;
import videollama.kernels.KernelSource;
import videollama.kernels.KvCacheType;
import videollama.kernels.Launch;
import videollama.kernels.LocalMemory;
import videollama.kernels.StridedRows;
import videollama.kernels.TaskGraph;
import videollama.weights.DType;

/**
 * The op catalogue in CUDA C (the {@code .cu} files beside this class): which entry point and grid for each op.
 * Same parameters, semantics and {@link Cost}s as the OpenCL ops; the kernels are shaped for NVIDIA GPUs (a warp
 * per GEMV row with 128-bit weight loads and shuffle reductions, flash-decoding attention). Each weight dtype and
 * cache type is its own entry point ({@code matvec_f16}, {@code rope_cache_write_f32}, ...).
 */
final class CudaOps implements DeviceOps {
    /** Threads per block of the warp-per-row GEMVs: 8 rows a block. */
    static final int GEMV_THREADS = 256;
    /** Threads per block of the element-wise and row-per-block kernels. */
    static final int THREADS = 256;
    /** Positions one warp scans in the first attention kernel, and warps per block there. */
    static final int ATTENTION_SLICE = 16;
    static final int ATTENTION_WARPS = 4;
    /** Threads of the attention merge (one block per head). */
    static final int MERGE_THREADS = 128;
    /** Threads of the one argmax block (fewer if the device allows fewer). */
    static final int ARGMAX_THREADS = 1024;
    /** head_dim limit of the attention kernel: 32 lanes × MAX_PER_LANE (decode_attention.cu). */
    static final int MAX_HEAD_DIM = 256;

    private final DeviceBackend backend;
    /** Scratch for the attention partials, one per size (see {@link #decodeAttention}). */
    private final Map<Long, DeviceBuffer> attentionWorkspaces = new HashMap<>();

    CudaOps(DeviceBackend backend) {
        this.backend = backend;
    }

    private static String suffix(DType dtype) {
        return switch (dtype) {
            case F32 -> "f32";
            case F16 -> "f16";
            case BF16 -> "bf16";
            default -> throw new IllegalArgumentException("weights must be F32, F16 or BF16, not " + dtype);
        };
    }

    private static String suffix(KvCacheType type) {
        return type == KvCacheType.F16 ? "f16" : "f32";
    }

    private static long bytes(DeviceTensor w) {
        return (long) w.rows() * w.cols() * w.dtype().byteSize();
    }

    /** A warp per row: blocks of {@link #GEMV_THREADS} threads cover {@code rows} warps. */
    private static Launch warpPerRow(long rows) {
        long rowsPerBlock = GEMV_THREADS / 32;
        return Launch.groups((rows + rowsPerBlock - 1) / rowsPerBlock, GEMV_THREADS);
    }

    @Override
    public void embedding(TaskGraph g, DeviceBuffer out, DeviceTensor table, DeviceBuffer ids, int index) {
        int dim = table.cols();
        g.task("embedding", new KernelSource("embedding", "embedding_" + suffix(table.dtype())),
                Launch.items(dim, THREADS), new Cost((long) dim * (table.dtype().byteSize() + 4), 0),
                out, table.buffer(), ids, index, dim);
    }

    @Override
    public void rmsNorm(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer weight, int rows, int dim, float eps) {
        g.task(name, new KernelSource("rmsnorm", "rms_norm"), Launch.groups(rows, THREADS),
                new Cost((long) rows * dim * 8 + dim * 4L, 4L * rows * dim),
                out, x, weight, dim, eps);
    }

    /**
     * Split-K: a warp holds 32 threads and an SM up to 64 warps (2,048 threads on A100 and H100), and a warp per row
     * keeps only one row's loads in flight. With fewer rows than half of 64 warps per SM (4,096 rows on an H100's
     * 132 SMs are 31 per SM; a 768-row projection far fewer) most of the GPU would wait, so the rows' columns are
     * cut into enough ranges to make 64 warps per SM, each at least {@link #SPLIT_K_MIN_COLUMNS} wide, at most
     * {@link #SPLIT_K_MAX_SLICES}; a second small kernel adds the partials. Above that, the second launch and the
     * partials' round trip would cost more than the occupancy gains.
     */
    static final int SPLIT_K_WARPS_PER_SM = 64;
    /** A range is at least one unrolled round of 128-bit loads of 16-bit weights per lane: 32 × 4 × 8 columns. */
    static final int SPLIT_K_MIN_COLUMNS = 1024;
    static final int SPLIT_K_MAX_SLICES = 32;
    /** Column ranges start on multiples of this many columns: 16 bytes or more for every dtype, so 128-bit loads stay aligned. */
    static final int SPLIT_K_ALIGN = 8;

    /** Tests set this to force split-K with about this many ranges per row, whatever the shape; 0: the device's size decides. */
    int forcedSplitK;
    /** Scratch for the split-K partials, one per size (shared as the attention partials are, see {@link #decodeAttention}). */
    private final Map<Long, DeviceBuffer> splitKWorkspaces = new HashMap<>();

    @Override
    public void matVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor w, DeviceBuffer x, boolean accumulate) {
        int rows = w.rows();
        int cols = w.cols();
        String dtype = suffix(w.dtype());
        Cost cost = new Cost(bytes(w) + cols * 4L + rows * (accumulate ? 8L : 4L), 2L * rows * cols);
        int wanted = forcedSplitK > 0 ? forcedSplitK : splitKSlices(rows, cols, backend.info().computeUnits());
        if (wanted < 2) {
            g.task(name, new KernelSource("gemv", "matvec_" + dtype), warpPerRow(rows), cost,
                    out, w.buffer(), x, rows, cols, accumulate ? 1 : 0);
            return;
        }
        int sliceCols = (cols + wanted - 1) / wanted;
        sliceCols = (sliceCols + SPLIT_K_ALIGN - 1) / SPLIT_K_ALIGN * SPLIT_K_ALIGN;
        int slices = (cols + sliceCols - 1) / sliceCols; // no empty range
        long partialFloats = (long) rows * slices;
        DeviceBuffer partials = splitKWorkspace(partialFloats * 4);
        g.task(name, new KernelSource("gemv", "matvec_split_" + dtype), warpPerRow(partialFloats), cost,
                partials, w.buffer(), x, rows, cols, sliceCols, slices);
        g.task(name + " combine", new KernelSource("gemv", "matvec_combine"), Launch.items(rows, THREADS),
                new Cost(partialFloats * 4 + rows * (accumulate ? 8L : 4L), partialFloats),
                out, partials, rows, slices, accumulate ? 1 : 0);
    }

    /** Column ranges per row for split-K on a GPU of {@code sms} SMs; below 2, a warp per whole row. */
    static int splitKSlices(int rows, int cols, int sms) {
        long fill = (long) SPLIT_K_WARPS_PER_SM * sms;
        if (2L * rows > fill) {
            return 1;
        }
        long wanted = (fill + rows - 1) / rows;
        return (int) Math.min(Math.min(wanted, cols / SPLIT_K_MIN_COLUMNS), SPLIT_K_MAX_SLICES);
    }

    private synchronized DeviceBuffer splitKWorkspace(long bytes) {
        return splitKWorkspaces.computeIfAbsent(bytes, b -> backend.allocate("split-K partials", b));
    }

    @Override
    public void qkvMatVec(TaskGraph g, String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                          DeviceTensor wq, DeviceTensor wk, DeviceTensor wv, DeviceBuffer x) {
        if (wk.rows() != wv.rows() || wq.cols() != wk.cols() || wk.cols() != wv.cols()
                || wq.dtype() != wk.dtype() || wk.dtype() != wv.dtype()) {
            throw new IllegalArgumentException(name + ": q/k/v weights " + wq + ", " + wk + ", " + wv + " do not fit together");
        }
        int rows = wq.rows() + 2 * wk.rows();
        g.task(name, new KernelSource("gemv", "qkv_matvec_" + suffix(wq.dtype())), warpPerRow(rows),
                new Cost(bytes(wq) + 2 * bytes(wk) + wq.cols() * 4L + rows * 4L, 2L * rows * wq.cols()),
                q, k, v, wq.buffer(), wk.buffer(), wv.buffer(), x, wq.rows(), wk.rows(), wq.cols());
    }

    @Override
    public void swiGluMatVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor gate, DeviceTensor up, DeviceBuffer x) {
        if (gate.rows() != up.rows() || gate.cols() != up.cols() || gate.dtype() != up.dtype()) {
            throw new IllegalArgumentException(name + ": gate " + gate + " and up " + up + " differ");
        }
        g.task(name, new KernelSource("gemv", "swiglu_matvec_" + suffix(gate.dtype())), warpPerRow(gate.rows()),
                new Cost(2 * bytes(gate) + gate.cols() * 4L + gate.rows() * 4L, 4L * gate.rows() * gate.cols()),
                out, gate.buffer(), up.buffer(), x, gate.rows(), gate.cols());
    }

    @Override
    public void ropeAndCacheWrite(TaskGraph g, String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                                  DeviceBuffer keyCache, DeviceBuffer valueCache, KvCacheType cacheType,
                                  DeviceBuffer cosSin, int tablePositions, DeviceBuffer pos, int heads, int kvHeads, int headDim) {
        int pairs = (heads + kvHeads) * headDim / 2;
        g.task(name, new KernelSource("rope", "rope_cache_write_" + suffix(cacheType)), Launch.items(pairs, THREADS),
                new Cost((long) (heads + 2 * kvHeads) * headDim * 8 + (long) kvHeads * headDim * 2 * cacheType.bytes(), 6L * pairs),
                q, k, v, keyCache, valueCache, cosSin, tablePositions, pos, heads, kvHeads, headDim);
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
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException(name + ": " + heads + " query heads do not divide into " + kvHeads + " key/value heads");
        }
        if (headDim > MAX_HEAD_DIM) {
            throw new IllegalArgumentException(name + ": head width " + headDim + " exceeds the attention kernel's " + MAX_HEAD_DIM);
        }
        int slices = (capacity + ATTENTION_SLICE - 1) / ATTENTION_SLICE;
        int blocksPerHead = (slices + ATTENTION_WARPS - 1) / ATTENTION_WARPS;
        int parts = blocksPerHead * ATTENTION_WARPS;
        long partialFloats = (long) heads * parts * (2 + headDim);
        // The merge keeps one weight a partial in shared memory: CudaGraph checks parts * 4 bytes beside the kernel's
        // static arrays against the device's limits when the graph is built.
        DeviceBuffer partials = workspace(partialFloats * 4);
        float scale = (float) (1.0 / Math.sqrt(headDim)); // as the reference computes it
        // The OpenCL op's cost, that of a full cache (the real one grows with the position); the merge adds its own.
        g.task(name, new KernelSource("decode_attention", "decode_attention_partial_" + suffix(cacheType)),
                Launch.groups2d(heads, ATTENTION_WARPS * 32, blocksPerHead),
                new Cost(2L * capacity * kvHeads * headDim * cacheType.bytes(), 4L * heads * capacity * headDim),
                partials, q, keyCache, valueCache, pos, heads, kvHeads, headDim, ATTENTION_SLICE, scale);
        g.task(name + " merge", new KernelSource("decode_attention", "decode_attention_merge"), Launch.groups(heads, MERGE_THREADS),
                new Cost(partialFloats * 4 + heads * headDim * 4L, 2L * heads * parts * headDim),
                out, partials, pos, headDim, parts, ATTENTION_SLICE, new LocalMemory(parts * 4L));
    }

    private synchronized DeviceBuffer workspace(long bytes) {
        return attentionWorkspaces.computeIfAbsent(bytes, b -> backend.allocate("attention partials", b));
    }

    @Override
    public void argmax(TaskGraph g, DeviceBuffer out, DeviceBuffer x, int n) {
        int threads = (int) Math.min(ARGMAX_THREADS, backend.info().maxWorkGroupSize()) / 32 * 32;
        g.task("argmax", new KernelSource("argmax", "argmax"), Launch.groups(1, threads), new Cost(4L * n, n),
                out, x, n);
    }

    // ---- encoder ops and batched prefill: the families in CudaNormOps, CudaAttentionOps and CudaConvOps -------------

    private final CudaNormOps norms = new CudaNormOps();
    private final CudaAttentionOps attention = new CudaAttentionOps();
    private final CudaConvOps conv = new CudaConvOps();

    @Override
    public void ropeAndCacheWriteRows(TaskGraph g, String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                                      DeviceBuffer keyCache, DeviceBuffer valueCache, KvCacheType cacheType, DeviceBuffer cosSin,
                                      int tablePositions, DeviceBuffer pos, int rows, int heads, int kvHeads, int headDim) {
        if (rows < 1 || headDim % 2 != 0) {
            throw new IllegalArgumentException(name + ": " + rows + " rows of heads of " + headDim + " (rows >= 1, even heads)");
        }
        long qFloats = (long) rows * heads * headDim;
        long kvFloats = (long) rows * kvHeads * headDim;
        CudaNormOps.requireBytes(name, "q", q, 4 * qFloats);
        CudaNormOps.requireBytes(name, "k", k, 4 * kvFloats);
        CudaNormOps.requireBytes(name, "v", v, 4 * kvFloats);
        CudaNormOps.requireBytes(name, "key cache", keyCache, (long) tablePositions * kvHeads * headDim * cacheType.bytes());
        CudaNormOps.requireBytes(name, "value cache", valueCache, (long) tablePositions * kvHeads * headDim * cacheType.bytes());
        int pairs = (heads + kvHeads) * headDim / 2;
        // One thread per pair of every row, in a 1-D grid (rope.cu).
        g.task(name, new KernelSource("rope", "rope_cache_write_rows_" + suffix(cacheType)), Launch.items((long) rows * pairs, THREADS),
                new Cost(8 * qFloats + 12 * kvFloats + 2 * kvFloats * cacheType.bytes(), 6L * pairs * rows),
                q, k, v, keyCache, valueCache, cosSin, tablePositions, pos, rows, heads, kvHeads, headDim);
    }

    @Override
    public void swiGlu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer gate, DeviceBuffer up, int n) {
        norms.swiGlu(g, name, out, gate, up, n);
    }

    @Override
    public void linear(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                       DeviceBuffer residual, int m, int n, int k) {
        // gemm.cu: fp32 SIMT for F32 weights, tensor cores for F16 / BF16; the tile is chosen from the shape
        new CudaGemmOps(backend.info()).linear(g, name, out, x, w, bias, residual, m, n, k);
    }

    @Override
    public void layerNorm(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer weight, DeviceBuffer bias,
                          int rows, int dim, float eps) {
        norms.layerNorm(g, name, out, x, weight, bias, rows, dim, eps);
    }

    @Override
    public void addLayerNorm(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer residual, DeviceBuffer weight,
                             DeviceBuffer bias, int rows, int dim, float eps) {
        norms.addLayerNorm(g, name, out, x, residual, weight, bias, rows, dim, eps);
    }

    @Override
    public void gelu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, int n) {
        norms.gelu(g, name, out, x, n);
    }

    @Override
    public void biasGelu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer bias, int rows, int width) {
        norms.biasGelu(g, name, out, x, bias, rows, width);
    }

    @Override
    public void softmax(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, int rows, int cols, float scale) {
        norms.softmax(g, name, out, x, rows, cols, scale);
    }

    @Override
    public void l2Normalize(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, int rows, int dim, float eps, float scale) {
        norms.l2Normalize(g, name, out, x, rows, dim, eps, scale);
    }

    @Override
    public void add(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer a, DeviceBuffer b, int n) {
        norms.add(g, name, out, a, b, n);
    }

    @Override
    public void addBias(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer bias, int rows, int width) {
        norms.addBias(g, name, out, x, bias, rows, width);
    }

    @Override
    public void attention(TaskGraph g, String name, StridedRows out, StridedRows q, StridedRows k, StridedRows v,
                          KvCacheType kvType, AttentionShape shape) {
        attention.attention(g, name, out, q, k, v, kvType, shape);
    }

    @Override
    public void patchEmbedding(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer images, DeviceTensor weight,
                               DeviceBuffer bias, int batch, int height, int width, int stride) {
        conv.patchEmbedding(g, name, out, images, weight, bias, batch, height, width, stride);
    }

    @Override
    public void prependClassToken(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer tokens, DeviceBuffer cls,
                                  DeviceBuffer positions, int batch, int patches, int dim) {
        conv.prependClassToken(g, name, out, tokens, cls, positions, batch, patches, dim);
    }

    @Override
    public void addPositions(TaskGraph g, String name, DeviceBuffer x, DeviceBuffer positions, int batch, int tokens, int dim) {
        conv.addPositions(g, name, x, positions, batch, tokens, dim);
    }
}
