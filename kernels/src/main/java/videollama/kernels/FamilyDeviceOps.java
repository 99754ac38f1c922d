package videollama.kernels;

import videollama.weights.DType;

/**
 * A backend's {@link DeviceOps} as its op families: each family's ops go to that family's class (on OpenCL
 * {@code OpenCLGemvOps}, {@code OpenCLNormOps}, ...; on CUDA {@code CudaGemvOps}, {@code CudaNormOps}, ...), so a
 * backend states only its own ops (RMSNorm, argmax), which family classes it uses, how it names a kernel for a
 * weight or cache type and how it grids RoPE over rows; the embedding and RoPE, whose arguments, checks and costs
 * are the same on both backends, are here. The GEMVs and GEMMs of {@link DType#Q8_0} weights go to the
 * {@link Q8_0Ops} family whatever op asks for them.
 */
public abstract class FamilyDeviceOps implements DeviceOps {
    /** A backend's family classes, one per family of {@link DeviceOps}. */
    public record Families(GemvOps gemv, DecodeAttentionOps decodeAttention, GemmOps gemm, NormOps norms,
                           AttentionOps attention, ConvOps conv, Q8_0Ops q8) {}

    private final Families families;

    protected FamilyDeviceOps(Families families) {
        this.families = families;
    }

    /** Work-items (threads) per group of the element-wise kernels. */
    protected abstract int elementGroup();

    /**
     * The kernel {@code entry} of {@code program} for weights of {@code dtype} (F32, F16 or BF16): on CUDA an entry
     * point per dtype ({@code embedding_f16}), on OpenCL a build option ({@code -DWEIGHT_F16}).
     */
    protected abstract KernelSource weightKernel(String program, String entry, DType dtype);

    /** The kernel {@code entry} of {@code program} for a cache of {@code type}, named as {@link #weightKernel} names it. */
    protected abstract KernelSource cacheKernel(String program, String entry, KvCacheType type);

    /**
     * The grid of {@code rope_cache_write_rows}: a work-item per pair of every one of {@code rows} rows, as the
     * backend's kernel indexes them.
     */
    protected abstract Launch ropeRowsLaunch(int pairs, int rows);

    @Override
    public final void embedding(TaskGraph g, DeviceBuffer out, DeviceTensor table, DeviceBuffer ids, int index) {
        int dim = table.cols();
        g.task("embedding", weightKernel("embedding", "embedding", table.dtype()), Launch.items(dim, elementGroup()),
                DecodeOpCosts.embedding(dim, table.dtype()), out, table.buffer(), ids, index, dim);
    }

    @Override
    public final void ropeAndCacheWrite(TaskGraph g, String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                                        DeviceBuffer keyCache, DeviceBuffer valueCache, KvCacheType cacheType,
                                        DeviceBuffer cosSin, int tablePositions, DeviceBuffer pos, int heads, int kvHeads, int headDim) {
        int pairs = (heads + kvHeads) * headDim / 2;
        g.task(name, cacheKernel("rope", "rope_cache_write", cacheType), Launch.items(pairs, elementGroup()),
                DecodeOpCosts.ropeAndCacheWrite(cacheType, heads, kvHeads, headDim),
                q, k, v, keyCache, valueCache, cosSin, tablePositions, pos, heads, kvHeads, headDim);
    }

    @Override
    public final void ropeAndCacheWriteRows(TaskGraph g, String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                                            DeviceBuffer keyCache, DeviceBuffer valueCache, KvCacheType cacheType, DeviceBuffer cosSin,
                                            int tablePositions, DeviceBuffer pos, int rows, int heads, int kvHeads, int headDim) {
        OpChecks.requireRopeRows(name, q, k, v, keyCache, valueCache, cacheType, tablePositions, rows, heads, kvHeads, headDim);
        g.task(name, cacheKernel("rope", "rope_cache_write_rows", cacheType), ropeRowsLaunch((heads + kvHeads) * headDim / 2, rows),
                DecodeOpCosts.ropeAndCacheWriteRows(cacheType, rows, heads, kvHeads, headDim),
                q, k, v, keyCache, valueCache, cosSin, tablePositions, pos, rows, heads, kvHeads, headDim);
    }

    /** The family that multiplies by {@code w}: Q8_0's for Q8_0 weights. */
    private GemvOps gemvFor(DeviceTensor w) {
        return w.dtype() == DType.Q8_0 ? families.q8() : families.gemv();
    }

