package videollama.model.videollama;

/**
 * The sizes of a vision-language branch, as its weights define them (released model in brackets).
 *
 * @param imageSize     frame side in pixels [224]
 * @param channels      colour channels [3]
 * @param vitTokens     ViT tokens per frame: patches and the class token [257]
 * @param vitWidth      ViT width [1408]
 * @param imageQueries  image Q-Former queries per frame [32]
 * @param imageWidth    image Q-Former width, and of the frame position embedding [768]
 * @param videoQueries  video Q-Former queries: the soft tokens per video [32]
 * @param videoWidth    video Q-Former width [768]
 * @param dModel        the LLaMA's width, llama_proj's output [4096 or 5120]
 * @param maxFrames     rows of the frame position embedding: the most frames a video may have [32]
 */
public record VisionSizes(int imageSize, int channels, int vitTokens, int vitWidth, int imageQueries, int imageWidth,
                          int videoQueries, int videoWidth, int dModel, int maxFrames) {

    /** Floats of one input frame [channels, imageSize, imageSize]. */
    public int frameSize() {
        return channels * imageSize * imageSize;
    }
}
