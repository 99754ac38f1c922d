package videollama.model.videollama;

import java.util.List;
import videollama.weights.Tensor;

/**
 * What the audio-language branch computed for one sound track of {@code clips} clips: every stage that
 * {@code --dump} writes after the fbank (docs/design.md section 6, issue 5), row-major float32.
 *
 * @param encoderOut  [clips, embedWidth]: ImageBind's embeddings, L2-normalised and ×20 (Video-LLaMA's
 *                    {@code audio_imagebind_finalout}), before the clip positions
 * @param qformerOut  [queries, qformerWidth]: the audio Q-Former's output
 * @param tokens      [queries, dModel]: audio_llama_proj's output, the soft tokens spliced into the prompt
 */
public record AudioOutputs(int clips, AudioSizes sizes, float[] encoderOut, float[] qformerOut, float[] tokens)
        implements BranchOutputs {

    @Override
    public List<Tensor> dumpTensors() {
        AudioSizes s = sizes;
        return List.of(
                Tensor.ofFloats("audio.encoder.out", encoderOut, clips, s.embedWidth()),
                Tensor.ofFloats("audio_qformer.out", qformerOut, s.queries(), s.qformerWidth()),
                Tensor.ofFloats("audio.tokens", tokens, s.queries(), s.dModel()));
    }
}
