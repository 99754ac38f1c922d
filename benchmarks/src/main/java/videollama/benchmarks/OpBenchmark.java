package videollama.benchmarks;

import static videollama.benchmarks.BenchSupport.poison;
import static videollama.benchmarks.BenchSupport.randomFloats;
import static videollama.benchmarks.BenchSupport.readFloats;
import static videollama.benchmarks.BenchSupport.upload;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import videollama.kernels.Cost;
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
 * and {@code linearGelu} ({@code GemmBenchmark}, {@code -p gelu=true}), {@code attention} ({@code AttentionBenchmark}),
 * {@code decodeAttention} ({@link AttentionDecodeBenchmark}).
 *
 * <p>Backends: {@code reference} times the op's plain-Java twin in {@code videollama.kernels.reference} (argmax:
 * {@link Sampler#argmax}), {@code opencl} the device's op as its catalogue picks it, {@code cuda} (not in the
 * default sweep: {@code -p backend=cuda}) the CUDA one. Before a device op is timed its output (every buffer it
 * writes, poisoned first) is checked against the reference on fresh random inputs, as the op's contract test
 * does. An op that works in place (the rotary embedding, the positions) keeps working on its own output while it
 * is timed: the cost does not depend on the values.
 */
public class OpBenchmark extends KernelBenchmark {
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

    /** Reads the device op's outputs back, every buffer it writes one after another. */
    private Supplier<float[]> outputs;

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

    /**
     * The op's outputs are poisoned once, when it is appended, and checked after one call: an op that works in place
     * could not be run again on its result.
     */
    @Override
    protected void build() {
        Op opCase = op(op, BenchSupport.freshRandom());
        expected = opCase.expected();
        cost = new Cost(opCase.bytes(), 0);
        tolerance = TOLERANCE;
        if (backend.equals("reference")) {
            hostOut = new float[0][];
            reference = opCase.reference();
            return;
        }
        device = BenchSupport.openDevice(backend);
        out = new DeviceBuffer[0];
        TaskGraph g = device.graph(op);
        outputs = opCase.device().append(device, g);
        plans = new GraphPlan[] {g.build()};
    }

    @Benchmark
    public Object run(Traffic traffic) {
        return call(traffic);
    }

    @Override
    float[] result() {
        return device == null ? super.result() : outputs.get();
    }

