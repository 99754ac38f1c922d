package videollama.model.videollama;

import java.util.function.Consumer;
import videollama.kernels.reference.LayerNorm;
import videollama.kernels.reference.Linear;
import videollama.kernels.reference.WeightMatrix;
import videollama.model.qformer.QFormer;
import videollama.model.vision.EvaVit;

/**
 * The vision-language branch in plain Java, float32 (docs/model.md sections 4.1, 4.2): the oracle the device path is
 * checked against. Each stage is also available on its own for tests.
 */
final class ReferenceVisionEncoder implements VisionEncoder {
    private final VideoBranch branch;
    private final VisionSizes sizes;
    private final EvaVit vit;
    private final float[] lnVisionWeight;
    private final float[] lnVisionBias;
    private final QFormer imageQFormer;
    private final float[] framePositions;
    private final QFormer videoQFormer;
    private final WeightMatrix proj;
    private final float[] projBias;

    ReferenceVisionEncoder(VideoBranch branch) {
        VideoLlamaConfig c = branch.config();
        this.branch = branch;
        this.sizes = branch.sizes();
        this.vit = new EvaVit(branch.vit(), c.vision());
        this.lnVisionWeight = branch.lnVisionWeight().toFloatArray();
        this.lnVisionBias = branch.lnVisionBias().toFloatArray();
        this.imageQFormer = new QFormer(branch.imageQFormer(), c.qformer());
        this.framePositions = branch.framePositions().toFloatArray();
        this.videoQFormer = new QFormer(branch.videoQFormer(), c.videoQformer());
        this.proj = new WeightMatrix(branch.projWeight());
        this.projBias = branch.projBias().toFloatArray();
    }

    @Override
    public VisionOutputs encode(float[] frames, int t, Consumer<String> progress) {
        branch.checkFrames(frames, t);
        float[] vitOut = vit.forward(frames, t, f -> progress.accept("vision: frame " + (f + 1) + "/" + t));
        progress.accept("vision: Q-Formers");
        float[] imageQ = imageQFormer(lnVision(vitOut, t), t);
        float[] videoQ = videoQFormer(imageQ, t);
        return new VisionOutputs(t, sizes, vitOut, imageQ, videoQ, project(videoQ));
    }

    /** ln_vision (eps 1e-5) over every ViT token: [t, vitTokens, vitWidth] → the same shape. */
    float[] lnVision(float[] vitOut, int t) {
        float[] out = new float[vitOut.length];
        LayerNorm.layerNorm(out, vitOut, lnVisionWeight, lnVisionBias, t * sizes.vitTokens(), branch.config().lnVisionEps());
        return out;
    }

    /** The image Q-Former per frame: [t, vitTokens, vitWidth] → [t, imageQueries, imageWidth]. */
    float[] imageQFormer(float[] imageEmbeds, int t) {
        return imageQFormer.forward(imageEmbeds, t, sizes.vitTokens());
    }

    /**
     * Adds row f of the frame position embedding to every query of frame f, flattens the frames' queries
     * frame-major into one sequence [t · imageQueries, imageWidth], and runs the video Q-Former over it.
     */
    float[] videoQFormer(float[] imageQ, int t) {
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
        return videoQFormer.forward(sequence, 1, t * q);
    }

    /** llama_proj: [videoQueries, videoWidth] → [videoQueries, dModel]. */
    float[] project(float[] videoQ) {
        float[] tokens = new float[sizes.videoQueries() * sizes.dModel()];
        Linear.linear(tokens, proj, videoQ, projBias, null, sizes.videoQueries());
        return tokens;
    }

    @Override
    public void close() {}
}
