package videollama.kernels.cuda;

import videollama.kernels.Cost;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.NormOps;
import videollama.kernels.KernelSource;
import videollama.kernels.Launch;
import videollama.kernels.OpChecks;
import videollama.kernels.TaskGraph;

/**
 * The row-wise and element-wise ops of the vision and audio encoders, the Q-Formers and batched prefill, in CUDA C:
 * LayerNorm (optionally of {@code x + residual}), softmax over rows and L2 normalisation of rows ({@code norms.cu},
 * a warp per row), and the exact GELU (optionally after a bias add), SwiGLU and the adds ({@code activations.cu},
 * four elements per thread with 128-bit loads). Activations are float32 [rows, width] row-major; every op may run
 * in place. Same arguments, checks and {@link Cost}s as the OpenCL ops ({@code OpenCLNormOps}).
 */
final class CudaNormOps implements NormOps {
    /** Threads per block: 8 warps, so 8 rows per block of the row kernels. */
    static final int THREADS = 256;
    /** Elements per thread of the element-wise kernels: one float4. */
    static final int ELEMENTS_PER_THREAD = 4;
    /** FLOPs of one GELU for the profiler, as the OpenCL ops count it (the multiplies and an erfc). */
    private static final long GELU_FLOPS = 24;

    /** LayerNorm of {@code rows} rows of width {@code dim}: {@code out = (x − mean) / sqrt(var + eps) · weight + bias}. */
    @Override
    public void layerNorm(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer weight, DeviceBuffer bias,
                   int rows, int dim, float eps) {
        long elements = OpChecks.requireNormRows(name, weight, bias, rows, dim, out, x);
        g.task(name, new KernelSource("norms", "layer_norm"), warpPerRow(rows),
                new Cost(8 * elements + 8L * dim, 8 * elements),
                out, x, weight, bias, rows, dim, eps);
    }

    /** {@code out = LayerNorm(x + residual)}, the sum formed in float32 and not stored; out may be x or residual. */
    @Override
    public void addLayerNorm(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer residual,
                      DeviceBuffer weight, DeviceBuffer bias, int rows, int dim, float eps) {
        long elements = OpChecks.requireNormRows(name, weight, bias, rows, dim, out, x, residual);
        g.task(name, new KernelSource("norms", "add_layer_norm"), warpPerRow(rows),
                new Cost(12 * elements + 8L * dim, 9 * elements),
                out, x, residual, weight, bias, rows, dim, eps);
    }

    /** Softmax of each of {@code rows} rows of {@code scale · x} (width {@code cols}), shifted by the row maximum. */
    @Override
    public void softmax(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, int rows, int cols, float scale) {
        long elements = OpChecks.requireRows(name, rows, cols);
        OpChecks.requireFloats(name, elements, out, x);
        g.task(name, new KernelSource("norms", "softmax_rows"), warpPerRow(rows),
                new Cost(8 * elements, 6 * elements),
                out, x, rows, cols, scale);
    }

    /** {@code out = x / max(‖x‖₂, eps) · scale} for each of {@code rows} rows of width {@code dim}. */
    @Override
    public void l2Normalize(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, int rows, int dim, float eps, float scale) {
        long elements = OpChecks.requireRows(name, rows, dim);
        OpChecks.requireFloats(name, elements, out, x);
        g.task(name, new KernelSource("norms", "l2_normalize"), warpPerRow(rows),
                new Cost(8 * elements, 4 * elements),
                out, x, rows, dim, eps, scale);
    }

    /** The exact GELU {@code 0.5·x·(1 + erf(x/√2))} of {@code n} elements. */
    @Override
    public void gelu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, int n) {
        OpChecks.requireRows(name, 1, n);
        OpChecks.requireFloats(name, n, out, x);
        g.task(name, new KernelSource("activations", "gelu"), elementWise(n),
                new Cost(8L * n, GELU_FLOPS * n),
                out, x, n);
    }

    /** {@code out = gelu(x + bias)} over {@code rows} rows of width {@code width}, bias broadcast over the rows. */
    @Override
    public void biasGelu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer bias, int rows, int width) {
        long elements = OpChecks.requireBiasRows(name, out, x, bias, rows, width);
        g.task(name, new KernelSource("activations", "bias_gelu"), elementWise(elements),
                new Cost(8 * elements + 4L * width, (GELU_FLOPS + 1) * elements),
                out, x, bias, width, (int) elements);
    }

    /** {@code out = a + b} over {@code n} elements. */
    @Override
    public void add(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer a, DeviceBuffer b, int n) {
        OpChecks.requireRows(name, 1, n);
        OpChecks.requireFloats(name, n, out, a, b);
        g.task(name, new KernelSource("activations", "add"), elementWise(n),
                new Cost(12L * n, n),
                out, a, b, n);
    }

    /** {@code out = x + bias} over {@code rows} rows of width {@code width}, bias broadcast over the rows. */
    @Override
    public void addBias(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer bias, int rows, int width) {
        long elements = OpChecks.requireBiasRows(name, out, x, bias, rows, width);
        g.task(name, new KernelSource("activations", "add_bias"), elementWise(elements),
                new Cost(8 * elements + 4L * width, elements),
                out, x, bias, width, (int) elements);
    }

    /** {@code out = silu(gate) · up} over {@code n} elements; out may be gate or up. */
    @Override
    public void swiGlu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer gate, DeviceBuffer up, int n) {
        OpChecks.requireSwiGlu(name, out, gate, up, n);
        g.task(name, new KernelSource("activations", "swiglu"), elementWise(n), new Cost(12L * n, 5L * n),
                out, gate, up, n);
    }

    /** A warp per row, {@link #THREADS} / 32 rows per block. */
    private static Launch warpPerRow(int rows) {
        int rowsPerBlock = THREADS / 32;
        return Launch.groups((rows + rowsPerBlock - 1) / rowsPerBlock, THREADS);
    }

    /** A thread per {@link #ELEMENTS_PER_THREAD} elements (the last thread takes what is left). */
    private static Launch elementWise(long elements) {
        return Launch.items((elements + ELEMENTS_PER_THREAD - 1) / ELEMENTS_PER_THREAD, THREADS);
    }
}
