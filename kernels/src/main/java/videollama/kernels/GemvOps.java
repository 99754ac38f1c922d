package videollama.kernels;

/** The GEMVs of decoding, a weight matrix times one vector ({@code gemv.cl}, {@code gemv.cu}). One of the {@link DeviceOps} families; docs/ops.md lists each op. */
public interface GemvOps {
    /** {@code out = W·x}, or {@code out += W·x} with {@code accumulate} (a residual add fused into the epilogue). */
    void matVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor w, DeviceBuffer x, boolean accumulate);

    /** The query, key and value projections of one input in one launch: {@code q = Wq·x, k = Wk·x, v = Wv·x}. */
    void qkvMatVec(TaskGraph g, String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                   DeviceTensor wq, DeviceTensor wk, DeviceTensor wv, DeviceBuffer x);

    /** LLaMA's gated MLP middle in one pass over both matrices: {@code out = silu(gate·x) · (up·x)}. */
    void swiGluMatVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor gate, DeviceTensor up, DeviceBuffer x);
}
