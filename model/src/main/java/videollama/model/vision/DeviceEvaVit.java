package videollama.model.vision;

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

/**
 * The EVA ViT as device tasks (the twin of {@link ReferenceEvaVit}): its weights uploaded once in their stored dtype
 * (vectors as float32), and the forward pass over a batch of frames appended to a task graph, every frame's
 * tokens in one batched GEMM per projection:
 *
 * <pre>
 *   tokens = patchConv(frames) + bias                  [t·256, W]
 *   x = [cls, tokens] + positions                      [t·257, W]
 *   per block:
 *     qkv = norm1(x)·Wqkvᵀ + [q_bias, 0, v_bias]       one GEMM, [t·257, 3W]
 *     a = softmax(q·kᵀ · headDim^-0.5)·v               per frame and head, q/k/v read in place from qkv
 *     x += a·Wprojᵀ + b                                residual fused
 *     x += gelu(norm2(x)·Wfc1ᵀ + b1)·Wfc2ᵀ + b2        bias + GELU in one pass, residual fused
 * </pre>
 *
 * The device scales q·kᵀ where EVA scales q before it: the two differ by float32 rounding only.
 */
public final class DeviceEvaVit {
    private final EvaVitWeights w;
    private final float eps;
    private final float scale;
    private final DeviceTensor patchWeight;
    private final DeviceBuffer patchBias;
    private final DeviceBuffer classToken;
    private final DeviceBuffer positions;
    /** The blocks' matrices as uploaded (stored dtype), their vectors as float32. */
    private final List<VitBlock<DeviceTensor, DeviceBuffer>> blocks;

    /** The activations of one batch of frames, kept on the device between the tasks and between replays. */
    public record Activations(int frames, DeviceBuffer patches, DeviceBuffer x, DeviceBuffer xb, DeviceBuffer qkv,
                              DeviceBuffer attention, DeviceBuffer hidden) implements DeviceActivations, DeviceVit.BlockActivations {
        /** The ViT's output [frames · tokens, width] after the appended tasks: the residual stream. */
        public DeviceBuffer out() {
            return x;
        }

        @Override
        public List<DeviceBuffer> buffers() {
            return List.of(patches, x, xb, qkv, attention, hidden);
        }
    }

    /** Uploads the weights. */
    public DeviceEvaVit(EvaVitWeights weights, EvaVitSettings settings, DeviceBackend device) {
        this.w = weights;
        this.eps = settings.layerNormEps();
        this.scale = (float) Math.pow(weights.headDim, -0.5);
        this.patchWeight = device.upload(weights.patchWeight);
        this.patchBias = DeviceFloats.upload(device, weights.patchBias);
        this.classToken = DeviceFloats.upload(device, weights.classToken);
        this.positions = DeviceFloats.upload(device, weights.positions);
        this.blocks = weights.blocks.stream().map(b -> b.map(device::upload, t -> DeviceFloats.upload(device, t))).toList();
    }

    public EvaVitWeights weights() {
        return w;
    }

    /** Float32 activations for {@code t} frames. */
    public Activations allocate(DeviceBackend device, int t) {
        long rows = (long) t * w.tokens;
        return new Activations(t,
                device.allocate("vit patches", 4L * t * w.patches * w.width),
                device.allocate("vit x", 4L * rows * w.width),
                device.allocate("vit xb", 4L * rows * w.width),
                device.allocate("vit qkv", 4L * rows * 3 * w.width),
                device.allocate("vit attention", 4L * rows * w.width),
                device.allocate("vit mlp", 4L * rows * w.mlpWidth));
    }

    /**
     * Appends the ViT over {@code a.frames()} frames.
     *
     * @param frames [t, channels, imageSize, imageSize] float32 on the device
     * @param a      activations from {@link #allocate}; the result is left in {@link Activations#out()}
     */
    public void append(TaskGraph g, DeviceOps ops, DeviceBuffer frames, Activations a) {
        int t = a.frames();
        int d = w.width;
        int rows = Math.multiplyExact(t, w.tokens);
        ops.patchEmbedding(g, "vit patch embedding", a.patches(), frames, patchWeight, patchBias, t, w.imageSize, w.imageSize,
                w.patchSize);
        ops.prependClassToken(g, "vit class token + positions", a.x(), a.patches(), classToken, positions, t, w.patches, d);
        AttentionShape shape = new AttentionShape(t, w.tokens, w.tokens, w.heads, w.heads, w.headDim, scale, false, 0);
        for (int i = 0; i < blocks.size(); i++) {
            String p = "layer " + i + " vit ";
            DeviceVit.appendBlock(g, ops, p, EvaVitWeights.NAMES, blocks.get(i), a, rows, d, w.mlpWidth, eps,
                    () -> ops.attention(g, p + "attention", StridedRows.dense(a.attention(), d), new StridedRows(a.qkv(), 0, 3 * d),
                            new StridedRows(a.qkv(), d, 3 * d), new StridedRows(a.qkv(), 2 * d, 3 * d), KvCacheType.F32, shape));
        }
    }
}
