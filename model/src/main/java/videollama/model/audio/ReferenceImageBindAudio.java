package videollama.model.audio;

import static videollama.kernels.reference.LayerNorm.layerNorm;
import static videollama.kernels.reference.Linear.linear;
import static videollama.kernels.reference.MultiHeadAttention.attention;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import videollama.kernels.AttentionShape;
import videollama.kernels.reference.L2Norm;
import videollama.kernels.reference.PatchEmbedding;
import videollama.kernels.reference.WeightMatrix;
import videollama.model.audio.ImageBindAudioWeights.Block;
import videollama.model.vision.ReferenceVit;
import videollama.weights.Tensor;

/**
 * The plain-Java float32 reference of ImageBind-Huge's audio encoder, the oracle {@link DeviceImageBindAudio} is
 * checked against, as ImageBind's {@code imagebind_model.py} computes it for Video-LLaMA's
 * {@code get_audio_feature} (docs/model.md sections 2.5, 4.3), one clip at a time:
 *
 * <pre>
 *   patches = Conv2d(fbank, k 16, stride 10, no bias)        [228, W]  (12 × 19 grid, row-major mel × time)
 *   x = [cls, LayerNorm_1e-5(patches)] + positions           [229, W]
 *   per block (pre-norm, no LayerNorm before the first):
 *     q, k, v = in_proj(norm_1(x))                           [229, W] each
 *     k, v += one more row: bias_k, bias_v                   [230, W]  (add_bias_kv, after the projection)
 *     x += out_proj(softmax(q·kᵀ / √headDim)·v)
 *     x += fc2(gelu(fc1(norm_2(x))))
 *   e = head Linear (no bias) of LayerNorm_1e-6(x[0])        [out]     (the class token)
 *   e = e / max(‖e‖₂, 1e-12) · logit scale (20)
 * </pre>
 *
 * Weights are read in place, widened on the fly. The clip's
 * extra key and value are the last rows, as {@code torch.nn.MultiheadAttention} appends them.
 */
public final class ReferenceImageBindAudio {
    /** PyTorch's {@code F.normalize} default eps. */
    public static final float L2_EPS = 1e-12f;

    private final ImageBindAudioWeights w;
    private final float eps;
    private final float stemEps;
    private final float logitScale;
    private final float[] stemNormWeight;
    private final float[] stemNormBias;
    private final float[] classToken;
    private final float[] positions;
    /** The blocks' matrices as read-in-place views, their vectors widened. */
    private final List<Block<WeightMatrix, float[]>> blocks;
    private final float[] headNormWeight;
    private final float[] headNormBias;
    private final WeightMatrix head;

    public ReferenceImageBindAudio(ImageBindAudioWeights weights, AudioEncoderSettings settings) {
        this.w = weights;
        this.eps = settings.layerNormEps();
        this.stemEps = settings.stemLayerNormEps();
        this.logitScale = weights.logitScale(settings);
        this.stemNormWeight = weights.stemNormWeight.toFloatArray();
        this.stemNormBias = weights.stemNormBias.toFloatArray();
        this.classToken = weights.classToken.toFloatArray();
        this.positions = weights.positions.toFloatArray();
        this.blocks = weights.blocks.stream().map(b -> b.map(WeightMatrix::new, Tensor::toFloatArray)).toList();
        this.headNormWeight = weights.headNormWeight.toFloatArray();
        this.headNormBias = weights.headNormBias.toFloatArray();
        this.head = new WeightMatrix(weights.headWeight);
    }

    public ImageBindAudioWeights weights() {
        return w;
    }

    /** The factor applied after the L2 normalisation (20 for the released weights). */
    public float logitScale() {
        return logitScale;
    }

    /**
     * The encoder over {@code clips} clips, one clip at a time.
     *
     * @param fbank    [clips, 1, MEL_BINS, FRAMES], normalised log-mel fbanks
     * @param clipDone called with the 0-based index of each clip when it is done (progress)
     * @return [clips, outWidth]: each clip's embedding, L2-normalised and scaled (Video-LLaMA's
     *         {@code audio_imagebind_finalout})
     */
    public float[] forward(float[] fbank, int clips, IntConsumer clipDone) {
        return ReferenceVit.eachInput(fbank, clips, w.clipSize(), w.outWidth, "clips", this::forwardClip, clipDone);
    }

    /**
     * {@code torch.nn.MultiheadAttention} with {@code add_bias_kv}: qkv [tokens, 3W] → [tokens, W], the keys and
     * values one row longer (bias_k, bias_v).
     */
    private float[] attentionWithBiasKv(float[] qkv, Block<WeightMatrix, float[]> b) {
        int n = w.tokens;
        int d = w.width;
        float[] q = new float[n * d];
        float[] k = new float[(n + 1) * d];
        float[] v = new float[(n + 1) * d];
        for (int row = 0; row < n; row++) {
            System.arraycopy(qkv, row * 3 * d, q, row * d, d);
            System.arraycopy(qkv, row * 3 * d + d, k, row * d, d);
            System.arraycopy(qkv, row * 3 * d + 2 * d, v, row * d, d);
        }
        System.arraycopy(b.biasK(), 0, k, n * d, d);
        System.arraycopy(b.biasV(), 0, v, n * d, d);
        return attention(q, k, v, 1, w.heads, w.headDim, AttentionShape.defaultScale(w.headDim));
    }

    /** One clip's fbank [1, MEL_BINS, FRAMES] → its embedding [outWidth]. */
    float[] forwardClip(float[] clip) {
        int n = w.tokens;
        int d = w.width;
        float[] patches = new float[w.patches * d];
        PatchEmbedding.patchEmbed(patches, clip, w.patchWeight, null, 1, ImageBindAudioWeights.MEL_BINS,
                ImageBindAudioWeights.FRAMES, ImageBindAudioWeights.STRIDE);
        float[] x = new float[n * d];                  // the residual stream
        PatchEmbedding.prependClassToken(x, layerNorm(patches, stemNormWeight, stemNormBias, stemEps), classToken, 1,
                w.patches, d);
        PatchEmbedding.addPositions(x, positions, 1, n, d);

        for (Block<WeightMatrix, float[]> b : blocks) {
            x = ReferenceVit.block(b.vit(), x, eps, qkv -> attentionWithBiasKv(qkv, b));
        }

        // The head: LayerNorm, the class token, Linear without bias; then normalise and scale.
        float[] cls = layerNorm(Arrays.copyOf(x, d), headNormWeight, headNormBias, eps);
        float[] e = linear(cls, head, null);
        L2Norm.normalize(e, e, 1, w.outWidth, L2_EPS, logitScale);
        return e;
    }
}
