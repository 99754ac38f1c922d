package videollama.benchmarks;

import static videollama.benchmarks.BenchSupport.copyOf;
import static videollama.benchmarks.BenchSupport.randomFloats;
import static videollama.benchmarks.BenchSupport.randomMatrix;
import static videollama.benchmarks.BenchSupport.upload;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import videollama.kernels.Cost;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.KernelSource;
import videollama.kernels.Launch;
import videollama.kernels.LocalMemory;
import videollama.kernels.TaskGraph;
import videollama.kernels.reference.Activations;
import videollama.kernels.reference.MatMul;
import videollama.kernels.reference.WeightMatrix;
import videollama.kernels.opencl.OpenCLBackend;
import videollama.model.llama.SyntheticLlama;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * The fused GEMVs of a decode layer, several matrices read in one launch: {@code qkv} (q, k and v projections
 * of one input) and {@code swiglu} ({@code silu(G·x) · (U·x)}, LLaMA's MLP middle), at the sizes of a model
 * shape of {@link SyntheticLlama} (stories110M: 3 × 768×768 and 2 × 2048×768; llama2-7b: 3 × 4096×4096 and
 * 2 × 11008×4096).
 *
 * <p>Variants: {@code reference} (the separate {@link MatMul}s, then {@link Activations#swiGlu}), {@code fused}
 * (a work-group per row: {@code qkv_matvec}, {@code swiglu_matvec}) and {@code fused_wide} (a work-item per row,
 * float8 loads: the {@code _wide} kernels PoCL gets). Compare the GB/s with {@link GemvBenchmark}'s single
 * matrices of the same rows to see what fusing saves. Weights cycle through cold copies as there.
 */
public class GemvFusedBenchmark extends KernelBenchmark {
    private static final int GROUP = 64;
    private static final int WIDE_GROUP = 4;

    @Param({"qkv", "swiglu"})
    public String op;

    /** A shape name of {@link SyntheticLlama#SHAPES}. */
    @Param({"stories110M", "llama2-7b"})
    public String model;

    @Param({"F32"})
    public String dtype;

    @Param({"reference", "fused", "fused_wide"})
    public String variant;

    private float[] x;
    /** An output per matrix: q, k, v or gate, up (the SwiGLU product goes into gate); their lengths size the device's. */
    private float[][] products;
    private OpenCLBackend opencl;

    @Override
    protected void build() {
        SyntheticLlama.Shape s = SyntheticLlama.shape(model);
        DType type = DType.valueOf(dtype);
        Random random = BenchSupport.freshRandom();
        int kvDim = s.kvHeads() * (s.dim() / s.heads());
        // the matrices of one call: wq, wk, wv or gate, up
        List<Tensor> weights = switch (op) {
            case "qkv" -> List.of(randomMatrix(random, "wq", type, s.dim(), s.dim()),
                    randomMatrix(random, "wk", type, kvDim, s.dim()), randomMatrix(random, "wv", type, kvDim, s.dim()));
            case "swiglu" -> List.of(randomMatrix(random, "gate", type, s.hidden(), s.dim()),
                    randomMatrix(random, "up", type, s.hidden(), s.dim()));
            default -> throw new IllegalArgumentException("unknown op " + op + " (qkv, swiglu)");
        };
        x = randomFloats(random, s.dim());
        long weightBytes = 0;
        long outputs = 0;
        for (Tensor w : weights) {
            weightBytes += w.data().byteSize();
            outputs += w.dim(0);
        }
        cost = new Cost(weightBytes + x.length * 4L + (op.equals("qkv") ? outputs : outputs / 2) * 4L, 2L * outputs * s.dim());
        int copies = copies(weightBytes);
        WeightMatrix[] first = weights.stream().map(WeightMatrix::new).toArray(WeightMatrix[]::new);
        products = outputsFor(first);
        reference(first, products);
        expected = concat(Arrays.copyOf(products, results()));
        if (variant.equals("reference")) {
            hostOut = products;
            WeightMatrix[][] matrices = new WeightMatrix[copies][];
            matrices[0] = first;
            for (int i = 1; i < copies; i++) {
                matrices[i] = weights.stream().map(w -> new WeightMatrix(copyOf(w))).toArray(WeightMatrix[]::new);
            }
            reference = () -> reference(next(matrices), hostOut);
            return;
        }
        opencl = (OpenCLBackend) BenchSupport.openDevice("opencl");
        device = opencl;
        DeviceBuffer dx = upload(device, "x", x);
        out = new DeviceBuffer[results()];
        for (int i = 0; i < out.length; i++) {
            out[i] = device.allocate("out " + i, products[i].length * 4L);
        }
        plan(copies, op, (g, i) -> launch(g, weights.stream().map(device::upload).map(t -> t.buffer()).toArray(DeviceBuffer[]::new),
                dx, s.dim()));
    }

    /** An output vector per matrix. */
    private static float[][] outputsFor(WeightMatrix[] m) {
        return Arrays.stream(m).map(w -> new float[w.rows()]).toArray(float[][]::new);
    }

    /** q, k, v = Wq·x, Wk·x, Wv·x; or gate = silu(G·x) · (U·x) in out[0] (out[1] holds U·x). */
    private void reference(WeightMatrix[] m, float[][] results) {
        for (int i = 0; i < m.length; i++) {
            MatMul.matmul(results[i], m[i], x, 1);
        }
        if (m.length == 2) {
            Activations.swiGlu(results[0], results[1], results[0].length);
        }
    }

    /** The op's results: q, k and v, or the SwiGLU product alone. */
    @Override
    protected int results() {
        return op.equals("qkv") ? 3 : 1;
    }

    private void launch(TaskGraph g, DeviceBuffer[] w, DeviceBuffer dx, int cols) {
        String options = switch (DType.valueOf(dtype)) {
            case F32 -> "";
            case F16 -> "-DWEIGHT_F16";
            case BF16 -> "-DWEIGHT_BF16";
            default -> throw new IllegalArgumentException(dtype);
        };
        int group = (int) Math.min(GROUP, Long.highestOneBit(opencl.info().maxWorkGroupSize()));
        LocalMemory scratch = new LocalMemory(group * 4L);
        int rows0 = products[0].length;
        int rows1 = products[1].length;
        switch (op + " " + variant) {
            case "qkv fused" -> g.task("qkv", new KernelSource("gemv", "qkv_matvec", options),
                    Launch.groups(rows0 + 2L * rows1, group), cost,
                    out[0], out[1], out[2], w[0], w[1], w[2], dx, rows0, rows1, cols, scratch);
            case "qkv fused_wide" -> g.task("qkv", new KernelSource("gemv", "qkv_matvec_wide", options),
                    Launch.items(rows0 + 2L * rows1, WIDE_GROUP), cost,
                    out[0], out[1], out[2], w[0], w[1], w[2], dx, rows0, rows1, cols);
            case "swiglu fused" -> g.task("swiglu", new KernelSource("gemv", "swiglu_matvec", options),
                    Launch.groups(rows0, group), cost, out[0], w[0], w[1], dx, cols, scratch);
            case "swiglu fused_wide" -> g.task("swiglu", new KernelSource("gemv", "swiglu_matvec_wide", options),
                    Launch.items(rows0, WIDE_GROUP), cost, out[0], w[0], w[1], dx, rows0, cols);
            default -> throw new IllegalArgumentException("unknown variant " + variant + " (reference, fused, fused_wide)");
        }
    }

    /** One fused call with the next copy of the weights; returns when it is done. */
    @Benchmark
    public Object fusedGemv(Traffic traffic) {
        return call(traffic);
    }
}
