package videollama.app;

import java.util.List;
import videollama.model.Q8_0Linears;
import videollama.weights.QuantizedTensors;
import videollama.weights.SafetensorsWriter.Planned;
import videollama.weights.Tensor;

/**
 * What {@code convert --quantize q8_0} quantises: the tensors {@link Q8_0Linears} names (the linear layers' float
 * matrices of whole blocks, in the LLaMA, the ViT-g and the Q-Formers). A matrix of another width is left in float
 * and counted.
 */
enum Quantization {
    Q8_0("q8_0");

    private final String cliName;

    Quantization(String cliName) {
        this.cliName = cliName;
    }

    /** The value of {@code --quantize}: {@code q8_0}. */
    static Quantization fromCliName(String name) {
        for (Quantization q : values()) {
            if (q.cliName.equals(name)) {
                return q;
            }
        }
        throw new IllegalArgumentException("unknown quantisation '" + name + "' (expected q8_0)");
    }

    /** {@code t} quantised, under {@code name}. */
    Tensor quantize(String name, Tensor t) {
        return videollama.kernels.reference.Q8_0.quantize(t.renamed(name)); // the class, not the constant Q8_0
    }

    /** {@code t} quantised as a file stores it ({@link QuantizedTensors#planned}), one matrix at a time in memory. */
    List<Planned> planned(String name, Tensor t) {
        return QuantizedTensors.planned(name, t.dim(0), t.dim(1), () -> quantize(name, t));
    }
}
