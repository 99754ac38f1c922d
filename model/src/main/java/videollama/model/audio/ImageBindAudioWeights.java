package videollama.model.audio;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import videollama.kernels.reference.PatchEmbedding;
import videollama.model.CheckedTensors;
import videollama.model.vision.VitBlock;
import videollama.weights.Tensor;

/**
 * The tensors of ImageBind's audio modality by the names {@code videollama convert} gives them (docs/model.md section 2.5:
 * ImageBind's own names under {@code audio_encoder.}), and the sizes they define: the width from the patch
 * convolution's output channels, the patch side from its kernel, the MLP width from {@code fc1}, the output
 * width from the head's Linear, the depth from the block names. The position embedding must have one row per
 * token of the fbank's patch grid plus the class token.
 *
 * <p>The input is what the audio loader makes of each 2-second clip (docs/model.md section 5.3): a [1, 128, 204] log-mel
 * fbank (mel bins × frames). Its size and the convolution's stride are ImageBind's constants, not in the weights.
 */
public final class ImageBindAudioWeights {
    public static final String PREFIX = "audio_encoder.";
    /** Mel bins of the fbank: the image height the stem sees (docs/model.md section 5.3). */
    public static final int MEL_BINS = 128;
    /** Fbank frames per clip after padding or truncating: the image width (docs/model.md section 5.3). */
    public static final int FRAMES = 204;
    /** The patch convolution's stride: 16-wide patches overlap by 6 (docs/model.md section 2.5). */
    public static final int STRIDE = 10;

    private static final String STEM = PREFIX + "modality_preprocessors.audio.";
    private static final String TRUNK = PREFIX + "modality_trunks.audio.blocks.";
    private static final String HEAD = PREFIX + "modality_heads.audio.";
    /** {@code LearnableLogitScaling(logit_scale_init=20.0, learnable=False)}: a buffer holding ln 20. */
    public static final String LOG_LOGIT_SCALE = PREFIX + "modality_postprocessors.audio.1.log_logit_scale";
    /** ImageBind's names for a block's modules. */
    static final VitBlock.Names NAMES = new VitBlock.Names("norm_1", "in_proj", "out_proj", "norm_2");

    /** Token width (ImageBind-Huge audio: 768). */
    public final int width;
    /** Attention heads (videollama.json's audio_encoder.heads), which divide the width, and their width. */
    public final int heads;
    public final int headDim;
    /** Input channels: 1, the fbank's. */
    public final int channels;
    /** Patch side (16). */
    public final int patchSize;
    /** Patch rows along the mel axis (12) and columns along time (19). */
    public final int gridHeight;
    public final int gridWidth;
    /** Patches per clip (228). */
    public final int patches;
    /** Patches and the class token (229). */
    public final int tokens;
    /** Hidden width of the MLPs (3072). */
    public final int mlpWidth;
    /** The embedding's width, the head Linear's output (1024). */
    public final int outWidth;

    /** {@code rgbt_stem.proj.weight} [width, channels, patch, patch]: Conv2d without bias. */
    public final Tensor patchWeight;
    /** {@code rgbt_stem.norm_layer.*} [width]: the stem LayerNorm over the patch tokens. */
    public final Tensor stemNormWeight;
    public final Tensor stemNormBias;
    /** {@code cls_token} [1, 1, width]. */
    public final Tensor classToken;
    /** {@code pos_embedding_helper.pos_embed} [1, tokens, width]. */
    public final Tensor positions;
    public final List<Block<Tensor, Tensor>> blocks;
    /** {@code modality_heads.audio.0.*} [width]: the head LayerNorm. */
    public final Tensor headNormWeight;
    public final Tensor headNormBias;
    /** {@code modality_heads.audio.2.weight} [outWidth, width]: Linear without bias. */
    public final Tensor headWeight;
    /** The {@code log_logit_scale} buffer (a scalar), if the weights carry it. */
    public final Optional<Tensor> logLogitScale;

    /**
     * One pre-norm block with {@code torch.nn.MultiheadAttention(bias=True, add_bias_kv=True)}: a {@link VitBlock}
     * ({@code norm_1}, {@code in_proj} as its qkv, {@code out_proj}, {@code norm_2}, the MLP) whose attention has
     * {@code bias_k} and {@code bias_v} [1, 1, width] as one more key and value:
     * {@code x += out_proj(attention(in_proj(norm_1(x)), with bias_k/bias_v)); x += fc2(gelu(fc1(norm_2(x))))}.
     * {@code M}, {@code V} as in {@link VitBlock} ({@link DeviceImageBindAudio} holds bias_k and bias_v as one row
     * beside the block).
     */
    public record Block<M, V>(VitBlock<M, V> vit, V biasK, V biasV) {
        /** The same block with each matrix and vector passed through {@code matrix} and {@code vector}. */
        public <N, U> Block<N, U> map(Function<? super M, N> matrix, Function<? super V, U> vector) {
            return new Block<>(vit.map(matrix, vector), vector.apply(biasK), vector.apply(biasV));
        }
    }

