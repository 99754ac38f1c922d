package videollama.benchmarks;

import static videollama.benchmarks.BenchSupport.randomFloats;
import static videollama.benchmarks.BenchSupport.sizes;
import static videollama.benchmarks.BenchSupport.upload;

import java.util.Locale;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import videollama.kernels.AttentionShape;
import videollama.kernels.Cost;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.GraphPlan;
import videollama.kernels.KvCacheType;
import videollama.kernels.StridedRows;
import videollama.kernels.TaskGraph;
import videollama.kernels.reference.MultiHeadAttention;
import videollama.kernels.opencl.OpenCLAttentionOps;
import videollama.kernels.opencl.OpenCLBackend;

/**
 * Multi-row attention of the encoders, {@code softmax(q·kᵀ · scale) · v} over whole sets of rows, per kernel of
 * {@code flash_attention.cl}, at two shapes of the model (docs/model.md section 2):
 * <ul>
 *   <li>{@code vit}: EVA ViT-g self-attention over one frame, 257 tokens, 16 heads of 88;</li>
 *   <li>{@code qformer-cross}: the image Q-Former's cross-attention over 8 frames, each frame's 32 queries
 *       against its 257 ViT tokens, 12 heads of 64 (8 independent sets).</li>
 * </ul>
 *
 * <p>Variants: {@code reference} ({@link MultiHeadAttention}), and the kernels of {@link OpenCLAttentionOps.Variant} by
 * name: {@code flash} (1, GPUs: a work-group per block of queries, head and set; keys streamed through local memory
 * with an online softmax), {@code rows} (2, CPUs' baseline: a work-item per query, head and set, no barriers) and
 * {@code blocked} (3, CPUs: a work-item per block of 4 queries, register blocks as the CPU GEMM's; the choice on
 * PoCL). Compute-bound: read the {@code gigaflop} rows.
 */
public class AttentionBenchmark extends KernelBenchmark {
    @Param({"vit", "qformer-cross"})
    public String shape;

    @Param({"reference", "flash", "rows", "blocked"})
    public String variant;

    /** A shape by name, or any {@code SETSxQUERIESxKEYSxHEADSxHEAD_DIM} (bidirectional, as both named ones). */
    static AttentionShape shape(String name) {
        return switch (name) {
            case "vit" -> AttentionShape.selfAttention(257, 16, 88);
            case "qformer-cross" -> AttentionShape.cross(8, 32, 257, 12, 64);
            default -> {
                int[] s = sizes(name, 5);
                yield AttentionShape.cross(s[0], s[1], s[2], s[3], s[4]);
            }
        };
    }

    @Override
    protected void build() {
        AttentionShape s = shape(shape);
        int queryRows = s.sets() * s.queries();
        int keyRows = s.sets() * s.keys();
        Random random = BenchSupport.freshRandom();
        float[] q = randomFloats(random, queryRows * s.queryWidth());
        float[] k = randomFloats(random, keyRows * s.kvWidth());
        float[] v = randomFloats(random, keyRows * s.kvWidth());
        expected = new float[q.length];
        MultiHeadAttention.attention(expected, q, k, v, s);
        cost = new Cost(8L * q.length + 8L * k.length, s.flops());
        if (variant.equals("reference")) {
            hostOut = new float[][] {new float[q.length]};
            reference = () -> MultiHeadAttention.attention(hostOut[0], q, k, v, s);
            return;
        }
        OpenCLAttentionOps.Variant kernel = OpenCLAttentionOps.Variant.valueOf(variant.toUpperCase(Locale.ROOT));
        OpenCLBackend opencl = (OpenCLBackend) BenchSupport.openDevice("opencl");
        device = opencl;
        DeviceBuffer o = opencl.allocate("out", q.length * 4L);
        out = new DeviceBuffer[] {o};
        TaskGraph g = opencl.graph("attention");
        OpenCLAttentionOps.of(opencl, kernel).attention(g, "attention", StridedRows.dense(o, s.queryWidth()),
                StridedRows.dense(upload(opencl, "q", q), s.queryWidth()), StridedRows.dense(upload(opencl, "k", k), s.kvWidth()),
                StridedRows.dense(upload(opencl, "v", v), s.kvWidth()), KvCacheType.F32, s);
        plans = new GraphPlan[] {g.build()};
    }

    @Benchmark
    public Object attention(Traffic traffic) {
        return call(traffic);
    }
}
