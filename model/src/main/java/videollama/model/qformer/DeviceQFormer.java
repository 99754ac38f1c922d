package videollama.model.qformer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import videollama.kernels.AttentionShape;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceOps;
import videollama.kernels.DeviceTensor;
import videollama.kernels.KvCacheType;
import videollama.kernels.StridedRows;
import videollama.kernels.TaskGraph;
import videollama.model.DeviceActivations;
import videollama.model.DeviceFloats;
import videollama.model.qformer.QFormerWeights.Attention;
import videollama.model.qformer.QFormerWeights.Layer;

/**
 * A Q-Former as device tasks (the twin of {@link ReferenceQFormer}): weights uploaded once, and the query path over
 * {@code sets} independent inputs appended to a task graph, the sets' rows batched in each GEMM:
 *
 * <pre>
 *   x = LayerNorm(query tokens, repeated per set)          [sets·Q, H]
 *   per layer:
 *     x = LayerNorm(dense(attention(q(x), k(x), v(x))) + x)          self-attention within each set
 *     x = LayerNorm(dense(attention(q(x), k(enc), v(enc))) + x)      on cross-attention layers; set s reads its
 *                                                                    own encoder rows
 *     x = LayerNorm(output(gelu(intermediate(x) + b)) + x)
 * </pre>
 */
public final class DeviceQFormer {
    private final QFormerWeights w;
    private final float eps;
    private final DeviceBuffer embedNormWeight;
    private final DeviceBuffer embedNormBias;
    /** The layers' matrices as uploaded (stored dtype), their vectors as float32. */
    private final List<Layer<DeviceTensor, DeviceBuffer>> layers;

    /**
     * The activations of one batch of {@code sets} inputs of {@code encoderTokens} rows each; {@code queryTokens}
     * holds the query tokens repeated per set (written once, when allocated).
     */
    public record Activations(int sets, int encoderTokens, DeviceBuffer queryTokens, DeviceBuffer x, DeviceBuffer q,
                              DeviceBuffer k, DeviceBuffer v, DeviceBuffer attention, DeviceBuffer dense, DeviceBuffer hidden,
                              DeviceBuffer encoderKeys, DeviceBuffer encoderValues) implements DeviceActivations {
        /** The Q-Former's output [sets · queries, hidden] after the appended tasks. */
        public DeviceBuffer out() {
            return x;
        }

        @Override
        public List<DeviceBuffer> buffers() {
            return List.of(queryTokens, x, q, k, v, attention, dense, hidden, encoderKeys, encoderValues);
        }
    }

    /** Uploads the weights. */
    public DeviceQFormer(QFormerWeights weights, QFormerSettings settings, DeviceBackend device) {
        this.w = weights;
        this.eps = settings.layerNormEps();
        this.embedNormWeight = DeviceFloats.upload(device, weights.embedNormWeight);
        this.embedNormBias = DeviceFloats.upload(device, weights.embedNormBias);
        this.layers = weights.layers.stream().map(l -> l.map(device::upload, t -> DeviceFloats.upload(device, t))).toList();
    }

    public QFormerWeights weights() {
        return w;
    }

