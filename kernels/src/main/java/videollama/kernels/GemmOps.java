package videollama.kernels;

/** Batched linear layers ({@code gemm.cl}, {@code gemm.cu}). One of the {@link DeviceOps} families; docs/ops.md lists each op. */
public interface GemmOps {
    /** {@code out[M,N] = x[M,K]·Wᵀ (+ bias[N]) (+ residual[M,N])}: a batched linear layer; residual may be out. */
    void linear(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                DeviceBuffer residual, int m, int n, int k);

    /**
     * {@code out[M,N] = gelu(x[M,K]·Wᵀ + bias[N])}, the exact GELU: an MLP's first layer and its activation in one
     * kernel, the numbers of {@link #linear} without bias followed by {@link NormOps#biasGelu} (bit for bit, or within
     * a few ulps where a kernel evaluates the GELU at another vector width than biasGelu; docs/ops.md).
     */
    void linearGelu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                    int m, int n, int k);
}
