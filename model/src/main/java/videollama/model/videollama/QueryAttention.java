package videollama.model.videollama;

import videollama.model.qformer.ReferenceQFormer;

/**
 * Where each of the video Q-Former's queries looks in the frames, for the lab view of {@code videollama serve}: the two
 * Q-Formers run again on the plain-Java reference path from a ViT output (the {@code vit.out} stage the encoder kept),
 * their cross-attention weights recorded. Nothing here runs on the normal path: the encoders never compute weights.
 *
 * <p>A video query attends over the image Q-Former's outputs (t frames × 32 image queries), and each image query over
 * its frame's ViT tokens (the class token and 16 × 16 patches at the released size). Chaining the two, a video query's
 * weight on a patch is {@code Σ_i videoWeight[frame, i] · imageWeight[frame, i, patch]}: an attention-rollout style
 * picture, each layer's weights averaged over its heads and the cross-attention layers averaged, the self-attention
 * between queries and the residual paths left out. It shows what the queries look at; it is no exact attribution.
 *
 * @param frames           t
 * @param videoQueries     the soft tokens per video [32]
 * @param imageQueries     image Q-Former queries per frame [32]
 * @param vitTokens        ViT tokens per frame, the class token first [257]
 * @param videoOverImage   [videoQueries, frames · imageQueries]: the video Q-Former's mean cross-attention
 * @param imageOverTokens  [frames, imageQueries, vitTokens]: the image Q-Former's mean cross-attention
 * @param videoQformerOut  [videoQueries, videoWidth]: the recomputed output, to compare with the encoder's
 */
public record QueryAttention(int frames, int videoQueries, int imageQueries, int vitTokens, float[] videoOverImage,
                             float[] imageOverTokens, float[] videoQformerOut) {

    /** Runs ln_vision and both Q-Formers of {@code branch} over {@code vitOut} [t, vitTokens, vitWidth]. */
    public static QueryAttention of(VideoBranch branch, float[] vitOut, int t) {
        VisionSizes s = branch.sizes();
        if (t < 1 || vitOut.length != (long) t * s.vitTokens() * s.vitWidth()) {
            throw new IllegalArgumentException("vit.out: " + vitOut.length + " floats are not " + t + " frames of "
                    + s.vitTokens() + " x " + s.vitWidth());
        }
        ReferenceVisionEncoder encoder = new ReferenceVisionEncoder(branch);
        Mean image = new Mean();
        Mean video = new Mean();
        float[] imageQ = encoder.imageQFormer(encoder.lnVision(vitOut, t), t, image);
        float[] videoQ = encoder.videoQFormer(imageQ, t, video);
        return new QueryAttention(t, s.videoQueries(), s.imageQueries(), s.vitTokens(), video.mean(), image.mean(), videoQ);
    }

    /** The side of the square patch grid: the ViT tokens but the class token. */
    public int patchSide() {
        return (int) Math.round(Math.sqrt(vitTokens - 1));
    }

    /**
     * Video query {@code query}'s weight on each patch of {@code frame} [patchSide²], row-major from the top left; the
     * weights over all frames' patches and class tokens sum to 1.
     */
    public float[] patches(int query, int frame) {
        int patches = vitTokens - 1;
        float[] map = new float[patches];
        for (int i = 0; i < imageQueries; i++) {
            float weight = videoOverImage[query * frames * imageQueries + frame * imageQueries + i];
            int row = (frame * imageQueries + i) * vitTokens + 1; // + 1: past the class token
            for (int p = 0; p < patches; p++) {
                map[p] += weight * imageOverTokens[row + p];
            }
        }
        return map;
    }

    /** Video query {@code query}'s attention on frame {@code frame}: its weights on that frame's image queries, summed. */
    public float frameShare(int query, int frame) {
        float sum = 0;
        for (int i = 0; i < imageQueries; i++) {
            sum += videoOverImage[query * frames * imageQueries + frame * imageQueries + i];
        }
        return sum;
    }

    /** The average of the weights a Q-Former's cross-attention layers give their probe. */
    private static final class Mean implements ReferenceQFormer.CrossAttentionProbe {
        private float[] sum;
        private int layers;

        @Override
        public void accept(int layer, float[] weights) {
            if (sum == null) {
                sum = new float[weights.length];
            }
            for (int i = 0; i < weights.length; i++) {
                sum[i] += weights[i];
            }
            layers++;
        }

        float[] mean() {
            float[] mean = sum.clone();
            for (int i = 0; i < mean.length; i++) {
                mean[i] /= layers;
            }
            return mean;
        }
    }
}
