package videollama.model.videollama;

import java.util.List;
import videollama.weights.Tensor;

/**
 * What the vision-language branch computed for one video or image of {@code frames} frames: every stage that
 * {@code --dump} writes (docs/design.md section 6), row-major float32.
 *
 * @param vitOut          [frames, vitTokens, vitWidth]: the ViT's last block, before ln_vision
 * @param imageQformerOut [frames, imageQueries, imageWidth]: the image Q-Former, before the frame positions
 * @param videoQformerOut [videoQueries, videoWidth]
 * @param tokens          [videoQueries, dModel]: llama_proj's output, the soft tokens spliced into the prompt
 */
public record VisionOutputs(int frames, VisionSizes sizes, float[] vitOut, float[] imageQformerOut, float[] videoQformerOut,
                            float[] tokens) implements BranchOutputs {

    /** The stages under the names and shapes of {@code --dump} (docs/design.md section 6). */
    @Override
    public List<Tensor> dumpTensors() {
        VisionSizes s = sizes;
        return List.of(
                Tensor.ofFloats("vit.out", vitOut, frames, s.vitTokens(), s.vitWidth()),
                Tensor.ofFloats("image_qformer.out", imageQformerOut, frames, s.imageQueries(), s.imageWidth()),
                Tensor.ofFloats("video_qformer.out", videoQformerOut, s.videoQueries(), s.videoWidth()),
                Tensor.ofFloats("video.tokens", tokens, s.videoQueries(), s.dModel()));
    }
}
