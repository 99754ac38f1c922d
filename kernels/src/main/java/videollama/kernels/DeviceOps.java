package videollama.kernels;

/**
 * The op catalogue: each method appends one task (one kernel launch, its grid chosen for this device) to a
 * graph. The ops come in families, one interface each ({@link GemvOps}, {@link NormOps}, ...), that both backends implement as a class of the
 * same name ({@code OpenCLGemvOps} / {@code CudaGemvOps}, ...; see {@link FamilyDeviceOps}); docs/ops.md lists
 * every op with its formula, reference, kernels, test and benchmark. Every op has a reference twin in {@code videollama.kernels.reference} and a test that compares the
 * two on random inputs. Vectors are float32 device buffers; weights are {@link DeviceTensor}s in their stored
 * dtype (F32, F16, BF16); accumulation is always float32.
 */
public interface DeviceOps extends GemvOps, DecodeAttentionOps, GemmOps, NormOps, AttentionOps, ConvOps {

    /** {@code out[0..dim) = table[ids[index]]}, widened to float32 (the token id stays on the device). */
    void embedding(TaskGraph g, DeviceBuffer out, DeviceTensor table, DeviceBuffer ids, int index);

    /** RMSNorm of {@code rows} rows of width {@code dim}: {@code out = x / sqrt(mean(x²) + eps) · weight}. */
    void rmsNorm(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer weight, int rows, int dim, float eps);

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

    /** {@code out[0]} = the index of the largest of {@code x[0..n)}, the first on ties (as {@code torch.argmax}). */
    void argmax(TaskGraph g, DeviceBuffer out, DeviceBuffer x, int n);

}
