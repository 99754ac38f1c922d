package videollama.kernels;

/**
 * The op catalogue: each method appends one task (one kernel launch, its grid chosen for this device) to a
 * graph. Every op has a reference twin in {@code videollama.kernels.reference} and a test that compares the
 * two on random inputs. Vectors are float32 device buffers; weights are {@link DeviceTensor}s in their stored
 * dtype (F32, F16, BF16); accumulation is always float32.
 */
public interface DeviceOps {

    /** {@code out[0..dim) = table[ids[index]]}, widened to float32 (the token id stays on the device). */
    void embedding(TaskGraph g, DeviceBuffer out, DeviceTensor table, DeviceBuffer ids, int index);

    /** RMSNorm of {@code rows} rows of width {@code dim}: {@code out = x / sqrt(mean(x²) + eps) · weight}. */
    void rmsNorm(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer weight, int rows, int dim, float eps);

    /** {@code out = W·x}, or {@code out += W·x} with {@code accumulate} (a residual add fused into the epilogue). */
    void matVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor w, DeviceBuffer x, boolean accumulate);

    /** The query, key and value projections of one input in one launch: {@code q = Wq·x, k = Wk·x, v = Wv·x}. */
    void qkvMatVec(TaskGraph g, String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                   DeviceTensor wq, DeviceTensor wk, DeviceTensor wv, DeviceBuffer x);

    /** LLaMA's gated MLP middle in one pass over both matrices: {@code out = silu(gate·x) · (up·x)}. */
    void swiGluMatVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor gate, DeviceTensor up, DeviceBuffer x);

    /**
     * Rotates {@code q} ({@code heads} heads) and {@code k} ({@code kvHeads} heads) in place, rotate-half layout,
     * at position {@code pos[0]} using the table {@code cosSin} ([positions, headDim/2] cos then the same of sin),
     * and writes the rotated key and the value into row {@code pos[0]} of the caches.
     */
    void ropeAndCacheWrite(TaskGraph g, String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                           DeviceBuffer keyCache, DeviceBuffer valueCache, KvCacheType cacheType,
                           DeviceBuffer cosSin, int tablePositions, DeviceBuffer pos, int heads, int kvHeads, int headDim);

    /**
     * {@link #ropeAndCacheWrite} of {@code rows} rows at positions {@code pos[0] .. pos[0] + rows - 1} (a prefill
     * chunk): {@code q} [rows, heads·headDim] and {@code k} [rows, kvHeads·headDim] rotated in place, the rotated
     * keys and the values [rows, kvHeads·headDim] written into those rows of the caches.
     */
    void ropeAndCacheWriteRows(TaskGraph g, String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                               DeviceBuffer keyCache, DeviceBuffer valueCache, KvCacheType cacheType, DeviceBuffer cosSin,
                               int tablePositions, DeviceBuffer pos, int rows, int heads, int kvHeads, int headDim);

    /**
     * Attention of one query row at position {@code pos[0]} over cache rows {@code 0..pos[0]}:
     * {@code out_h = softmax(q_h·Kᵀ / sqrt(headDim)) · V} per head, grouped-query heads as in the reference.
     */
    void decodeAttention(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer q, DeviceBuffer keyCache,
                         DeviceBuffer valueCache, KvCacheType cacheType, DeviceBuffer pos,
                         int heads, int kvHeads, int headDim, int capacity);

    /** {@code out[0]} = the index of the largest of {@code x[0..n)}, the first on ties (as {@code torch.argmax}). */
    void argmax(TaskGraph g, DeviceBuffer out, DeviceBuffer x, int n);

    // ---- the encoders: EVA ViT, Q-Formers, ImageBind audio, and batched prefill ---------------------------------

    /** {@code out[M,N] = x[M,K]·Wᵀ (+ bias[N]) (+ residual[M,N])}: a batched linear layer; residual may be out. */
    void linear(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                DeviceBuffer residual, int m, int n, int k);

    /** LayerNorm of rows of width {@code dim}, statistics in float32: {@code (x − mean)/sqrt(var + eps)·w + b}. */
    void layerNorm(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer weight, DeviceBuffer bias,
                   int rows, int dim, float eps);

    /** The post-LN residual form of BERT and the Q-Formers: {@code out = LayerNorm(x + residual)}. */
    void addLayerNorm(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer residual, DeviceBuffer weight,
                      DeviceBuffer bias, int rows, int dim, float eps);

    /** Exact (erf) GELU of {@code n} elements. */
    void gelu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, int n);

    /** {@code out = gelu(x + bias)} over rows: an MLP's first layer's bias and activation in one pass. */
    void biasGelu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer bias, int rows, int width);

    /** Softmax of each row of {@code scale · x}. */
    void softmax(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, int rows, int cols, float scale);

    /** {@code out = x / max(‖x‖₂, eps) · scale} per row (ImageBind's head: scale 20). */
    void l2Normalize(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, int rows, int dim, float eps, float scale);

    /**
     * LLaMA's gated MLP middle after separate gate and up projections (batched prefill): {@code out[i] =
     * silu(gate[i]) · up[i]} over {@code n} elements; {@code out} may be {@code gate} or {@code up}.
     */
    void swiGlu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer gate, DeviceBuffer up, int n);

    /** {@code out = a + b} over {@code n} elements. */
    void add(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer a, DeviceBuffer b, int n);

    /** {@code out = x + bias} with the bias broadcast over rows. */
    void addBias(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer bias, int rows, int width);

    /**
     * Multi-row attention over strided row views: flash attention for prefill (causal) and the encoders'
     * self-attention, and the Q-Formers' cross-attention (several independent sets) — see {@link AttentionShape}.
     */
    void attention(TaskGraph g, String name, StridedRows out, StridedRows q, StridedRows k, StridedRows v,
                   KvCacheType kvType, AttentionShape shape);

    /**
     * The patch-embedding convolution as tokens: {@code out [batch, outH·outW, cout]} = Conv2d(images
     * [batch, cin, height, width], weight [cout, cin, k, k], stride, no padding) + bias (null: none).
     */
    void patchEmbedding(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer images, DeviceTensor weight,
                        DeviceBuffer bias, int batch, int height, int width, int stride);

    /** {@code out [batch, patches+1, dim]}: the class token, then the tokens, plus positions (null: none). */
    void prependClassToken(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer tokens, DeviceBuffer cls,
                           DeviceBuffer positions, int batch, int patches, int dim);

    /** {@code x [batch, tokens, dim] += positions [tokens, dim]}, in place. */
    void addPositions(TaskGraph g, String name, DeviceBuffer x, DeviceBuffer positions, int batch, int tokens, int dim);
}
