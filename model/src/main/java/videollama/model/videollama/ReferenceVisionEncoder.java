package videollama.model.videollama;

import static videollama.kernels.reference.LayerNorm.layerNorm;

import videollama.model.qformer.ReferenceQFormer;
import videollama.model.vision.ReferenceEvaVit;

/**
 * The plain-Java float32 reference of the vision-language branch, the oracle {@link DeviceVisionEncoder} is
 * checked against (docs/model.md sections 4.1, 4.2): the ViT per frame, ln_vision, the image Q-Former per frame,
 * the frame positions, the video Q-Former, llama_proj. Each stage is also available on its own for tests.
 */
final class ReferenceVisionEncoder extends ReferenceBranchEncoder<VisionOutputs> implements VisionEncoder {
    private final VideoBranch branch;
    private final VisionSizes sizes;
    private final float[] lnVisionWeight;
    private final float[] lnVisionBias;
    private final ReferenceQFormer imageQFormer;
    private final float[] framePositions;
    private final ReferenceQFormer videoQFormer;

    ReferenceVisionEncoder(VideoBranch branch) {
        VideoLlamaConfig c = branch.config();
        ReferenceEvaVit vit = new ReferenceEvaVit(branch.vit(), c.vision());
        super(new Branch("vision", "frame", VisionStages.VIT_DONE, branch::checkFrames, vit::forward), branch.projection());
        this.branch = branch;
        this.sizes = branch.sizes();
        this.lnVisionWeight = branch.lnVisionWeight().toFloatArray();
        this.lnVisionBias = branch.lnVisionBias().toFloatArray();
        this.imageQFormer = new ReferenceQFormer(branch.imageQFormer(), c.qformer());
        this.framePositions = branch.framePositions().toFloatArray();
        this.videoQFormer = new ReferenceQFormer(branch.videoQFormer(), c.videoQformer());
    }

    /** The ViT's tokens [t, vitTokens, vitWidth] → ln_vision, the image Q-Former, the video Q-Former, llama_proj. */
    @Override
    VisionOutputs afterEncoder(float[] vitOut, int t) {
        float[] imageQ = imageQFormer(lnVision(vitOut, t), t);
        float[] videoQ = videoQFormer(imageQ, t);
        return new VisionOutputs(t, sizes, vitOut, imageQ, videoQ, project(videoQ));
    }

    /** ln_vision (eps 1e-5) over every ViT token: [t, vitTokens, vitWidth] → the same shape. */
    float[] lnVision(float[] vitOut, int t) {
        return layerNorm(vitOut, lnVisionWeight, lnVisionBias, branch.config().lnVisionEps());
    }

    /** The image Q-Former per frame: [t, vitTokens, vitWidth] → [t, imageQueries, imageWidth]. */
    float[] imageQFormer(float[] imageEmbeds, int t) {
        return imageQFormer(imageEmbeds, t, null);
    }

    /** {@link #imageQFormer(float[], int)}, its cross-attention weights given to {@code probe} (the lab view). */
    float[] imageQFormer(float[] imageEmbeds, int t, ReferenceQFormer.CrossAttentionProbe probe) {
        return imageQFormer.forward(imageEmbeds, t, sizes.vitTokens(), probe);
    }

    /**
     * Adds row f of the frame position embedding to every query of frame f, flattens the frames' queries
     * frame-major into one sequence [t · imageQueries, imageWidth], and runs the video Q-Former over it.
     */
    float[] videoQFormer(float[] imageQ, int t) {
        return videoQFormer(imageQ, t, null);
    }

    /** {@link #videoQFormer(float[], int)}, its cross-attention weights given to {@code probe} (the lab view). */
    float[] videoQFormer(float[] imageQ, int t, ReferenceQFormer.CrossAttentionProbe probe) {
        int q = sizes.imageQueries();
        int h = sizes.imageWidth();
        float[] sequence = new float[imageQ.length];
        for (int f = 0; f < t; f++) {
            for (int i = 0; i < q; i++) {
                int row = (f * q + i) * h;
                for (int c = 0; c < h; c++) {
                    sequence[row + c] = imageQ[row + c] + framePositions[f * h + c];
                }
            }
        }
        return videoQFormer.forward(sequence, 1, t * q, probe);
    }
}
