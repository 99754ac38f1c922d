package videollama.app;

import java.util.List;
import java.util.regex.Pattern;
import videollama.weights.DType;
import videollama.weights.QuantizedTensors;
import videollama.weights.SafetensorsWriter.Planned;
import videollama.weights.Tensor;

/**
 * What {@code convert --quantize q8_0} quantises: the weight matrices of the linear layers of the LLaMA (q/k/v/o, gate,
 * up, down, lm_head), the EVA ViT-g (qkv, proj, fc1, fc2) and the Q-Formers (image, video and audio: attention,
 * cross-attention and feed-forward), each float matrix whose rows are whole blocks of 32. The embeddings, norms,
 * biases, the patch convolution, the query tokens and the projections into the LLaMA stay as they are (GGML's Q8_0
 * leaves norms and biases in float too). A matrix of another width is left in float and counted.
 */
enum Quantization {
    Q8_0("q8_0");

    /** The linear layers' weights by name (docs/model.md section 2 has the names). */
    private static final Pattern LINEAR = Pattern.compile(
            "model\\.layers\\.\\d+\\.(self_attn\\.[qkvo]_proj|mlp\\.(gate|up|down)_proj)\\.weight"
                    + "|lm_head\\.weight"
                    + "|visual_encoder\\.blocks\\.\\d+\\.(attn\\.qkv|attn\\.proj|mlp\\.fc1|mlp\\.fc2)\\.weight"
                    + "|(Qformer|video_Qformer|audio_Qformer)\\.bert\\.encoder\\.layer\\.\\d+\\.[a-z_.]+\\.weight");

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

    /** True for the weight of a linear layer this quantisation covers, whatever its shape. */
    static boolean isLinear(String name) {
        return LINEAR.matcher(name).matches();
    }

    /** True when {@code t}, stored as {@code name}, is quantised: a linear layer's float matrix of whole blocks. */
    static boolean quantises(String name, Tensor t) {
        return isLinear(name) && t.dtype().isFloat() && t.rank() == 2 && t.dim(1) % DType.Q8_0_BLOCK == 0;
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
