package videollama.benchmarks;

import static videollama.benchmarks.BenchSupport.copyOf;
import static videollama.benchmarks.BenchSupport.randomFloats;
import static videollama.benchmarks.BenchSupport.randomMatrix;
import static videollama.benchmarks.BenchSupport.sizes;
import static videollama.benchmarks.BenchSupport.upload;

import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import videollama.kernels.Cost;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceTensor;
import videollama.kernels.KernelSource;
import videollama.kernels.Launch;
import videollama.kernels.LocalMemory;
import videollama.kernels.TaskGraph;
import videollama.kernels.reference.MatMul;
import videollama.kernels.reference.WeightMatrix;
import videollama.kernels.opencl.OpenCLGemvOps;
import videollama.kernels.opencl.OpenCLBackend;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * One matrix-vector product {@code out = W·x} (a decode step is made of these): the reference {@link MatMul}
 * against the two kernels of {@code gemv.cl}, at the row sizes of stories110M (768×768 attention, 2048×768 MLP
 * up, 768×2048 MLP down, 32000×768 classifier) and of LLaMA-7B's attention (4096×4096).
 *
 * <p>Variants: {@code reference} (plain Java, rows spread over the cores), {@code matvec} (a work-group per
 * row, the portable GPU-shaped kernel), {@code matvec_wide} (a work-item per row with float8 loads, the
 * kernel PoCL gets) and {@code matvec_split} (split-K, GPUs' choice for few rows: a work-group per quarter of a
 * row, then a task that adds the quarters). The kernels are launched with the grid {@link OpenCLGemvOps} gives
 * them, whatever the device, so that each can be timed anywhere.
 *
 * <p>The weights cycle through cold copies ({@link KernelBenchmark#copies}), so GB/s here is memory bandwidth, not
 * cache bandwidth. A call is one launch and a wait for it, so a small matrix also pays the launch and wait overhead.
 */
public class GemvBenchmark extends KernelBenchmark {
    /** Work-group size of {@code matvec}, as OpenCLGemvOps picks it: 64 or the device's limit. */
    private static final int GROUP = 64;
    /** Work-items per group of {@code matvec_wide} (OpenCLGemvOps' default). */
    private static final int WIDE_GROUP = 4;
    /** Column ranges per row of {@code matvec_split} (GPUs choose theirs by size; this one is for timing it anywhere). */
    private static final int SPLIT_K_RANGES = 4;

    /** rows × cols of W. */
    @Param({"768x768", "2048x768", "768x2048", "32000x768", "4096x4096"})
    public String shape;

    @Param({"F32", "F16"})
    public String dtype;

    @Param({"reference", "matvec", "matvec_wide", "matvec_split"})
    public String variant;

    private int rows;
    private int cols;
    private float[] x;
    private OpenCLBackend opencl;

    @Override
    protected void build() {
        int[] s = sizes(shape, 2);
        rows = s[0];
        cols = s[1];
        DType type = DType.valueOf(dtype);
        Random random = BenchSupport.freshRandom();
        Tensor w = randomMatrix(random, "w", type, rows, cols);
        x = randomFloats(random, cols);
        expected = new float[rows];
        MatMul.matmul(expected, new WeightMatrix(w), x, 1);
        long weightBytes = (long) rows * cols * type.byteSize();
        cost = new Cost(weightBytes + cols * 4L + rows * 4L, 2L * rows * cols);
        int copies = copies(weightBytes);
        if (variant.equals("reference")) {
            hostOut = new float[][] {new float[rows]};
            WeightMatrix[] matrices = new WeightMatrix[copies];
            for (int i = 0; i < copies; i++) {
                matrices[i] = new WeightMatrix(i == 0 ? w : copyOf(w));
            }
            reference = () -> MatMul.matmul(hostOut[0], next(matrices), x, 1);
            return;
        }
        opencl = (OpenCLBackend) BenchSupport.openDevice("opencl");
        device = opencl;
        DeviceBuffer dx = upload(device, "x", x);
        out = new DeviceBuffer[] {device.allocate("out", rows * 4L)};
        plan(copies, "gemv", (g, i) -> launch(g, device.upload(w), dx));
    }

    private void launch(TaskGraph g, DeviceTensor w, DeviceBuffer dx) {
        String options = switch (w.dtype()) {
            case F32 -> "";
            case F16 -> "-DWEIGHT_F16";
            case BF16 -> "-DWEIGHT_BF16";
            default -> throw new IllegalArgumentException(dtype);
        };
        switch (variant) {
            case "matvec" -> {
                int group = (int) Math.min(GROUP, Long.highestOneBit(opencl.info().maxWorkGroupSize()));
                g.task("matvec", new KernelSource("gemv", "matvec", options), Launch.groups(rows, group), cost,
                        out[0], w.buffer(), dx, cols, 0, new LocalMemory(group * 4L));
            }
            case "matvec_wide" -> g.task("matvec_wide", new KernelSource("gemv", "matvec_wide", options),
                    Launch.items(rows, WIDE_GROUP), cost, out[0], w.buffer(), dx, rows, cols, 0);
            case "matvec_split" -> OpenCLGemvOps.of(opencl, OpenCLGemvOps.Variant.SPLIT_K, SPLIT_K_RANGES)
                    .matVec(g, "matvec_split", out[0], w, dx, false);
            default -> throw new IllegalArgumentException("unknown variant " + variant + " (reference, matvec, matvec_wide, matvec_split)");
        }
    }

    /** One product with the next copy of W; returns when it is done. */
    @Benchmark
    public Object gemv(Traffic traffic) {
        return call(traffic);
    }
}
