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
     * Attention of one query row at position {@code pos[0]} over cache rows {@code 0..pos[0]}:
     * {@code out_h = softmax(q_h·Kᵀ / sqrt(headDim)) · V} per head, grouped-query heads as in the reference.
     */
    void decodeAttention(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer q, DeviceBuffer keyCache,
                         DeviceBuffer valueCache, KvCacheType cacheType, DeviceBuffer pos,
                         int heads, int kvHeads, int headDim, int capacity);

    /** {@code out[0]} = the index of the largest of {@code x[0..n)}, the first on ties (as {@code torch.argmax}). */
    void argmax(TaskGraph g, DeviceBuffer out, DeviceBuffer x, int n);
}