    @Override
    public final void matVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor w, DeviceBuffer x, boolean accumulate) {
        gemvFor(w).matVec(g, name, out, w, x, accumulate);
    }

    @Override
    public final void qkvMatVec(TaskGraph g, String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                                DeviceTensor wq, DeviceTensor wk, DeviceTensor wv, DeviceBuffer x) {
        gemvFor(wq).qkvMatVec(g, name, q, k, v, wq, wk, wv, x);
    }

    @Override
    public final void swiGluMatVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor gate, DeviceTensor up, DeviceBuffer x) {
        gemvFor(gate).swiGluMatVec(g, name, out, gate, up, x);
    }

    @Override
    public final void decodeAttention(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer q, DeviceBuffer keyCache,
                                      DeviceBuffer valueCache, KvCacheType cacheType, DeviceBuffer pos,
                                      int heads, int kvHeads, int headDim, int capacity) {
        families.decodeAttention().decodeAttention(g, name, out, q, keyCache, valueCache, cacheType, pos, heads, kvHeads, headDim, capacity);
    }

    @Override
    public final void linear(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                             DeviceBuffer residual, int m, int n, int k) {
        (w.dtype() == DType.Q8_0 ? families.q8() : families.gemm()).linear(g, name, out, x, w, bias, residual, m, n, k);
    }

    /** One kernel whatever the weight: the float family's, or for Q8_0 weights the Q8_0 family's. */
    @Override
    public final void linearGelu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                                 int m, int n, int k) {
        (w.dtype() == DType.Q8_0 ? families.q8() : families.gemm()).linearGelu(g, name, out, x, w, bias, m, n, k);
    }

    @Override
    public final void layerNorm(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer weight, DeviceBuffer bias,
                                int rows, int dim, float eps) {
        families.norms().layerNorm(g, name, out, x, weight, bias, rows, dim, eps);
    }

    @Override
    public final void addLayerNorm(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer residual,
                                   DeviceBuffer weight, DeviceBuffer bias, int rows, int dim, float eps) {
        families.norms().addLayerNorm(g, name, out, x, residual, weight, bias, rows, dim, eps);
    }

    @Override
    public final void gelu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, int n) {
        families.norms().gelu(g, name, out, x, n);
    }

    @Override
    public final void biasGelu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer bias, int rows, int width) {
        families.norms().biasGelu(g, name, out, x, bias, rows, width);
    }

    @Override
    public final void softmax(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, int rows, int cols, float scale) {
        families.norms().softmax(g, name, out, x, rows, cols, scale);
    }

    @Override
    public final void l2Normalize(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, int rows, int dim, float eps, float scale) {
        families.norms().l2Normalize(g, name, out, x, rows, dim, eps, scale);
    }

    @Override
    public final void swiGlu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer gate, DeviceBuffer up, int n) {
        families.norms().swiGlu(g, name, out, gate, up, n);
    }

    @Override
    public final void add(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer a, DeviceBuffer b, int n) {
        families.norms().add(g, name, out, a, b, n);
    }

    @Override
    public final void addBias(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer bias, int rows, int width) {
        families.norms().addBias(g, name, out, x, bias, rows, width);
    }

    @Override
    public final void attention(TaskGraph g, String name, StridedRows out, StridedRows q, StridedRows k, StridedRows v,
                                KvCacheType kvType, AttentionShape shape) {
        families.attention().attention(g, name, out, q, k, v, kvType, shape);
    }

    @Override
    public final void patchEmbedding(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer images, DeviceTensor weight,
                                     DeviceBuffer bias, int batch, int height, int width, int stride) {
        families.conv().patchEmbedding(g, name, out, images, weight, bias, batch, height, width, stride);
    }

    @Override
    public final void prependClassToken(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer tokens, DeviceBuffer cls,
                                        DeviceBuffer positions, int batch, int patches, int dim) {
        families.conv().prependClassToken(g, name, out, tokens, cls, positions, batch, patches, dim);
    }

    @Override
    public final void addPositions(TaskGraph g, String name, DeviceBuffer x, DeviceBuffer positions, int batch, int tokens, int dim) {
        families.conv().addPositions(g, name, x, positions, batch, tokens, dim);
    }
}
