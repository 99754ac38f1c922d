package videollama.benchmarks;

import static videollama.benchmarks.BenchSupport.check;
import static videollama.benchmarks.BenchSupport.copiesFor;
import static videollama.benchmarks.BenchSupport.copyOf;
import static videollama.benchmarks.BenchSupport.poison;
import static videollama.benchmarks.BenchSupport.randomFloats;
import static videollama.benchmarks.BenchSupport.randomMatrix;
import static videollama.benchmarks.BenchSupport.readFloats;
import static videollama.benchmarks.BenchSupport.sizes;
import static videollama.benchmarks.BenchSupport.upload;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import videollama.kernels.Cost;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceTensor;
import videollama.kernels.GraphPlan;
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
 * <p>The weights cycle through copies that together exceed the caches ({@link BenchSupport#COLD_BYTES}), as
 * in decode, where every matrix is read once per token; so GB/s here is memory bandwidth, not cache bandwidth.
 * A call is one launch and a wait for it, so a small matrix also pays the launch and wait overhead.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class GemvBenchmark {
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

    /** How much the weight copies take together; the smoke test makes it small. */
    long coldBytes = BenchSupport.COLD_BYTES;

    private int rows;
    private int cols;
    private float[] x;
    /** What the reference computes for this W and x: every variant is checked against it. */
    private float[] expected;
    private OpenCLBackend device;
    private DeviceBuffer out;
    private GraphPlan[] plans;
    private WeightMatrix[] matrices;
    private float[] hostOut;
    private int next;
    private Cost cost;

    @Setup(Level.Trial)
    public void setup() {
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
        int copies = copiesFor(weightBytes, coldBytes);
        if (variant.equals("reference")) {
            hostOut = new float[rows];
            matrices = new WeightMatrix[copies];
            for (int i = 0; i < copies; i++) {
                matrices[i] = new WeightMatrix(i == 0 ? w : copyOf(w));
            }
            return;
        }
        device = (OpenCLBackend) BenchSupport.openDevice("opencl");
        DeviceBuffer dx = upload(device, "x", x);
        out = device.allocate("out", rows * 4L);
        plans = new GraphPlan[copies];
        for (int i = 0; i < copies; i++) {
            TaskGraph g = device.graph("gemv " + i);
            launch(g, device.upload(w), dx);
            plans[i] = g.build();
        }
        // the check: a poisoned output, then every plan (each reads its own copy of W)
        for (GraphPlan plan : plans) {
            poison(device, out);
            plan.execute();
            check(variant + " " + shape + " " + dtype, expected, readFloats(device, out, rows), 1e-5);
        }
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
                int group = (int) Math.min(GROUP, Long.highestOneBit(device.info().maxWorkGroupSize()));
                g.task("matvec", new KernelSource("gemv", "matvec", options), Launch.groups(rows, group), cost,
                        out, w.buffer(), dx, cols, 0, new LocalMemory(group * 4L));
            }
            case "matvec_wide" -> g.task("matvec_wide", new KernelSource("gemv", "matvec_wide", options),
                    Launch.items(rows, WIDE_GROUP), cost, out, w.buffer(), dx, rows, cols, 0);
            case "matvec_split" -> OpenCLGemvOps.of(device, OpenCLGemvOps.Variant.SPLIT_K, SPLIT_K_RANGES)
                    .matVec(g, "matvec_split", out, w, dx, false);
            default -> throw new IllegalArgumentException("unknown variant " + variant + " (reference, matvec, matvec_wide, matvec_split)");
        }
    }

    /** One product with the next copy of W; returns when it is done. */
    @Benchmark
    public Object gemv(Traffic traffic) {
        traffic.add(cost.bytes(), cost.flops());
        if (matrices != null) {
            MatMul.matmul(hostOut, matrices[next++ % matrices.length], x, 1);
            return hostOut;
        }
        plans[next++ % plans.length].execute();
        device.finish();
        return out;
    }

    /** The output of the last call, read back (the smoke test checks it). */
    float[] result() {
        return matrices != null ? hostOut.clone() : readFloats(device, out, rows);
    }

    /** Poisons the output, so that a smoke test sees what the next call writes. */
    void poisonOutput() {
        if (matrices != null) {
            Arrays.fill(hostOut, Float.NaN);
        } else {
            poison(device, out);
        }
    }

    float[] expected() {
        return expected;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (plans != null) {
            for (GraphPlan plan : plans) {
                plan.close();
            }
        }
        if (device != null) {
            device.close();
        }
    }
}
