package videollama.model.videollama;

/**
 * The sizes of an audio-language branch, as its weights define them (released model in brackets).
 *
 * @param melBins       fbank mel bins per clip [128]
 * @param frames        fbank frames per clip [204]
 * @param encoderTokens ImageBind tokens per clip: patches and the class token [229]
 * @param encoderWidth  ImageBind width [768]
 * @param embedWidth    ImageBind's embedding width: the head's output, the clip positions' and the audio
 *                      Q-Former's encoder width [1024]
 * @param queries       audio Q-Former queries: the soft tokens per sound track [8]
 * @param qformerWidth  audio Q-Former width [768]
 * @param dModel        the LLaMA's width, audio_llama_proj's output [4096 or 5120]
 * @param maxClips      rows of the clip position embedding: the most clips a sound track may have [8]
 */
public record AudioSizes(int melBins, int frames, int encoderTokens, int encoderWidth, int embedWidth, int queries,
                         int qformerWidth, int dModel, int maxClips) {

    /** Floats of one input clip [1, melBins, frames]. */
    public int clipSize() {
        return melBins * frames;
    }
}
