package videollama.benchmarks;

import static videollama.benchmarks.BenchSupport.randomFloats;
import static videollama.benchmarks.BenchSupport.randomMatrix;
import static videollama.benchmarks.BenchSupport.sizes;
import static videollama.benchmarks.BenchSupport.upload;

import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import videollama.kernels.Cost;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.GemvOps;
import videollama.kernels.opencl.OpenCLGemvOps;
import videollama.kernels.opencl.OpenCLQ8_0Ops;
import videollama.kernels.reference.MatMul;
import videollama.kernels.reference.Q8_0;
import videollama.kernels.reference.WeightMatrix;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * The decode GEMV {@code out = W·x} with Q8_0 weights against the same matrix in F16, side by side in one run, at
 * LLaMA-7B's shapes (4096×4096 attention, 11008×4096 gate/up, 4096×11008 down) and stories110M's 768×768: what
 * 8-bit weights buy in a memory-bound decode step, bytes for bytes (Q8_0 reads 1.0625 bytes a weight, F16 2).
 *
 * <p>Variants: {@code reference} (the plain-Java block-scaled dot of {@link Q8_0}), {@code q8_0_rows} (gemv_q8_0: a
 * work-group per row, the GPU form), {@code q8_0_wide} (gemv_q8_0_wide: a work-item per row, PoCL's choice),
 * {@code f16_wide} (gemv.cl's matvec_wide on the F16 matrix, PoCL's kernel for 16-bit weights: the baseline); the
 * F16 variant is checked against the F16 product, the others against the Q8_0 one. As in {@link GemvBenchmark},
 * the weights cycle through copies that together exceed the caches, so GB/s is memory bandwidth.
 */
public class GemvQ8_0Benchmark extends KernelBenchmark {
    /** rows × cols of W. */
    @Param({"768x768", "4096x4096", "11008x4096", "4096x11008"})
    public String shape;

    @Param({"reference", "q8_0_rows", "q8_0_wide", "q8_0_wide8", "q8_0_int8", "f16_wide", "bf16_wide4"})
    public String variant;

    private float[] x;

    @Override
    protected void build() {
        int[] s = sizes(shape, 2);
        int rows = s[0];
        int cols = s[1];
        Random random = BenchSupport.freshRandom();
        Tensor f32 = randomMatrix(random, "w", DType.F32, rows, cols);
        DType wide = switch (variant) {
            case "f16_wide" -> DType.F16;
            case "bf16_wide4" -> DType.BF16;
            default -> null;
        };
        x = randomFloats(random, cols);
        long bytes = wide != null ? 2L * rows * cols : (long) rows * cols * 17 / 16;
        int copies = copies(bytes);
        Tensor[] weights = new Tensor[copies];
        for (int i = 0; i < copies; i++) {
            // each conversion or quantisation is a copy in memory of its own
            weights[i] = wide != null ? f32.convertTo(wide) : Q8_0.quantize(f32);
        }
        cost = new Cost(bytes + cols * 4L + rows * 4L, 2L * rows * cols);
        expected = new float[rows];
        if (variant.equals("q8_0_int8")) {
            byte[] xq = new byte[cols];
            float[] xd = new float[cols / Q8_0.BLOCK];
            Q8_0.quantizeActivations(x, 0, cols, xq, xd);
            WeightMatrix w = new WeightMatrix(weights[0]);
            for (int r = 0; r < rows; r++) {
                expected[r] = w.dotQuantized(r, xq, xd);
            }
        } else {
            MatMul.matmul(expected, new WeightMatrix(weights[0]), x, 1);
        }
        if (variant.equals("reference")) {
            hostOut = new float[][] {new float[rows]};
            WeightMatrix[] matrices = new WeightMatrix[copies];
            for (int i = 0; i < copies; i++) {
                matrices[i] = new WeightMatrix(weights[i]);
            }
            reference = () -> MatMul.matmul(hostOut[0], next(matrices), x, 1);
            return;
        }
        device = BenchSupport.openDevice("opencl");
        GemvOps ops = switch (variant) {
            case "q8_0_rows" -> OpenCLQ8_0Ops.of(device, OpenCLQ8_0Ops.Variant.ROWS);
            case "q8_0_wide" -> OpenCLQ8_0Ops.of(device, OpenCLQ8_0Ops.Variant.WIDE);
            case "q8_0_wide8" -> OpenCLQ8_0Ops.of(device, OpenCLQ8_0Ops.Variant.WIDE8);
            case "q8_0_int8" -> OpenCLQ8_0Ops.of(device, OpenCLQ8_0Ops.Variant.INT8);
            case "f16_wide" -> OpenCLGemvOps.of(device, OpenCLGemvOps.Variant.WIDE, 0);
            case "bf16_wide4" -> OpenCLGemvOps.of(device, OpenCLGemvOps.Variant.WIDE4, 0);
            default -> throw new IllegalArgumentException("unknown variant " + variant
                    + " (reference, q8_0_rows, q8_0_wide, q8_0_wide8, q8_0_int8, f16_wide, bf16_wide4)");
        };
        DeviceBuffer dx = upload(device, "x", x);
        out = new DeviceBuffer[] {device.allocate("out", rows * 4L)};
        plan(copies, "gemv", (g, i) -> ops.matVec(g, variant, out[0], device.upload(weights[i]), dx, false));
    }

    /** One product with the next copy of W; returns when it is done. */
    @Benchmark
    public Object gemv(Traffic traffic) {
        return call(traffic);
    }
}
