package videollama.model.qformer;

/**
 * What a Q-Former's weights cannot tell (docs/design.md section 4, {@code videollama.json} "qformer", "video_qformer",
 * "audio_qformer").
 *
 * @param heads        attention heads; the head width is the hidden width divided by it (BERT-base: 12 of 64)
 * @param layerNormEps eps of every LayerNorm, the query tokens' included (BERT: 1e-12)
 */
public record QFormerSettings(int heads, float layerNormEps) {
    /** BERT-base, as all three released Q-Formers (docs/model.md section 3.1). */
    public static final QFormerSettings RELEASED = new QFormerSettings(12, 1e-12f);

    public QFormerSettings {
        if (heads < 1 || !(layerNormEps > 0) || !Float.isFinite(layerNormEps)) {
            throw new IllegalArgumentException("heads " + heads + ", eps " + layerNormEps);
        }
    }
}
