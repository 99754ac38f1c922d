package videollama.kernels;

/** The row-wise and element-wise ops of the encoders and batched prefill ({@code norms.cl}/{@code .cu}, {@code activations.cl}/{@code .cu}). One of the {@link DeviceOps} families; docs/ops.md lists each op. */
public interface NormOps {
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
}
