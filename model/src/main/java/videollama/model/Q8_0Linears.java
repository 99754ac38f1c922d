package videollama.model;

import java.util.regex.Pattern;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * Which tensors of a Video-LLaMA folder are stored as Q8_0 when quantised: the weight matrices of the linear layers of
 * the LLaMA (q/k/v/o, gate, up, down, lm_head), the EVA ViT-g (qkv, proj, fc1, fc2) and the Q-Formers (image, video
 * and audio: attention, cross-attention and feed-forward), each float matrix whose rows are whole blocks of 32. The
 * embeddings, norms, biases, the patch convolution, the query tokens and the projections into the LLaMA stay as they
 * are (GGML's Q8_0 leaves norms and biases in float too). The rule of {@code videollama convert --quantize q8_0}, and
 * of the random vision branch that {@code bench --stage vision --dtype q8_0} writes, so the two quantise alike.
 */
public final class Q8_0Linears {
    /** The linear layers' weights by name (docs/model.md section 2 has the names). */
    private static final Pattern LINEAR = Pattern.compile(
            "model\\.layers\\.\\d+\\.(self_attn\\.[qkvo]_proj|mlp\\.(gate|up|down)_proj)\\.weight"
                    + "|lm_head\\.weight"
                    + "|visual_encoder\\.blocks\\.\\d+\\.(attn\\.qkv|attn\\.proj|mlp\\.fc1|mlp\\.fc2)\\.weight"
                    + "|(Qformer|video_Qformer|audio_Qformer)\\.bert\\.encoder\\.layer\\.\\d+\\.[a-z_.]+\\.weight");

    private Q8_0Linears() {}

    /** True for the weight of a linear layer, whatever its shape. */
    public static boolean isLinear(String name) {
        return LINEAR.matcher(name).matches();
    }

    /** True when {@code t}, stored as {@code name}, is quantised: a linear layer's float matrix of whole blocks. */
    public static boolean quantises(String name, Tensor t) {
        return isLinear(name) && t.dtype().isFloat() && t.rank() == 2 && t.dim(1) % DType.Q8_0_BLOCK == 0;
    }
}