    /** The case of op {@code name} on random inputs from {@code random}. */
    static Op op(String name, Random random) {
        return switch (name) {
            case "embedding" -> embedding(random, 1024, 4096);
            case "rmsNorm" -> rowOp(4096, random, new int[] {4096, 4096}, (out, in) -> RmsNorm.rmsNorm(out, in[0], in[1], 1, 1e-5f),
                    (ops, g, out, in) -> ops.rmsNorm(g, name, out, in[0], in[1], 1, 4096, 1e-5f));
            case "ropeAndCacheWrite" -> rope(random, 1, 300, 512);
            case "ropeAndCacheWriteRows" -> rope(random, 64, 128, 512);
            case "argmax" -> argmax(random, 32000);
            case "layerNorm" -> rowOp(257 * 1408, random, new int[] {257 * 1408, 1408, 1408},
                    (out, in) -> LayerNorm.layerNorm(out, in[0], in[1], in[2], 257, 1e-6f),
                    (ops, g, out, in) -> ops.layerNorm(g, name, out, in[0], in[1], in[2], 257, 1408, 1e-6f));
            // the Q-Former's post-LN residual, eps 1e-12, over 8 frames' 32 queries
            case "addLayerNorm" -> rowOp(256 * 768, random, new int[] {256 * 768, 256 * 768, 768, 768},
                    (out, in) -> LayerNorm.addLayerNorm(out, in[0], in[1], in[2], in[3], 256, 1e-12f),
                    (ops, g, out, in) -> ops.addLayerNorm(g, name, out, in[0], in[1], in[2], in[3], 256, 768, 1e-12f));
            case "gelu" -> rowOp(257 * 6144, random, new int[] {257 * 6144}, (out, in) -> Gelu.gelu(out, in[0], 257 * 6144),
                    (ops, g, out, in) -> ops.gelu(g, name, out, in[0], 257 * 6144));
            case "biasGelu" -> rowOp(257 * 6144, random, new int[] {257 * 6144, 6144}, (out, in) -> Gelu.biasGelu(out, in[0], in[1], 257),
                    (ops, g, out, in) -> ops.biasGelu(g, name, out, in[0], in[1], 257, 6144));
            // one frame's attention scores in EVA ViT-g (16 heads, 257 × 257), scaled by 1/sqrt(64) as the op does
            case "softmax" -> rowOp(16 * 257 * 257, random, new int[] {16 * 257 * 257}, (out, in) -> scaledSoftmax(out, in[0], 257, 0.125f),
                    (ops, g, out, in) -> ops.softmax(g, name, out, in[0], 16 * 257, 257, 0.125f));
            // ImageBind's head: 8 clips' embeddings of 1024 normalised and scaled by 20
            case "l2Normalize" -> rowOp(8 * 1024, random, new int[] {8 * 1024}, (out, in) -> L2Norm.normalize(out, in[0], 8, 1024, 1e-12f, 20f),
                    (ops, g, out, in) -> ops.l2Normalize(g, name, out, in[0], 8, 1024, 1e-12f, 20f));
            // a 64-token prefill's MLP middle, out of place (the reference writes into a copy of the gate)
            case "swiGlu" -> rowOp(64 * 11008, random, new int[] {64 * 11008, 64 * 11008}, (out, in) -> {
                System.arraycopy(in[0], 0, out, 0, out.length);
                Activations.swiGlu(out, in[1], out.length);
            }, (ops, g, out, in) -> ops.swiGlu(g, name, out, in[0], in[1], 64 * 11008));
            case "add" -> rowOp(257 * 1408, random, new int[] {257 * 1408, 257 * 1408}, (out, in) -> Elementwise.add(out, in[0], in[1], out.length),
                    (ops, g, out, in) -> ops.add(g, name, out, in[0], in[1], 257 * 1408));
            case "addBias" -> rowOp(257 * 1408, random, new int[] {257 * 1408, 1408}, (out, in) -> Elementwise.addBias(out, in[0], in[1], 257),
                    (ops, g, out, in) -> ops.addBias(g, name, out, in[0], in[1], 257, 1408));
            case "patchEmbedding" -> patchEmbedding(random, 224, 14, 1408);
            // 8 frames' 256 patch tokens behind the class token (no positions: addPositions times those)
            case "prependClassToken" -> rowOp(8 * 257 * 1408, random, new int[] {8 * 256 * 1408, 1408},
                    (out, in) -> PatchEmbedding.prependClassToken(out, in[0], in[1], 8, 256, 1408),
                    (ops, g, out, in) -> ops.prependClassToken(g, name, out, in[0], in[1], null, 8, 256, 1408));
            case "addPositions" -> addPositions(random, 8, 257, 1408);
            default -> throw new IllegalArgumentException("op " + name + ": not one of " + OPS);
        };
    }

    /** The reference of an op from float arrays into one output. */
    @FunctionalInterface
    private interface HostOp {
        void run(float[] out, float[][] inputs);
    }

    /** The device op on the same inputs, uploaded. */
    @FunctionalInterface
    private interface DeviceOp {
        void append(DeviceOps ops, TaskGraph g, DeviceBuffer out, DeviceBuffer[] inputs);
    }

    /**
     * An op that reads random float32 inputs of {@code sizes} and writes one output of {@code n} floats: most of the
     * row-wise and element-wise ones.
     */
    private static Op rowOp(int n, Random random, int[] sizes, HostOp host, DeviceOp device) {
        float[][] inputs = new float[sizes.length][];
        long bytes = 4L * n;
        for (int i = 0; i < sizes.length; i++) {
            inputs[i] = randomFloats(random, sizes[i]);
            bytes += 4L * sizes[i];
        }
        float[] out = new float[n];
        Runnable reference = () -> host.run(out, inputs);
        reference.run();
        return new Op(bytes, reference, out.clone(), (d, g) -> {
            DeviceBuffer o = poisoned(d, n);
            DeviceBuffer[] in = new DeviceBuffer[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                in[i] = upload(d, "in " + i, inputs[i]);
            }
            device.append(d.ops(), g, o, in);
            return () -> readFloats(d, o, n);
        });
    }

    /** Softmax of each row of {@code cols} of {@code scale · x}, as the op computes it. */
    private static void scaledSoftmax(float[] out, float[] x, int cols, float scale) {
        for (int i = 0; i < out.length; i++) {
            out[i] = scale * x[i];
        }
        for (int row = 0; row < out.length / cols; row++) {
            Softmax.softmax(out, row * cols, cols);
        }
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
}
