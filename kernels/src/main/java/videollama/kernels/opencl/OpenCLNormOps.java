package videollama.kernels.opencl;

import videollama.kernels.Cost;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.NormOps;
import videollama.kernels.DeviceInfo;
import videollama.kernels.KernelSource;
import videollama.kernels.Launch;
import videollama.kernels.LocalMemory;
import videollama.kernels.OpChecks;
import videollama.kernels.TaskGraph;

/**
 * The row-wise and element-wise ops of the vision and audio encoders and the Q-Formers, in OpenCL C
 * ({@code norms.cl} for the row ops, {@code activations.cl} for the element-wise ones, as on CUDA): LayerNorm
 * (optionally of {@code x + residual}), the exact GELU (optionally after a bias
 * add), softmax over rows, L2 normalisation of rows, SwiGLU and the adds. Activations are float32 [rows, width]
 * row-major; every op may run in place ({@code out} the same buffer as an input).
 *
 * <p>Row ops run one work-group per row with a local-memory tree (as {@code rmsNorm}); element-wise ops one
 * work-item per element. Each method appends one task.
 */
final class OpenCLNormOps implements NormOps {
    private static final String PROGRAM = "norms";
    /** The element-wise kernels, as on CUDA. */
    private static final String ELEMENTWISE = "activations";
    /**
     * FLOPs of one GELU for the profiler: the multiplies and norms.cl's erfc (a degree-9 polynomial, a division,
     * two exponentials and an fma), counted as about 24 operations.
     */
    private static final long GELU_FLOPS = 24;

    /** Work-items per row of the row kernels: a power of two; 256 on GPUs so a 1408-wide row is 6 per item. */
    private final int rowGroup;
    /** Work-items per group of the element-wise kernels. */
    private final int elementGroup;

    OpenCLNormOps(DeviceInfo device) {
        int largest = (int) Long.highestOneBit(device.maxWorkGroupSize());
        // On a CPU a group runs on one core and PoCL vectorises across its items: 64 is 8 AVX2 vectors, and a
        // larger group only lengthens the loops between barriers.
        this.rowGroup = Math.min(device.isCpu() ? 64 : 256, largest);
        this.elementGroup = Math.min(device.isCpu() ? 64 : 256, largest);
    }

    /** LayerNorm of {@code rows} rows of width {@code dim}: {@code out = (x − mean) / sqrt(var + eps) · weight + bias}. */
    @Override
    public void layerNorm(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer weight, DeviceBuffer bias,
                   int rows, int dim, float eps) {
        long elements = OpChecks.requireNormRows(name, weight, bias, rows, dim, out, x);
        g.task(name, new KernelSource(PROGRAM, "layer_norm"), Launch.groups(rows, rowGroup),
                new Cost(8 * elements + 8L * dim, 8 * elements),
                out, x, weight, bias, dim, eps, scratch());
    }

    /**
     * The post-LN residual block of BERT and the Q-Former: {@code out = LayerNorm(x + residual)}, the sum
     * formed in float32 and not stored. {@code out} may be {@code x} or {@code residual}.
     */
    @Override
    public void addLayerNorm(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer residual,
                      DeviceBuffer weight, DeviceBuffer bias, int rows, int dim, float eps) {
        long elements = OpChecks.requireNormRows(name, weight, bias, rows, dim, out, x, residual);
        g.task(name, new KernelSource(PROGRAM, "add_layer_norm"), Launch.groups(rows, rowGroup),
                new Cost(12 * elements + 8L * dim, 9 * elements),
                out, x, residual, weight, bias, dim, eps, scratch());
    }

    /** The exact GELU {@code 0.5·x·(1 + erf(x/√2))} of {@code n} elements. */
    @Override
    public void gelu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, int n) {
        OpChecks.requireRows(name, 1, n);
        OpChecks.requireFloats(name, n, out, x);
        g.task(name, new KernelSource(ELEMENTWISE, "gelu"), Launch.items(n, elementGroup),
                new Cost(8L * n, GELU_FLOPS * n),
                out, x, n);
    }

    /** {@code out = gelu(x + bias)} over {@code rows} rows of width {@code width}, bias broadcast over the rows. */
    @Override
    public void biasGelu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer bias, int rows, int width) {
        long elements = OpChecks.requireBiasRows(name, out, x, bias, rows, width);
        g.task(name, new KernelSource(ELEMENTWISE, "bias_gelu"), rowsOfColumns(rows, width),
                new Cost(8 * elements + 4L * width, (GELU_FLOPS + 1) * elements),
                out, x, bias, width);
    }

    /** Softmax of each of {@code rows} rows of {@code scale · x} (width {@code cols}), shifted by the row maximum. */
    @Override
    public void softmax(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, int rows, int cols, float scale) {
        long elements = OpChecks.requireRows(name, rows, cols);
        OpChecks.requireFloats(name, elements, out, x);
        g.task(name, new KernelSource(PROGRAM, "softmax_rows"), Launch.groups(rows, rowGroup),
                new Cost(8 * elements, 6 * elements),
                out, x, cols, scale, scratch());
    }

    /**
     * {@code out = x / max(‖x‖₂, eps) · scale} for each of {@code rows} rows of width {@code dim}: PyTorch's
     * {@code F.normalize} (eps 1e-12) followed by ImageBind's constant logit scale.
     */
    @Override
    public void l2Normalize(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, int rows, int dim, float eps, float scale) {
        long elements = OpChecks.requireRows(name, rows, dim);
        OpChecks.requireFloats(name, elements, out, x);
        g.task(name, new KernelSource(PROGRAM, "l2_normalize"), Launch.groups(rows, rowGroup),
                new Cost(8 * elements, 4 * elements),
                out, x, dim, eps, scale, scratch());
    }

    /** {@code out = a + b} over {@code n} elements. */
    @Override
    public void add(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer a, DeviceBuffer b, int n) {
        OpChecks.requireRows(name, 1, n);
        OpChecks.requireFloats(name, n, out, a, b);
        g.task(name, new KernelSource(ELEMENTWISE, "add"), Launch.items(n, elementGroup),
                new Cost(12L * n, n),
                out, a, b, n);
    }

    /** {@code out = x + bias} over {@code rows} rows of width {@code width}, bias broadcast over the rows. */
    @Override
    public void addBias(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer bias, int rows, int width) {
        long elements = OpChecks.requireBiasRows(name, out, x, bias, rows, width);
        g.task(name, new KernelSource(ELEMENTWISE, "add_bias"), rowsOfColumns(rows, width),
                new Cost(8 * elements + 4L * width, elements),
                out, x, bias, width);
    }

    /** {@code out = silu(gate) · up} element-wise ({@code activations.cl}); {@code out} may be {@code gate} or {@code up}. */
    @Override
    public void swiGlu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer gate, DeviceBuffer up, int n) {
        OpChecks.requireSwiGlu(name, out, gate, up, n);
        g.task(name, new KernelSource(ELEMENTWISE, "swiglu"), Launch.items(n, elementGroup), new Cost(12L * n, 5L * n),
                out, gate, up, n);
    }

    /** One float per work-item for the group reductions. */
    private LocalMemory scratch() {
        return new LocalMemory(rowGroup * 4L);
    }

    /** Two dimensions: the columns of a row across work-items, one row per index of the second dimension. */
    private Launch rowsOfColumns(int rows, int width) {
        return Launch.groups2d((width + elementGroup - 1) / elementGroup, elementGroup, rows);
    }
}