    /** Float32 activations for {@code sets} inputs of {@code encoderTokens} rows; writes the repeated query tokens. */
    public Activations allocate(DeviceBackend device, int sets, int encoderTokens) {
        long rows = (long) sets * w.queries;
        long encoderRows = (long) sets * encoderTokens;
        String n = w.name + " ";
        Activations a = new Activations(sets, encoderTokens,
                device.allocate(n + "query tokens", 4L * rows * w.hidden),
                device.allocate(n + "x", 4L * rows * w.hidden),
                device.allocate(n + "q", 4L * rows * w.hidden),
                device.allocate(n + "k", 4L * rows * w.hidden),
                device.allocate(n + "v", 4L * rows * w.hidden),
                device.allocate(n + "attention", 4L * rows * w.hidden),
                device.allocate(n + "dense", 4L * rows * w.hidden),
                device.allocate(n + "ffn", 4L * rows * w.intermediate),
                device.allocate(n + "encoder keys", 4L * encoderRows * w.hidden),
                device.allocate(n + "encoder values", 4L * encoderRows * w.hidden));
        float[] tokens = w.queryTokens.toFloatArray();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment repeated = arena.allocate(ValueLayout.JAVA_FLOAT, rows * w.hidden);
            for (int s = 0; s < sets; s++) {
                MemorySegment.copy(tokens, 0, repeated, ValueLayout.JAVA_FLOAT, 4L * s * tokens.length, tokens.length);
            }
            device.write(a.queryTokens(), repeated);
        }
        return a;
    }

    /**
     * Appends the Q-Former.
     *
     * @param encoder [sets · encoderTokens, encoderWidth] float32 on the device
     * @param a       activations from {@link #allocate}; the result is left in {@link Activations#out()}
     */
    public void append(TaskGraph g, DeviceOps ops, DeviceBuffer encoder, Activations a) {
        int rows = a.sets() * w.queries;
        int encoderRows = a.sets() * a.encoderTokens();
        int h = w.hidden;
        ops.layerNorm(g, w.name + " query norm", a.x(), a.queryTokens(), embedNormWeight, embedNormBias, rows, h, eps);
        AttentionShape self = new AttentionShape(a.sets(), w.queries, w.queries, w.heads, w.heads, w.headDim,
                AttentionShape.defaultScale(w.headDim), false, 0);
        AttentionShape cross = new AttentionShape(a.sets(), w.queries, a.encoderTokens(), w.heads, w.heads, w.headDim,
                AttentionShape.defaultScale(w.headDim), false, 0);
        for (int i = 0; i < layers.size(); i++) {
            Layer<DeviceTensor, DeviceBuffer> l = layers.get(i);
            String p = "layer " + i + " " + w.name + " ";
            attend(g, ops, p + "self ", l.selfAttention(), a, a.x(), h, rows, a.k(), a.v(), self);
            if (l.crossAttends()) {
                attend(g, ops, p + "cross ", l.crossAttention(), a, encoder, w.encoderWidth, encoderRows, a.encoderKeys(), a.encoderValues(), cross);
            }
            ops.linearGelu(g, p + "intermediate + bias + gelu", a.hidden(), a.x(), l.intermediateWeight(), l.intermediateBias(),
                    rows, w.intermediate, h);
            ops.linear(g, p + "output", a.dense(), a.hidden(), l.outputWeight(), l.outputBias(), null, rows, h, w.intermediate);
            ops.addLayerNorm(g, p + "output norm", a.x(), a.dense(), a.x(), l.outputNormWeight(), l.outputNormBias(), rows, h, eps);
        }
    }

    /** {@code x = LayerNorm(dense(attention(q(x), k(source), v(source))) + x)}. */
    private void attend(TaskGraph g, DeviceOps ops, String p, Attention<DeviceTensor, DeviceBuffer> at, Activations a, DeviceBuffer source, int sourceWidth,
                        int sourceRows, DeviceBuffer keys, DeviceBuffer values, AttentionShape shape) {
        int rows = a.sets() * w.queries;
        int h = w.hidden;
        ops.linear(g, p + "q", a.q(), a.x(), at.queryWeight(), at.queryBias(), null, rows, h, h);
        ops.linear(g, p + "k", keys, source, at.keyWeight(), at.keyBias(), null, sourceRows, h, sourceWidth);
        ops.linear(g, p + "v", values, source, at.valueWeight(), at.valueBias(), null, sourceRows, h, sourceWidth);
        ops.attention(g, p + "attention", StridedRows.dense(a.attention(), h), StridedRows.dense(a.q(), h),
                StridedRows.dense(keys, h), StridedRows.dense(values, h), KvCacheType.F32, shape);
        ops.linear(g, p + "dense", a.dense(), a.attention(), at.denseWeight(), at.denseBias(), null, rows, h, h);
        ops.addLayerNorm(g, p + "norm", a.x(), a.dense(), a.x(), at.normWeight(), at.normBias(), rows, h, eps);
    }
}
