package videollama.model.videollama;

import videollama.model.CheckedTensors;
import videollama.weights.Tensor;

/**
 * A branch's projection into the language model's embedding space ({@code llama_proj}, {@code audio_llama_proj};
 * docs/model.md sections 2.4, 2.6): a Linear with bias from the branch's last Q-Former to the LLaMA's width, whose
 * output rows are the soft tokens. Its twins compute it: {@link ReferenceProjection}, {@link DeviceProjection}.
 *
 * @param name   the checkpoint's name for it, e.g. {@code "llama_proj"}
 * @param weight {@code name.weight} [dModel, inWidth]
 * @param bias   {@code name.bias} [dModel]
 */
public record Projection(String name, Tensor weight, Tensor bias) {

    /**
     * Reads {@code name.weight} and {@code name.bias}.
     *
     * @param inWidth the width of what it projects; {@code inWhat} says what that is, for the error
     * @throws videollama.weights.WeightsException for a missing or mis-shaped tensor
     */
    static Projection load(CheckedTensors load, String name, int inWidth, String inWhat) {
        Tensor weight = load.rowsOf(name + ".weight", "d_model", inWidth, inWhat);
        return new Projection(name, weight, load.vector(name + ".bias", Math.toIntExact(weight.dim(0))));
    }

    /** The LLaMA's width: the projection's output. */
    public int dModel() {
        return Math.toIntExact(weight.dim(0));
    }
}
