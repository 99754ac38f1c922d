package videollama.model.audio;

import java.util.List;
import videollama.kernels.AttentionShape;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceOps;
import videollama.kernels.DeviceTensor;
import videollama.kernels.KvCacheType;
import videollama.kernels.StridedRows;
import videollama.kernels.TaskGraph;
import videollama.model.audio.ImageBindAudioWeights.Block;
import videollama.model.DeviceActivations;
import videollama.model.DeviceFloats;
import videollama.model.vision.DeviceVit;
import videollama.model.vision.VitBlock;
import videollama.weights.Tensor;

/**
 * ImageBind's audio encoder as device tasks (the twin of {@link ReferenceImageBindAudio}): its weights uploaded once in
 * their stored dtype (vectors as float32), and the forward pass over a batch of clips appended to a task graph,
 * every clip's tokens in one batched GEMM per projection:
 *
 * <pre>
 *   patches = LayerNorm(patchConv(fbank))                      [c·228, W]   (stride 10, no bias; eps 1e-5)
 *   x = [cls, patches] + positions                             [c·229, W]
 *   per block:
 *     qkv = norm_1(x)·in_projᵀ + in_proj_bias                  one GEMM, [c·229, 3W]
 *     kv = per clip [(0, bias_k, bias_v), qkv rows]            [c·230, 3W]  (prependClassToken)
 *     a = softmax(q·kᵀ / √headDim)·v                           per clip and head: q read in place from qkv,
 *                                                              k and v from kv: 229 queries over 230 keys
 *     x += a·out_projᵀ + b                                     residual fused
 *     x += gelu(norm_2(x)·fc1ᵀ + b1)·fc2ᵀ + b2                 bias + GELU in one pass, residual fused
 *   e = l2normalize(LayerNorm(x[class tokens])·headᵀ) · 20     [c, out]
 * </pre>
 *
 * The extra key and value row (ImageBind's {@code add_bias_kv}) is copied in front of each clip's projected rows
 * rather than after them, as {@code torch.nn.MultiheadAttention} puts it: attention does not depend on the order
 * of its keys, so the two differ by float32 rounding of the softmax sums only.
 */
public final class DeviceImageBindAudio {
    private final ImageBindAudioWeights w;
    private final float eps;
    private final float stemEps;
    private final float logitScale;
    private final DeviceTensor patchWeight;
    private final DeviceBuffer stemNormWeight;
    private final DeviceBuffer stemNormBias;
    private final DeviceBuffer classToken;
    private final DeviceBuffer positions;
    /** The blocks' ViT weights; bias_k and bias_v are uploaded as {@link #extraRows}. */
    private final List<VitBlock<DeviceTensor, DeviceBuffer>> blocks;
    /** Per block, the row (0, bias_k, bias_v) put before each clip's q/k/v rows. */
    private final List<DeviceBuffer> extraRows;
    private final DeviceBuffer headNormWeight;
    private final DeviceBuffer headNormBias;
    private final DeviceTensor head;

    /** The activations of one batch of clips, kept on the device between the tasks and between replays. */
    public record Activations(int clips, DeviceBuffer patches, DeviceBuffer x, DeviceBuffer xb, DeviceBuffer qkv,
                              DeviceBuffer keysValues, DeviceBuffer attention, DeviceBuffer hidden, DeviceBuffer zeros,
                              DeviceBuffer classTokens, DeviceBuffer headNorm, DeviceBuffer out)
            implements DeviceActivations, DeviceVit.BlockActivations {
        /** The encoder's output [clips, outWidth] after the appended tasks: normalised, scaled embeddings. */
        public DeviceBuffer out() {
            return out;
        }

        @Override
        public List<DeviceBuffer> buffers() {
            return List.of(patches, x, xb, qkv, keysValues, attention, hidden, zeros, classTokens, headNorm, out);
        }
    }

    /** Uploads the weights. */
    public DeviceImageBindAudio(ImageBindAudioWeights weights, AudioEncoderSettings settings, DeviceBackend device) {
        this.w = weights;
        this.eps = settings.layerNormEps();
        this.stemEps = settings.stemLayerNormEps();
        this.logitScale = weights.logitScale(settings);
        this.patchWeight = device.upload(weights.patchWeight);
        this.stemNormWeight = DeviceFloats.upload(device, weights.stemNormWeight);
        this.stemNormBias = DeviceFloats.upload(device, weights.stemNormBias);
        this.classToken = DeviceFloats.upload(device, weights.classToken);
        this.positions = DeviceFloats.upload(device, weights.positions);
        this.blocks = weights.blocks.stream().map(b -> b.vit().map(device::upload, t -> DeviceFloats.upload(device, t))).toList();
        this.extraRows = weights.blocks.stream()
                .map(b -> DeviceFloats.upload(device, b.biasK().name() + " row", extraRow(b, weights.width))).toList();
        this.headNormWeight = DeviceFloats.upload(device, weights.headNormWeight);
        this.headNormBias = DeviceFloats.upload(device, weights.headNormBias);
        this.head = device.upload(weights.headWeight);
    }

