package videollama.model.vision;

import java.util.OptionalInt;

/**
 * What the EVA ViT's weights cannot tell (docs/design.md section 4, {@code videollama.json} "vision").
 *
 * @param heads        attention heads; the head width is the model width divided by it (ViT-g: 16 of 88)
 * @param layerNormEps the blocks' LayerNorm eps (1e-6)
 * @param imageSize    if set, the frame side the position embedding must fit; else read from the weights
 * @param patchSize    if set, the patch side the patch convolution must have; else read from the weights
 * @param maxBlocks    the most blocks used: BLIP-2's {@code create_eva_vit_g} builds 39 and ignores the 40th
 *                     block of {@code eva_vit_g.pth}, so a converted file that still holds it runs as released
 */
public record EvaVitSettings(int heads, float layerNormEps, OptionalInt imageSize, OptionalInt patchSize, int maxBlocks) {
    /** The released EVA ViT-g/14 of BLIP-2 (docs/model.md section 3.1). */
    public static final EvaVitSettings RELEASED = new EvaVitSettings(16, 1e-6f, OptionalInt.empty(), OptionalInt.empty(), 39);

    public EvaVitSettings {
        if (heads < 1 || maxBlocks < 1 || !(layerNormEps > 0) || !Float.isFinite(layerNormEps)) {
            throw new IllegalArgumentException("heads " + heads + ", max blocks " + maxBlocks + ", eps " + layerNormEps);
        }
    }
}
