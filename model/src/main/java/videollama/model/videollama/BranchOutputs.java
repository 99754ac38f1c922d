package videollama.model.videollama;

import java.util.List;
import videollama.weights.Tensor;

/**
 * What a media branch computed for one upload ({@link VisionOutputs}, {@link AudioOutputs}): the soft tokens that
 * come out, and every stage for {@code --dump}.
 */
public interface BranchOutputs {

    /** The soft tokens [queries, dModel] spliced into the prompt, row-major. */
    float[] tokens();

    /** The stages as float32 tensors under the names and shapes of {@code --dump}. */
    List<Tensor> dumpTensors();
}
