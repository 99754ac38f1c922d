package videollama.kernels;

/** Batched linear layers ({@code gemm.cl}, {@code gemm.cu}). One of the {@link DeviceOps} families; docs/ops.md lists each op. */
public interface GemmOps {
    /** {@code out[M,N] = x[M,K]·Wᵀ (+ bias[N]) (+ residual[M,N])}: a batched linear layer; residual may be out. */
    void linear(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                DeviceBuffer residual, int m, int n, int k);
}
