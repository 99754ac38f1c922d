package videollama.model.audio;

/**
 * What ImageBind's audio encoder's weights cannot tell (docs/design.md section 4, {@code videollama.json}
 * "audio_encoder"; docs/model.md sections 2.5, 3.1).
 *
 * @param heads            attention heads; the head width is the width divided by it (ImageBind-Huge: 12 of 64)
 * @param layerNormEps     the blocks' and the head's LayerNorm eps (1e-6)
 * @param stemLayerNormEps the stem LayerNorm's eps over the patch tokens (PyTorch's default, 1e-5)
 * @param logitScale       the factor after the L2 normalisation (20), used when the weights lack the
 *                         {@code log_logit_scale} buffer that holds its logarithm
 */
public record AudioEncoderSettings(int heads, float layerNormEps, float stemLayerNormEps, float logitScale) {
    /** ImageBind-Huge's audio modality. */
    public static final AudioEncoderSettings RELEASED = new AudioEncoderSettings(12, 1e-6f, 1e-5f, 20f);

    public AudioEncoderSettings {
        if (heads < 1 || !positive(layerNormEps) || !positive(stemLayerNormEps) || !positive(logitScale)) {
            throw new IllegalArgumentException("heads " + heads + ", eps " + layerNormEps + ", stem eps " + stemLayerNormEps
                    + ", logit scale " + logitScale);
        }
    }

    private static boolean positive(float f) {
        return f > 0 && Float.isFinite(f);
    }
}
