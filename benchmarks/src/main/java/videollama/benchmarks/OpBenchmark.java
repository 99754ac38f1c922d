package videollama.benchmarks;

import static videollama.benchmarks.BenchSupport.check;
import static videollama.benchmarks.BenchSupport.poison;
import static videollama.benchmarks.BenchSupport.randomFloats;
import static videollama.benchmarks.BenchSupport.readFloats;
import static videollama.benchmarks.BenchSupport.upload;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceOps;
import videollama.kernels.GraphPlan;
import videollama.kernels.KvCacheType;
import videollama.kernels.TaskGraph;
import videollama.kernels.reference.Activations;
import videollama.kernels.reference.Elementwise;
import videollama.kernels.reference.Gelu;
import videollama.kernels.reference.L2Norm;
import videollama.kernels.reference.LayerNorm;
import videollama.kernels.reference.PatchEmbedding;
import videollama.kernels.reference.RmsNorm;
import videollama.kernels.reference.Rope;
import videollama.kernels.reference.Softmax;
import videollama.model.generate.Sampler;
import videollama.weights.Tensor;

/**
 * Every op of the catalogue ({@link DeviceOps}) that has no benchmark of its own, by its method name, at one shape
 * each from the model: the LLaMA-2 7B decode ops at its widths (4096, 32 heads of 128, 11008, a 32000 vocabulary),
 * the encoders' ops at EVA ViT-g's (257 tokens of 1408 a frame, MLP 6144, 14×14 patches of a 224×224 frame) and the
 * Q-Former's (768) and ImageBind head's (1024). The ops with benchmarks of their own: {@code matVec}
 * ({@code GemvBenchmark}), {@code qkvMatVec} and {@code swiGluMatVec} ({@code GemvFusedBenchmark}), {@code linear}
 * ({@code GemmBenchmark}), {@code attention} ({@code AttentionBenchmark}), {@code decodeAttention}
 * ({@link AttentionDecodeBenchmark}).
 *
 * <p>Backends: {@code reference} times the op's plain-Java twin in {@code videollama.kernels.reference} (argmax:
 * {@link Sampler#argmax}), {@code opencl} the device's op as its catalogue picks it, {@code cuda} (not in the
 * default sweep: {@code -p backend=cuda}) the CUDA one. Before a device op is timed its output (every buffer it
 * writes, poisoned first) is checked against the reference on fresh random inputs, as the op's contract test
 * does. An op that works in place (the rotary embedding, the positions) keeps working on its own output while it
 * is timed: the cost does not depend on the values.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class OpBenchmark {
    /** The op names: {@link DeviceOps}' method names. */
    public static final List<String> OPS = List.of("embedding", "rmsNorm", "ropeAndCacheWrite", "ropeAndCacheWriteRows", "argmax",
            "layerNorm", "addLayerNorm", "gelu", "biasGelu", "softmax", "l2Normalize", "swiGlu", "add", "addBias", "patchEmbedding",
            "prependClassToken", "addPositions");
    /** Relative error against the reference; the contract tests hold the same ops to 1e-6 .. 1e-5. */
    static final double TOLERANCE = 1e-5;

    @Param({"embedding", "rmsNorm", "ropeAndCacheWrite", "ropeAndCacheWriteRows", "argmax", "layerNorm", "addLayerNorm", "gelu",
            "biasGelu", "softmax", "l2Normalize", "swiGlu", "add", "addBias", "patchEmbedding", "prependClassToken", "addPositions"})
    public String op;

    @Param({"reference", "opencl"}) // and "cuda", where a driver is
    public String backend;

    private Op call;
    private DeviceBackend device;
    private GraphPlan plan;

    /**
     * One op at one shape: what it reads and writes (for GB/s), its reference call (also the timed call of the
     * reference backend), the reference's output on the fresh inputs, and how to append it to a device graph.
     */
    private record Op(long bytes, Runnable reference, float[] expected, Device device) {}

    /** Appends the op on its inputs uploaded, every output poisoned first; returns the reader of its outputs. */
    @FunctionalInterface
    private interface Device {
        Supplier<float[]> append(DeviceBackend d, TaskGraph g);
    }

    @Setup(Level.Trial)
    public void setup() {
        call = op(op, BenchSupport.freshRandom());
        if (backend.equals("reference")) {
            return;
        }
        device = BenchSupport.openDevice(backend);
        TaskGraph g = device.graph(op);
        Supplier<float[]> outputs = call.device().append(device, g);
        plan = g.build();
        plan.execute();
        check(op + " on " + backend, call.expected(), outputs.get(), TOLERANCE);
    }

    @Benchmark
    public Object run(Traffic traffic) {
        traffic.add(call.bytes(), 0);
        if (device == null) {
            call.reference().run();
            return call;
        }
        plan.execute();
        device.finish();
        return plan;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (plan != null) {
            plan.close();
        }
        if (device != null) {
            device.close();
        }
    }

    /** The case of op {@code name} on random inputs from {@code random}. */
    static Op op(String name, Random random) {
        return switch (name) {
            case "embedding" -> embedding(random, 1024, 4096);
            case "rmsNorm" -> rmsNorm(random, 1, 4096);
            case "ropeAndCacheWrite" -> rope(random, 1, 300, 512);
            case "ropeAndCacheWriteRows" -> rope(random, 64, 128, 512);
            case "argmax" -> argmax(random, 32000);
            case "layerNorm" -> layerNorm(random, 257, 1408);
            case "addLayerNorm" -> addLayerNorm(random, 256, 768);
            case "gelu" -> gelu(random, 257 * 6144);
            case "biasGelu" -> biasGelu(random, 257, 6144);
            case "softmax" -> softmax(random, 16 * 257, 257, 0.125f);
            case "l2Normalize" -> l2Normalize(random, 8, 1024);
            case "swiGlu" -> swiGlu(random, 64 * 11008);
            case "add" -> add(random, 257 * 1408);
            case "addBias" -> addBias(random, 257, 1408);
            case "patchEmbedding" -> patchEmbedding(random, 224, 14, 1408);
            case "prependClassToken" -> prependClassToken(random, 8, 256, 1408);
            case "addPositions" -> addPositions(random, 8, 257, 1408);
            default -> throw new IllegalArgumentException("op " + name + ": not one of " + OPS);
        };
    }

    /** A row of a float32 table of {@code rows} (the cost is one row, whatever the vocabulary). */
    private static Op embedding(Random random, int rows, int dim) {
        Tensor table = Tensor.ofFloats("table", randomFloats(random, rows * dim), rows, dim);
        float[] host = table.toFloatArray();
        int[] ids = {7, random.nextInt(rows), 3};
        float[] out = new float[dim];
        Runnable reference = () -> System.arraycopy(host, ids[1] * dim, out, 0, dim);
        reference.run();
        return new Op(8L * dim, reference, out.clone(), (d, g) -> {
            DeviceBuffer o = poisoned(d, dim);
            d.ops().embedding(g, o, d.upload(table), upload(d, "ids", ids), 1);
            return () -> readFloats(d, o, dim);
        });
    }

    private static Op rmsNorm(Random random, int rows, int dim) {
        float[] x = randomFloats(random, rows * dim);
        float[] w = randomFloats(random, dim);
        float[] out = new float[rows * dim];
        Runnable reference = () -> RmsNorm.rmsNorm(out, x, w, rows, 1e-5f);
        reference.run();
        return new Op(4L * (2L * rows * dim + dim), reference, out.clone(), (d, g) -> {
            DeviceBuffer o = poisoned(d, rows * dim);
            d.ops().rmsNorm(g, "rmsNorm", o, upload(d, "x", x), upload(d, "w", w), rows, dim, 1e-5f);
            return () -> readFloats(d, o, rows * dim);
        });
    }

    /**
     * {@code rows} positions from {@code start} of LLaMA-2 7B's 32 heads of 128 rotated, and their keys and values
     * written into float32 caches of {@code capacity} rows ({@code rows = 1}: {@code ropeAndCacheWrite}). Checked: q,
     * k and the cache rows written.
     */
    private static Op rope(Random random, int rows, int start, int capacity) {
        int heads = 32;
        int headDim = 128;
        int dim = heads * headDim;
        float[] q0 = randomFloats(random, rows * dim);
        float[] k0 = randomFloats(random, rows * dim);
        float[] v = randomFloats(random, rows * dim);
        Rope rope = new Rope(headDim, 10000);
        float[] table = rope.table(capacity);
        float[] q = q0.clone();
        float[] k = k0.clone();
        float[] keys = new float[capacity * dim];
        float[] values = new float[capacity * dim];
        Runnable reference = () -> {
            for (int r = 0; r < rows; r++) {
                rope.rotate(q, r * dim, heads, start + r);
                rope.rotate(k, r * dim, heads, start + r);
            }
            System.arraycopy(k, 0, keys, start * dim, rows * dim);
            System.arraycopy(v, 0, values, start * dim, rows * dim);
        };
        reference.run();
        float[] expected = concat(q, k, slice(keys, start * dim, rows * dim), slice(values, start * dim, rows * dim));
        return new Op(4L * rows * dim * 6, reference, expected, (d, g) -> {
            DeviceBuffer dq = upload(d, "q", q0);
            DeviceBuffer dk = upload(d, "k", k0);
            DeviceBuffer keyCache = poisoned(d, capacity * dim);
            DeviceBuffer valueCache = poisoned(d, capacity * dim);
            DeviceBuffer cosSin = upload(d, "cos/sin", table);
            DeviceBuffer pos = upload(d, "pos", new int[] {start});
            if (rows == 1) {
                d.ops().ropeAndCacheWrite(g, "rope", dq, dk, upload(d, "v", v), keyCache, valueCache, KvCacheType.F32, cosSin, capacity,
                        pos, heads, heads, headDim);
            } else {
                d.ops().ropeAndCacheWriteRows(g, "rope rows", dq, dk, upload(d, "v", v), keyCache, valueCache, KvCacheType.F32, cosSin,
                        capacity, pos, rows, heads, heads, headDim);
            }
            return () -> concat(readFloats(d, dq, rows * dim), readFloats(d, dk, rows * dim),
                    slice(readFloats(d, keyCache, capacity * dim), start * dim, rows * dim),
                    slice(readFloats(d, valueCache, capacity * dim), start * dim, rows * dim));
        });
    }

    /** The largest of a vocabulary's logits, its index compared as a float (exact: any other index is far off). */
    private static Op argmax(Random random, int n) {
        float[] x = randomFloats(random, n);
        float[] out = new float[1];
        Runnable reference = () -> out[0] = Sampler.argmax(x, 0, n);
        reference.run();
        return new Op(4L * n + 4, reference, out.clone(), (d, g) -> {
            DeviceBuffer o = poisoned(d, 1);
            d.ops().argmax(g, o, upload(d, "x", x), n);
            return () -> {
                int[] index = new int[1];
                d.read(o, MemorySegment.ofArray(index));
                return new float[] {index[0]};
            };
        });
    }

    private static Op layerNorm(Random random, int rows, int dim) {
        float[] x = randomFloats(random, rows * dim);
        float[] w = randomFloats(random, dim);
        float[] b = randomFloats(random, dim);
        float[] out = new float[rows * dim];
        Runnable reference = () -> LayerNorm.layerNorm(out, x, w, b, rows, 1e-6f);
        reference.run();
        return new Op(4L * (2L * rows * dim + 2L * dim), reference, out.clone(), (d, g) -> {
            DeviceBuffer o = poisoned(d, rows * dim);
            d.ops().layerNorm(g, "layerNorm", o, upload(d, "x", x), upload(d, "w", w), upload(d, "b", b), rows, dim, 1e-6f);
            return () -> readFloats(d, o, rows * dim);
        });
    }

    /** The Q-Former's post-LN residual, eps 1e-12, over 8 frames' 32 queries. */
    private static Op addLayerNorm(Random random, int rows, int dim) {
        float[] x = randomFloats(random, rows * dim);
        float[] residual = randomFloats(random, rows * dim);
        float[] w = randomFloats(random, dim);
        float[] b = randomFloats(random, dim);
        float[] out = new float[rows * dim];
        Runnable reference = () -> LayerNorm.addLayerNorm(out, x, residual, w, b, rows, 1e-12f);
        reference.run();
        return new Op(4L * (3L * rows * dim + 2L * dim), reference, out.clone(), (d, g) -> {
            DeviceBuffer o = poisoned(d, rows * dim);
            d.ops().addLayerNorm(g, "addLayerNorm", o, upload(d, "x", x), upload(d, "residual", residual), upload(d, "w", w),
                    upload(d, "b", b), rows, dim, 1e-12f);
            return () -> readFloats(d, o, rows * dim);
        });
    }

    private static Op gelu(Random random, int n) {
        float[] x = randomFloats(random, n);
        float[] out = new float[n];
        Runnable reference = () -> Gelu.gelu(out, x, n);
        reference.run();
        return new Op(8L * n, reference, out.clone(), (d, g) -> {
            DeviceBuffer o = poisoned(d, n);
            d.ops().gelu(g, "gelu", o, upload(d, "x", x), n);
            return () -> readFloats(d, o, n);
        });
    }

    private static Op biasGelu(Random random, int rows, int width) {
        float[] x = randomFloats(random, rows * width);
        float[] bias = randomFloats(random, width);
        float[] out = new float[rows * width];
        Runnable reference = () -> Gelu.biasGelu(out, x, bias, rows);
        reference.run();
        return new Op(4L * (2L * rows * width + width), reference, out.clone(), (d, g) -> {
            DeviceBuffer o = poisoned(d, rows * width);
            d.ops().biasGelu(g, "biasGelu", o, upload(d, "x", x), upload(d, "bias", bias), rows, width);
            return () -> readFloats(d, o, rows * width);
        });
    }

    /** One frame's attention scores in EVA ViT-g (16 heads, 257 × 257), scaled by 1/sqrt(64) as the op does. */
    private static Op softmax(Random random, int rows, int cols, float scale) {
        float[] x = randomFloats(random, rows * cols);
        float[] out = new float[rows * cols];
        Runnable reference = () -> {
            for (int i = 0; i < out.length; i++) {
                out[i] = scale * x[i];
            }
            for (int r = 0; r < rows; r++) {
                Softmax.softmax(out, r * cols, cols);
            }
        };
        reference.run();
        return new Op(8L * rows * cols, reference, out.clone(), (d, g) -> {
            DeviceBuffer o = poisoned(d, rows * cols);
            d.ops().softmax(g, "softmax", o, upload(d, "x", x), rows, cols, scale);
            return () -> readFloats(d, o, rows * cols);
        });
    }

    /** ImageBind's head: 8 clips' embeddings of 1024 normalised and scaled by 20. */
    private static Op l2Normalize(Random random, int rows, int dim) {
        float[] x = randomFloats(random, rows * dim);
        float[] out = new float[rows * dim];
        Runnable reference = () -> L2Norm.normalize(out, x, rows, dim, 1e-12f, 20f);
        reference.run();
        return new Op(8L * rows * dim, reference, out.clone(), (d, g) -> {
            DeviceBuffer o = poisoned(d, rows * dim);
            d.ops().l2Normalize(g, "l2Normalize", o, upload(d, "x", x), rows, dim, 1e-12f, 20f);
            return () -> readFloats(d, o, rows * dim);
        });
    }

    /** A 64-token prefill's MLP middle, out of place (the reference writes into a copy of the gate). */
    private static Op swiGlu(Random random, int n) {
        float[] gate = randomFloats(random, n);
        float[] up = randomFloats(random, n);
        float[] out = new float[n];
        Runnable reference = () -> {
            System.arraycopy(gate, 0, out, 0, n);
            Activations.swiGlu(out, up, n);
        };
        reference.run();
        return new Op(12L * n, reference, out.clone(), (d, g) -> {
            DeviceBuffer o = poisoned(d, n);
            d.ops().swiGlu(g, "swiGlu", o, upload(d, "gate", gate), upload(d, "up", up), n);
            return () -> readFloats(d, o, n);
        });
    }

    private static Op add(Random random, int n) {
        float[] a = randomFloats(random, n);
        float[] b = randomFloats(random, n);
        float[] out = new float[n];
        Runnable reference = () -> Elementwise.add(out, a, b, n);
        reference.run();
        return new Op(12L * n, reference, out.clone(), (d, g) -> {
            DeviceBuffer o = poisoned(d, n);
            d.ops().add(g, "add", o, upload(d, "a", a), upload(d, "b", b), n);
            return () -> readFloats(d, o, n);
        });
    }

    private static Op addBias(Random random, int rows, int width) {
        float[] x = randomFloats(random, rows * width);
        float[] bias = randomFloats(random, width);
        float[] out = new float[rows * width];
        Runnable reference = () -> Elementwise.addBias(out, x, bias, rows);
        reference.run();
        return new Op(4L * (2L * rows * width + width), reference, out.clone(), (d, g) -> {
            DeviceBuffer o = poisoned(d, rows * width);
            d.ops().addBias(g, "addBias", o, upload(d, "x", x), upload(d, "bias", bias), rows, width);
            return () -> readFloats(d, o, rows * width);
        });
    }

    /** One RGB frame of {@code size}² into EVA ViT-g's tokens: a Conv2d of {@code patch}² kernels, stride {@code patch}. */
    private static Op patchEmbedding(Random random, int size, int patch, int width) {
        float[] images = randomFloats(random, 3 * size * size);
        Tensor weight = Tensor.ofFloats("weight", randomFloats(random, width * 3 * patch * patch), width, 3, patch, patch);
        float[] bias = randomFloats(random, width);
        int tokens = PatchEmbedding.outputSize(size, patch, patch) * PatchEmbedding.outputSize(size, patch, patch);
        float[] out = new float[tokens * width];
        Runnable reference = () -> PatchEmbedding.patchEmbed(out, images, weight, bias, 1, size, size, patch);
        reference.run();
        return new Op(4L * (images.length + weight.size() + width + out.length), reference, out.clone(), (d, g) -> {
            DeviceBuffer o = poisoned(d, out.length);
            d.ops().patchEmbedding(g, "patchEmbedding", o, upload(d, "images", images), d.upload(weight), upload(d, "bias", bias), 1,
                    size, size, patch);
            return () -> readFloats(d, o, out.length);
        });
    }

    /** 8 frames' 256 patch tokens behind the class token (no positions: {@link #addPositions} times those). */
    private static Op prependClassToken(Random random, int batch, int patches, int dim) {
        float[] tokens = randomFloats(random, batch * patches * dim);
        float[] cls = randomFloats(random, dim);
        int n = batch * (patches + 1) * dim;
        float[] out = new float[n];
        Runnable reference = () -> PatchEmbedding.prependClassToken(out, tokens, cls, batch, patches, dim);
        reference.run();
        return new Op(4L * (tokens.length + dim + n), reference, out.clone(), (d, g) -> {
            DeviceBuffer o = poisoned(d, n);
            d.ops().prependClassToken(g, "prependClassToken", o, upload(d, "tokens", tokens), upload(d, "cls", cls), null, batch,
                    patches, dim);
            return () -> readFloats(d, o, n);
        });
    }

    /** In place on 8 frames' 257 tokens. */
    private static Op addPositions(Random random, int batch, int tokens, int dim) {
        float[] x0 = randomFloats(random, batch * tokens * dim);
        float[] positions = randomFloats(random, tokens * dim);
        float[] x = x0.clone();
        Runnable reference = () -> PatchEmbedding.addPositions(x, positions, batch, tokens, dim);
        reference.run();
        return new Op(4L * (2L * x.length + positions.length), reference, x.clone(), (d, g) -> {
            DeviceBuffer dx = upload(d, "x", x0);
            d.ops().addPositions(g, "addPositions", dx, upload(d, "positions", positions), batch, tokens, dim);
            return () -> readFloats(d, dx, x0.length);
        });
    }

    private static DeviceBuffer poisoned(DeviceBackend d, int floats) {
        DeviceBuffer buffer = d.allocate("out", Math.max(4, 4L * floats));
        poison(d, buffer);
        return buffer;
    }

    private static float[] slice(float[] a, int from, int length) {
        float[] s = new float[length];
        System.arraycopy(a, from, s, 0, length);
        return s;
    }

    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] all = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