    /**
     * Reads and checks the encoder's tensors; a missing or mis-shaped tensor is an error naming it.
     *
     * @throws videollama.weights.WeightsException for a missing, mis-typed or mis-shaped tensor, or sizes that do
     *         not fit together (a head count that does not divide the width, positions for another patch grid)
     */
    public ImageBindAudioWeights(CheckedTensors load, AudioEncoderSettings settings) {
        patchWeight = load.ofRank(STEM + "rgbt_stem.proj.weight", 4, "[width, channels, patch, patch]");
        width = Math.toIntExact(patchWeight.dim(0));
        channels = Math.toIntExact(patchWeight.dim(1));
        patchSize = Math.toIntExact(patchWeight.dim(2));
        if (channels != 1 || patchWeight.dim(3) != patchSize || patchSize > Math.min(MEL_BINS, FRAMES)) {
            throw load.error("tensor '" + patchWeight.name() + "' has shape " + patchWeight.shapeString()
                    + ", expected [width, 1, patch, patch]: square patches of the one-channel " + MEL_BINS + "x" + FRAMES
                    + " fbank");
        }
        if (width % settings.heads() != 0) {
            throw load.error("the audio encoder is " + width + " wide (tensor '" + patchWeight.name() + "'), which "
                    + settings.heads() + " heads (videollama.json audio_encoder.heads) do not divide");
        }
        heads = settings.heads();
        headDim = width / heads;
        gridHeight = PatchEmbedding.outputSize(MEL_BINS, patchSize, STRIDE);
        gridWidth = PatchEmbedding.outputSize(FRAMES, patchSize, STRIDE);
        patches = gridHeight * gridWidth;
        tokens = patches + 1;
        stemNormWeight = load.vector(STEM + "rgbt_stem.norm_layer.weight", width);
        stemNormBias = load.vector(STEM + "rgbt_stem.norm_layer.bias", width);
        classToken = load.get(STEM + "cls_token", 1, 1, width);
        Tensor pos = load.ofRank(STEM + "pos_embedding_helper.pos_embed", 3, "[1, " + tokens + ", " + width + "]");
        if (pos.dim(0) != 1 || pos.dim(1) != tokens || pos.dim(2) != width) {
            throw load.error("tensor '" + pos.name() + "' has shape " + pos.shapeString() + ", expected [1, " + tokens
                    + ", " + width + "] (a " + gridHeight + "x" + gridWidth + " grid of " + patchSize + "-pixel patches with"
                    + " stride " + STRIDE + " over the " + MEL_BINS + "x" + FRAMES + " fbank, and the class token)");
        }
        positions = pos;

        int depth = load.countIndexed(TRUNK, ".attn.in_proj_weight");
        if (depth == 0) {
            throw load.error("missing tensor '" + TRUNK + "0.attn.in_proj_weight' (the audio encoder has no blocks)");
        }
        mlpWidth = Math.toIntExact(load.ofRank(TRUNK + "0.mlp.fc1.weight", 2, "[mlp, " + width + "]").dim(0));
        List<Block<Tensor, Tensor>> list = new ArrayList<>(depth);
        for (int i = 0; i < depth; i++) {
            String b = TRUNK + i + ".";
            Tensor inProj = load.matrix(b + "attn.in_proj_weight", 3 * width, width);
            Tensor inProjBias = load.vector(b + "attn.in_proj_bias", 3 * width);
            list.add(new Block<>(VitBlock.load(load, b, NAMES, inProj, inProjBias, width, mlpWidth),
                    load.get(b + "attn.bias_k", 1, 1, width), load.get(b + "attn.bias_v", 1, 1, width)));
        }
        blocks = List.copyOf(list);
        headNormWeight = load.vector(HEAD + "0.weight", width);
        headNormBias = load.vector(HEAD + "0.bias", width);
        Tensor head = load.ofRank(HEAD + "2.weight", 2, "[out, " + width + "]");
        if (head.dim(1) != width) {
            throw load.error("tensor '" + head.name() + "' has shape " + head.shapeString() + ", expected [out, " + width + "]");
        }
        headWeight = head;
        outWidth = Math.toIntExact(head.dim(0));
        logLogitScale = load.find(LOG_LOGIT_SCALE);
        if (logLogitScale.isPresent() && logLogitScale.get().size() != 1) {
            throw load.error("tensor '" + LOG_LOGIT_SCALE + "' has shape " + logLogitScale.get().shapeString()
                    + ", expected a scalar []");
        }
        if (logLogitScale.isPresent() && !Float.isFinite(logLogitScale.get().getFloat(0))) {
            throw load.error("tensor '" + LOG_LOGIT_SCALE + "' holds " + logLogitScale.get().getFloat(0)
                    + ", expected the logarithm of the logit scale (ln 20)");
        }
    }

    /**
     * The factor after the L2 normalisation: {@code clip(exp(log_logit_scale), max=100)} as ImageBind's
     * {@code LearnableLogitScaling} computes it in float32 when the weights carry the buffer, else the
     * settings' {@code logit_scale} (20).
     */
    public float logitScale(AudioEncoderSettings settings) {
        return logLogitScale.map(t -> Math.min((float) Math.exp(t.getFloat(0)), 100f)).orElse(settings.logitScale());
    }

    /** Floats of one clip's fbank [channels, MEL_BINS, FRAMES]. */
    public int clipSize() {
        return channels * MEL_BINS * FRAMES;
    }
}
