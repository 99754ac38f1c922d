package videollama.model.llama;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import videollama.weights.Tensor;
import videollama.weights.TensorSource;
import videollama.weights.WeightsException;

/**
 * The tensors of a Hugging Face {@code LlamaForCausalLM}, by their checkpoint names, each
 * checked against the shape the config implies. They stay in the memory-mapped file in their stored dtype;
 * each backend reads them from there (the reference path in place, a device backend by uploading them once).
 */
public final class LlamaWeights {
    public final Tensor embedTokens;
    public final List<Layer<Tensor, Tensor>> layers;
    public final Tensor finalNorm;
    /** {@code lm_head.weight}, or the embedding matrix itself when {@code tie_word_embeddings} is set. */
    public final Tensor lmHead;

    /**
     * One decoder layer's tensors, declared once for every place that holds them: {@code M} is how a matrix is
     * held and {@code V} a norm vector ({@link Tensor}s here, a {@code WeightMatrix} and {@code float[]} in
     * {@link ReferenceLlamaSession}, device copies in {@link DeviceLlamaWeights}).
     */
    public record Layer<M, V>(
            V inputNorm,
            M wq,
            M wk,
            M wv,
            M wo,
            V postAttentionNorm,
            M gate,
            M up,
            M down) {
        /** The same layer with each matrix and vector passed through {@code matrix} and {@code vector}. */
        public <N, U> Layer<N, U> map(Function<? super M, N> matrix, Function<? super V, U> vector) {
            return new Layer<>(vector.apply(inputNorm), matrix.apply(wq), matrix.apply(wk), matrix.apply(wv),
                    matrix.apply(wo), vector.apply(postAttentionNorm), matrix.apply(gate), matrix.apply(up),
                    matrix.apply(down));
        }
    }

    public LlamaWeights(LlamaConfig c, TensorSource source) {
        checkLayerCount(c, source);
        Loader load = new Loader(source);
        int d = c.hiddenSize();
        embedTokens = load.tensor("model.embed_tokens.weight", c.vocabSize(), d);
        List<Layer<Tensor, Tensor>> list = new ArrayList<>(c.numLayers());
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            list.add(new Layer<>(
                    load.vector(p + "input_layernorm.weight", d),
                    load.matrix(p + "self_attn.q_proj.weight", c.qDim(), d),
                    load.matrix(p + "self_attn.k_proj.weight", c.kvDim(), d),
                    load.matrix(p + "self_attn.v_proj.weight", c.kvDim(), d),
                    load.matrix(p + "self_attn.o_proj.weight", d, c.qDim()),
                    load.vector(p + "post_attention_layernorm.weight", d),
                    load.matrix(p + "mlp.gate_proj.weight", c.intermediateSize(), d),
                    load.matrix(p + "mlp.up_proj.weight", c.intermediateSize(), d),
                    load.matrix(p + "mlp.down_proj.weight", d, c.intermediateSize())));
        }
        layers = List.copyOf(list);
        finalNorm = load.vector("model.norm.weight", d);
        lmHead = c.tieWordEmbeddings() ? embedTokens : load.tensor("lm_head.weight", c.vocabSize(), d);
    }

    /**
     * {@code num_hidden_layers} against the layers the weights hold, both ways: a config with fewer layers would
     * silently leave the last ones out, one with more would fail on a missing tensor without saying why.
     */
    private static void checkLayerCount(LlamaConfig c, TensorSource source) {
        int layers = 0;
        String highest = null;
        for (String name : source.names()) {
            Matcher layer = LAYER.matcher(name);
            if (layer.lookingAt() && Integer.parseInt(layer.group(1)) >= layers) {
                layers = Integer.parseInt(layer.group(1)) + 1;
                highest = name;
            }
        }
        if (layers != c.numLayers()) {
            throw new WeightsException(source.describe() + ": config.json says num_hidden_layers " + c.numLayers()
                    + ", but the weights have " + layers + " layer(s)" + (highest == null ? ""
                    : " (up to tensor '" + highest + "')") + "; the config and the weights must agree");
        }
    }

    private static final Pattern LAYER = Pattern.compile("model\\.layers\\.(\\d{1,9})\\.");

    /** Fetches tensors by name and checks their shapes and dtypes; errors name the source and the tensor. */
    private record Loader(TensorSource source) {
        Tensor tensor(String name, long... shape) {
            Tensor t = source.get(name).requireShape(source.describe(), shape);
            if (!t.dtype().isWeight()) {
                throw new WeightsException(source.describe() + ": tensor '" + name + "' has dtype " + t.dtype()
                        + ", expected F32, F16, BF16 or Q8_0");
            }
            return t;
        }

        Tensor matrix(String name, int rows, int cols) {
            return tensor(name, rows, cols);
        }

        Tensor vector(String name, int length) {
            return tensor(name, length);
        }
    }
}