    /** A q/k/v row whose key is {@code bias_k} and value {@code bias_v}; its query third is never read. */
    private static float[] extraRow(Block<Tensor, Tensor> b, int width) {
        float[] row = new float[3 * width];
        System.arraycopy(b.biasK().toFloatArray(), 0, row, width, width);
        System.arraycopy(b.biasV().toFloatArray(), 0, row, 2 * width, width);
        return row;
    }

    public ImageBindAudioWeights weights() {
        return w;
    }

    /** Float32 activations for {@code clips} clips. */
    public Activations allocate(DeviceBackend device, int clips) {
        long rows = (long) clips * w.tokens;
        long d = w.width;
        DeviceBuffer zeros = device.allocate("audio zero queries", 4L * clips * d);
        device.fill(zeros, 0);
        return new Activations(clips,
                device.allocate("audio patches", 4L * clips * w.patches * d),
                device.allocate("audio x", 4L * rows * d),
                device.allocate("audio xb", 4L * rows * d),
                device.allocate("audio qkv", 4L * rows * 3 * d),
                device.allocate("audio qkv with bias_kv", 4L * (rows + clips) * 3 * d),
                device.allocate("audio attention", 4L * rows * d),
                device.allocate("audio mlp", 4L * rows * w.mlpWidth),
                zeros,
                device.allocate("audio class tokens", 4L * clips * d),
                device.allocate("audio head norm", 4L * clips * d),
                device.allocate("audio embeddings", 4L * clips * w.outWidth));
    }

    /**
     * Appends the encoder over {@code a.clips()} clips.
     *
     * @param fbank [clips, 1, MEL_BINS, FRAMES] float32 on the device
     * @param a     activations from {@link #allocate}; the result is left in {@link Activations#out()}
     */
    public void append(TaskGraph g, DeviceOps ops, DeviceBuffer fbank, Activations a) {
        int c = a.clips();
        int d = w.width;
        int n = w.tokens;
        int rows = Math.multiplyExact(c, n);
        ops.patchEmbedding(g, "audio patch embedding", a.patches(), fbank, patchWeight, null, c, ImageBindAudioWeights.MEL_BINS,
                ImageBindAudioWeights.FRAMES, ImageBindAudioWeights.STRIDE);
        ops.layerNorm(g, "audio stem norm", a.patches(), a.patches(), stemNormWeight, stemNormBias, c * w.patches, d, stemEps);
        ops.prependClassToken(g, "audio class token + positions", a.x(), a.patches(), classToken, positions, c, w.patches, d);
        AttentionShape shape = new AttentionShape(c, n, n + 1, w.heads, w.heads, w.headDim, AttentionShape.defaultScale(w.headDim),
                false, 0);
        for (int i = 0; i < blocks.size(); i++) {
            String p = "layer " + i + " audio ";
            DeviceBuffer extraRow = extraRows.get(i);
            DeviceVit.appendBlock(g, ops, p, ImageBindAudioWeights.NAMES, blocks.get(i), a, rows, d, w.mlpWidth, eps, () -> {
                ops.prependClassToken(g, p + "bias_k/bias_v row", a.keysValues(), a.qkv(), extraRow, null, c, n, 3 * d);
                ops.attention(g, p + "attention", StridedRows.dense(a.attention(), d), new StridedRows(a.qkv(), 0, 3 * d),
                        new StridedRows(a.keysValues(), d, 3 * d), new StridedRows(a.keysValues(), 2 * d, 3 * d),
                        KvCacheType.F32, shape);
            });
        }
        selectClassTokens(g, ops, a);
        ops.layerNorm(g, "audio head norm", a.headNorm(), a.classTokens(), headNormWeight, headNormBias, c, d, eps);
        ops.linear(g, "audio head", a.out(), a.headNorm(), head, null, null, c, w.outWidth, d);
        ops.l2Normalize(g, "audio normalize + logit scale", a.out(), a.out(), c, w.outWidth, ReferenceImageBindAudio.L2_EPS, logitScale);
    }

    /**
     * Copies token 0 of each clip ({@code x} row {@code clip · tokens}) into the dense [clips, width] buffer the
     * head reads. DeviceOps has no strided copy, but attention over a single key is one: with zero queries the
     * score is 0 and its softmax weight exp(0) / exp(0) = 1 exactly, so each output row is its value row, bit
     * for bit, however large the values.
     */
    private void selectClassTokens(TaskGraph g, DeviceOps ops, Activations a) {
        int d = w.width;
        StridedRows classRows = new StridedRows(a.x(), 0, w.tokens * d);
        ops.attention(g, "audio class tokens", StridedRows.dense(a.classTokens(), d), StridedRows.dense(a.zeros(), d),
                classRows, classRows, KvCacheType.F32,
                new AttentionShape(a.clips(), 1, 1, w.heads, w.heads, w.headDim, 1f, false, 0));
    }
}
