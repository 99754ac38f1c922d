package videollama.model.vision;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import videollama.kernels.AttentionShape;
import videollama.kernels.reference.Gelu;
import videollama.kernels.reference.LayerNorm;
import videollama.kernels.reference.Linear;
import videollama.kernels.reference.MultiHeadAttention;
import videollama.kernels.reference.PatchEmbedding;
import videollama.kernels.reference.WeightMatrix;

/**
 * BLIP-2's EVA ViT-g/14 in plain Java, float32, as LAVIS' {@code eva_vit.py} computes it (docs/model.md sections 2.1,
 * 4.1): patch convolution with bias, class token, learned positions, then pre-norm blocks with {@code q_bias},
 * a zero key bias and {@code v_bias}, q scaled by {@code headDim^-0.5} before {@code q·kᵀ}, and exact-GELU
 * MLPs. There is no final norm: the last block's output for all tokens is the result (ln_vision follows
 * outside). The oracle the device path is checked against; weights are read in place, widened on the fly.
 */
public final class EvaVit {
    private final EvaVitWeights w;
    private final int heads;
    private final int headDim;
    private final float eps;
    /** {@code headDim^-0.5} as EVA's {@code self.scale}, a Python float rounded to float32 when it meets the tensor. */
    private final float scale;
    private final float[] patchBias;
    private final float[] classToken;
    private final float[] positions;
    private final List<Block> blocks;

    /** A block's matrices as read-in-place views, its vectors widened (the qkv bias assembled once). */
    private record Block(float[] norm1Weight, float[] norm1Bias, WeightMatrix qkv, float[] qkvBias, WeightMatrix proj,
                         float[] projBias, float[] norm2Weight, float[] norm2Bias, WeightMatrix fc1, float[] fc1Bias,
                         WeightMatrix fc2, float[] fc2Bias) {}

    public EvaVit(EvaVitWeights weights, EvaVitSettings settings) {
        this.w = weights;
        this.heads = settings.heads();
        this.headDim = weights.width / heads;
        this.eps = settings.layerNormEps();
        this.scale = (float) Math.pow(headDim, -0.5);
        this.patchBias = weights.patchBias.toFloatArray();
        this.classToken = weights.classToken.toFloatArray();
        this.positions = weights.positions.toFloatArray();
        this.blocks = weights.blocks.stream().map(b -> new Block(
                b.norm1Weight().toFloatArray(), b.norm1Bias().toFloatArray(), new WeightMatrix(b.qkvWeight()),
                qkvBias(b, weights.width), new WeightMatrix(b.projWeight()), b.projBias().toFloatArray(),
                b.norm2Weight().toFloatArray(), b.norm2Bias().toFloatArray(), new WeightMatrix(b.fc1Weight()),
                b.fc1Bias().toFloatArray(), new WeightMatrix(b.fc2Weight()), b.fc2Bias().toFloatArray())).toList();
    }

    /** EVA's {@code torch.cat((q_bias, torch.zeros_like(v_bias), v_bias))}: the key projection has no bias. */
    static float[] qkvBias(EvaVitWeights.Block b, int width) {
        float[] bias = new float[3 * width];
        System.arraycopy(b.qBias().toFloatArray(), 0, bias, 0, width);
        System.arraycopy(b.vBias().toFloatArray(), 0, bias, 2 * width, width);
        return bias;
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
        int frameSize = w.frameSize();
        if (t < 1 || frames.length != (long) t * frameSize) {
            throw new IllegalArgumentException(t + " frames of " + frameSize + " floats need " + (long) t * frameSize
                    + " floats, got " + frames.length);
        }
        int tokenFloats = w.tokens * w.width;
        float[] out = new float[Math.multiplyExact(t, tokenFloats)];
        for (int f = 0; f < t; f++) {
            float[] x = forwardFrame(Arrays.copyOfRange(frames, f * frameSize, (f + 1) * frameSize));
            System.arraycopy(x, 0, out, f * tokenFloats, tokenFloats);
            frameDone.accept(f);
        }
        return out;
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

        float[] xb = new float[n * d];                 // a normalised copy of it
        float[] qkv = new float[n * 3 * d];
        float[] q = new float[n * d];
        float[] k = new float[n * d];
        float[] v = new float[n * d];
        float[] attention = new float[n * d];
        float[] hidden = new float[n * w.mlpWidth];
        // EVA scales q before the product, so the product itself is taken with scale 1
        AttentionShape shape = new AttentionShape(1, n, n, heads, heads, headDim, 1f, false, 0);
        for (Block b : blocks) {
            // x += proj(attention(norm1(x)))
            LayerNorm.layerNorm(xb, x, b.norm1Weight(), b.norm1Bias(), n, eps);
            Linear.linear(qkv, b.qkv(), xb, b.qkvBias(), null, n);
            for (int row = 0; row < n; row++) {
                int base = row * 3 * d;
                for (int i = 0; i < d; i++) {
                    q[row * d + i] = qkv[base + i] * scale;
                    k[row * d + i] = qkv[base + d + i];
                    v[row * d + i] = qkv[base + 2 * d + i];
                }
            }
            MultiHeadAttention.attention(attention, q, k, v, shape);
            Linear.linear(x, b.proj(), attention, b.projBias(), x, n);

            // x += fc2(gelu(fc1(norm2(x))))
            LayerNorm.layerNorm(xb, x, b.norm2Weight(), b.norm2Bias(), n, eps);
            Linear.linear(hidden, b.fc1(), xb, null, null, n);
            Gelu.biasGelu(hidden, hidden, b.fc1Bias(), n);
            Linear.linear(x, b.fc2(), hidden, b.fc2Bias(), x, n);
        }
        return x;
    }
}
