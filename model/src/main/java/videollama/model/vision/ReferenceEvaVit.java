package videollama.model.vision;

import static videollama.kernels.reference.MultiHeadAttention.attention;

import java.util.List;
import java.util.function.IntConsumer;
import videollama.kernels.reference.PatchEmbedding;
import videollama.kernels.reference.WeightMatrix;
import videollama.weights.Tensor;

/**
 * The plain-Java float32 reference of BLIP-2's EVA ViT-g/14, the oracle {@link DeviceEvaVit} is checked
 * against, as LAVIS' {@code eva_vit.py} computes it (docs/model.md sections 2.1, 4.1): patch convolution with
 * bias, class token, learned positions, then pre-norm blocks with {@code q_bias}, a zero key bias and
 * {@code v_bias}, q scaled by {@code headDim^-0.5} before {@code q·kᵀ}, and exact-GELU MLPs. There is no final norm: the last block's output for all tokens is the result (ln_vision follows
 * outside). Weights are read in place, widened on the fly.
 */
public final class ReferenceEvaVit {
    private final EvaVitWeights w;
    private final float eps;
    /** {@code headDim^-0.5} as EVA's {@code self.scale}, a Python float rounded to float32 when it meets the tensor. */
    private final float scale;
    private final float[] patchBias;
    private final float[] classToken;
    private final float[] positions;
    /** The blocks' matrices as read-in-place views, their vectors widened. */
    private final List<VitBlock<WeightMatrix, float[]>> blocks;

    public ReferenceEvaVit(EvaVitWeights weights, EvaVitSettings settings) {
        this.w = weights;
        this.eps = settings.layerNormEps();
        this.scale = (float) Math.pow(weights.headDim, -0.5);
        this.patchBias = weights.patchBias.toFloatArray();
        this.classToken = weights.classToken.toFloatArray();
        this.positions = weights.positions.toFloatArray();
        this.blocks = weights.blocks.stream().map(b -> b.map(WeightMatrix::new, Tensor::toFloatArray)).toList();
    }

    public EvaVitWeights weights() {
        return w;
    }

    /**
     * The ViT over {@code t} frames, one frame at a time.
     *
     * @param frames    [t, channels, imageSize, imageSize], normalised pixels
     * @param frameDone called with the 0-based index of each frame when it is done (progress)
     * @return [t, tokens, width]: the last block's output, before ln_vision
     */
    public float[] forward(float[] frames, int t, IntConsumer frameDone) {
        return ReferenceVit.eachInput(frames, t, w.frameSize(), w.tokens * w.width, "frames", this::forwardFrame, frameDone);
    }

    /** One frame [channels, imageSize, imageSize] → its tokens [tokens, width]. */
    float[] forwardFrame(float[] frame) {
        int n = w.tokens;
        int d = w.width;
        float[] patches = new float[w.patches * d];
        PatchEmbedding.patchEmbed(patches, frame, w.patchWeight, patchBias, 1, w.imageSize, w.imageSize, w.patchSize);
        float[] x = new float[n * d];                  // the residual stream
        PatchEmbedding.prependClassToken(x, patches, classToken, 1, w.patches, d);
        PatchEmbedding.addPositions(x, positions, 1, n, d);

        for (VitBlock<WeightMatrix, float[]> b : blocks) {
            x = ReferenceVit.block(b, x, eps, this::scaledQAttention);
        }
        return x;
    }

    /** EVA's attention, scaling q before the product (so the product's scale is 1): qkv [tokens, 3W] → [tokens, W]. */
    private float[] scaledQAttention(float[] qkv) {
        int n = w.tokens;
        int d = w.width;
        float[] q = new float[n * d];
        float[] k = new float[n * d];
        float[] v = new float[n * d];
        for (int row = 0; row < n; row++) {
            int base = row * 3 * d;
            for (int i = 0; i < d; i++) {
                q[row * d + i] = qkv[base + i] * scale;
                k[row * d + i] = qkv[base + d + i];
                v[row * d + i] = qkv[base + 2 * d + i];
            }
        }
        return attention(q, k, v, 1, w.heads, w.headDim, 1f);
    }
}
