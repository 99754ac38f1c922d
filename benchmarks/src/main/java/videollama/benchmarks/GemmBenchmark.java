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
import videollama.kernels.DeviceTensor;
import videollama.kernels.GemmOps;
import videollama.kernels.GraphPlan;
import videollama.kernels.TaskGraph;
import videollama.kernels.opencl.OpenCLGemmOps.Variant;
import videollama.kernels.reference.Linear;
import videollama.kernels.reference.Q8_0;
import videollama.kernels.reference.WeightMatrix;
import videollama.kernels.opencl.OpenCLGemmOps;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * A linear layer over many rows, {@code out[M,N] = x[M,K]·Wᵀ + bias} (the encoders' GEMM), per kernel of
 * {@code gemm.cl}, at the shapes named in {@link OpenCLGemmOps}, cut to one video frame so that the slowest
 * kernel still makes a call in about a second on PoCL:
 * <ul>
 *   <li>{@code 257x1408x1408}: an EVA ViT-g attention projection over one frame's 257 tokens;</li>
 *   <li>{@code 257x4224x1408}: the ViT's fused qkv projection, one frame (the op's comment has 8 frames, 2056 rows);</li>
 *   <li>{@code 256x3072x768}: the Q-Former MLP's first layer over 8 frames' 32 queries.</li>
 * </ul>
 *
 * <p>Variants: {@code reference} ({@link Linear}, plain Java), {@code tiled} (GPUs: a work-group per 64×64
 * output tile through local memory), {@code blocked} (CPUs: a work-item per 3×4 register block, float8 along
 * K, the choice on PoCL) and {@code rows} (GPUs with one input row: a work-group per output element; here at
 * M = 257 for comparison, which it is not made for); {@code -p variant=widened} forces {@code linear_widened}
(a work-group's columns of W widened once into local memory, a slower baseline on PoCL). Each kernel is forced through the op's own test
 * constructor with the tile and block the op uses by default. {@code opencl} is the OpenCL device's own {@code linear}
 * op, the one that takes Q8_0 weights ({@code -p dtype=Q8_0}: {@code linear_q8_0} of q8_0.cl; the reference is then
 * {@link Linear} over the Q8_0 matrix). {@code cuda} is the CUDA backend's own
 * {@code linear} op (gemm.cu: fp32 SIMT for F32 weights, tensor cores for F16 / BF16; its tile chosen by shape,
 * or forced with {@code VIDEOLLAMA_CUDA_GEMM_TILE=128x128|64x64}); it needs an NVIDIA GPU, and is checked
 * against the reference at 1e-2 with 16-bit weights, as it rounds x to their type. GEMM is compute-bound, so the
 * weights are not copied cold; read the {@code gigaflop} rows. On a GPU, time the full-sized shapes, e.g.
 * EVA ViT-g over 8 frames: {@code -p variant=cuda -p dtype=F16 -p shape=2056x4224x1408,2056x1408x1408,2056x6144x1408,2056x1408x6144}.
 * {@code -p gelu=true} times {@code linearGelu} instead (the MLP's first layer with its GELU in the store, Q8_0
 * weights' GEMM too).
 */
public class GemmBenchmark extends KernelBenchmark {
    /** M × N × K: rows of x, output features, input features. */
    @Param({"257x1408x1408", "257x4224x1408", "256x3072x768"})
    public String shape;

    @Param({"F32"})
    public String dtype;

    @Param({"reference", "tiled", "blocked", "rows"}) // and "widened", "opencl", and "cuda" on a GPU
    public String variant;

    /** true: {@code linearGelu}, the same product with the exact GELU in its store ({@code -DGELU}, {@code linear_gelu_*}). */
    @Param({"false"})
    public boolean gelu;

    @Override
    protected void build() {
        int[] s = sizes(shape, 3);
        int m = s[0];
        int n = s[1];
        int k = s[2];
        DType type = DType.valueOf(dtype);
        Random random = BenchSupport.freshRandom();
        Tensor weight = type == DType.Q8_0 ? Q8_0.quantize(randomMatrix(random, "w", DType.F32, n, k)) : randomMatrix(random, "w", type, n, k);
        WeightMatrix w = new WeightMatrix(weight);
        float[] x = randomFloats(random, m * k);
        float[] bias = randomFloats(random, n);
        expected = new float[m * n];
        reference(expected, w, x, bias, m);
        // as OpenCLGemmOps counts it: the weights once, x, the output and the bias
        cost = new Cost(weight.data().byteSize() + 4L * m * k + 4L * m * n + 4L * n, 2L * m * n * k);
        if (variant.equals("reference")) {
            hostOut = new float[][] {new float[m * n]};
            reference = () -> reference(hostOut[0], w, x, bias, m);
            return;
        }
        TaskGraph g;
        if (variant.equals("opencl")) {
            device = BenchSupport.openDevice("opencl");
            out = new DeviceBuffer[] {device.allocate("out", 4L * m * n)};
            g = device.graph("linear");
            append(device.ops(), g, out[0], upload(device, "x", x), device.upload(weight), upload(device, "bias", bias), m, n, k);
        } else if (variant.equals("cuda")) {
            device = BenchSupport.openDevice("cuda");
            out = new DeviceBuffer[] {device.allocate("out", 4L * m * n)};
            g = device.graph("linear");
            append(device.ops(), g, out[0], upload(device, "x", x), device.upload(weight), upload(device, "bias", bias), m, n, k);
            // the tensor cores take x rounded to the weights' 16-bit type (docs/design.md section 7: 1e-2 for fp16 arithmetic)
            tolerance = type == DType.F32 ? 1e-5 : 1e-2;
        } else {
            Variant kernel = switch (variant) {
                case "tiled" -> Variant.TILED;
                case "blocked" -> Variant.BLOCKED;
                case "rows" -> Variant.ROWS;
                case "widened" -> Variant.WIDENED;
                default -> throw new IllegalArgumentException("unknown variant " + variant + " (reference, tiled, blocked, rows, widened, opencl, cuda)");
            };
            device = BenchSupport.openDevice("opencl");
            OpenCLGemmOps.Tile tile = device.info().maxWorkGroupSize() >= 256 ? OpenCLGemmOps.GPU_TILE : OpenCLGemmOps.SMALL_GPU_TILE;
            OpenCLGemmOps ops = OpenCLGemmOps.of(device, kernel, tile, OpenCLGemmOps.CPU_BLOCK);
            out = new DeviceBuffer[] {device.allocate("out", 4L * m * n)};
            g = device.graph("linear");
            append(ops, g, out[0], upload(device, "x", x), device.upload(weight), upload(device, "bias", bias), m, n, k);
        }
        plans = new GraphPlan[] {g.build()};
    }

    /** The reference of what is timed: {@link Linear#linear} with the bias, or {@link Linear#linearGelu}. */
    private void reference(float[] out, WeightMatrix w, float[] x, float[] bias, int m) {
        if (gelu) {
            Linear.linearGelu(out, w, x, bias, m);
        } else {
            Linear.linear(out, w, x, bias, null, m);
        }
    }

    /** The timed task: {@code ops}' linear with the bias, or its linearGelu. */
    private void append(GemmOps ops, TaskGraph g, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias, int m, int n, int k) {
        if (gelu) {
            ops.linearGelu(g, "linear + gelu", out, x, w, bias, m, n, k);
        } else {
            ops.linear(g, "linear", out, x, w, bias, null, m, n, k);
        }
    }

    @Benchmark
    public Object linear(Traffic traffic) {
        return call(traffic);
    }
}
