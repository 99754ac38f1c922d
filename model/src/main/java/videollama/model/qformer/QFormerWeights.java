package videollama.model.qformer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import videollama.model.CheckedTensors;
import videollama.weights.Tensor;

/**
 * The tensors of one Q-Former (LAVIS' BERT with a query path; docs/model.md sections 2.3, 2.4, 2.6) under a prefix
 * ({@code Qformer.}, {@code video_Qformer.}, {@code audio_Qformer.}) and its query tokens, and the sizes they
 * define: the query count and hidden width from the query tokens, the layer count from the layer names, which
 * layers cross-attend from which {@code crossattention.*} tensors exist, the encoder width from the
 * cross-attention key weights, the FFN width from {@code intermediate_query}. Only the query path is read: the
 * text FFN ({@code intermediate}, {@code output}), word and position embeddings are never used at inference.
 */
public final class QFormerWeights {
    /** What the error messages and the device tasks call this Q-Former, e.g. {@code "video_Qformer"}. */
    public final String name;
    /** Learned queries (image and video: 32; audio: 8). */
    public final int queries;
    /** Hidden width (768). */
    public final int hidden;
    /** Attention heads (videollama.json's), which divide the hidden width, and their width. */
    public final int heads;
    public final int headDim;
    /** FFN width (3072). */
    public final int intermediate;
    /** Width of the states cross-attended to (image: 1408; video: 768; audio: 1024). */
    public final int encoderWidth;

    /** The query tokens [1, queries, hidden]. */
    public final Tensor queryTokens;
    /** {@code bert.embeddings.LayerNorm}, applied to the query tokens before layer 0. */
    public final Tensor embedNormWeight;
    public final Tensor embedNormBias;
    public final List<Layer<Tensor, Tensor>> layers;

    /**
     * Q/K/V projections with bias, {@code output.dense} and the post-LN {@code output.LayerNorm} of one self- or
     * cross-attention: {@code x = LayerNorm(dense(attention(q(x), k(s), v(s))) + x)} with s = x or the encoder.
     * Declared once for every place that holds these tensors: {@code M} is how a matrix is held and {@code V} a
     * vector ({@link Tensor}s here, a {@code WeightMatrix} and {@code float[]} in {@link ReferenceQFormer}, device
     * copies in {@link DeviceQFormer}), and {@link #map} makes one holding from another.
     */
    public record Attention<M, V>(M queryWeight, V queryBias, M keyWeight, V keyBias, M valueWeight, V valueBias,
                                  M denseWeight, V denseBias, V normWeight, V normBias) {
        public <N, U> Attention<N, U> map(Function<? super M, N> matrix, Function<? super V, U> vector) {
            return new Attention<>(matrix.apply(queryWeight), vector.apply(queryBias), matrix.apply(keyWeight),
                    vector.apply(keyBias), matrix.apply(valueWeight), vector.apply(valueBias), matrix.apply(denseWeight),
                    vector.apply(denseBias), vector.apply(normWeight), vector.apply(normBias));
        }
    }

    /**
     * One post-LN layer: self-attention, cross-attention on the layers that have it (null otherwise), and the
     * query FFN {@code x = LayerNorm(output_query(gelu(intermediate_query(x))) + x)}; {@code M}, {@code V} as in
     * {@link Attention}.
     */
    public record Layer<M, V>(Attention<M, V> selfAttention, Attention<M, V> crossAttention, M intermediateWeight,
                              V intermediateBias, M outputWeight, V outputBias, V outputNormWeight, V outputNormBias) {
        public boolean crossAttends() {
            return crossAttention != null;
        }

        /** The same layer with each matrix and vector passed through {@code matrix} and {@code vector}. */
        public <N, U> Layer<N, U> map(Function<? super M, N> matrix, Function<? super V, U> vector) {
            return new Layer<>(selfAttention.map(matrix, vector), crossAttends() ? crossAttention.map(matrix, vector) : null,
                    matrix.apply(intermediateWeight), vector.apply(intermediateBias), matrix.apply(outputWeight),
                    vector.apply(outputBias), vector.apply(outputNormWeight), vector.apply(outputNormBias));
        }
    }

    /**
     * Reads and checks a Q-Former's tensors.
     *
     * @param prefix      {@code "Qformer."}, {@code "video_Qformer."} or {@code "audio_Qformer."}
     * @param queryTokens {@code "query_tokens"}, {@code "video_query_tokens"} or {@code "audio_query_tokens"}
     * @throws videollama.weights.WeightsException for a missing, mis-typed or mis-shaped tensor, a head count
     *         that does not divide the hidden width, or a Q-Former without any cross-attention layer
     */
    public QFormerWeights(CheckedTensors load, String prefix, String queryTokens, QFormerSettings settings) {
        this.name = prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
        this.queryTokens = load.ofRank(queryTokens, 3, "[1, queries, hidden]");
        if (this.queryTokens.dim(0) != 1) {
            throw load.error("tensor '" + queryTokens + "' has shape " + this.queryTokens.shapeString() + ", expected [1, queries, hidden]");
        }
        queries = Math.toIntExact(this.queryTokens.dim(1));
        hidden = Math.toIntExact(this.queryTokens.dim(2));
        if (hidden % settings.heads() != 0) {
            throw load.error(name + " is " + hidden + " wide (tensor '" + queryTokens + "'), which " + settings.heads()
                    + " heads (videollama.json) do not divide");
        }
        heads = settings.heads();
        headDim = hidden / heads;
        String bert = prefix + "bert.";
        embedNormWeight = load.vector(bert + "embeddings.LayerNorm.weight", hidden);
        embedNormBias = load.vector(bert + "embeddings.LayerNorm.bias", hidden);

        String layer = bert + "encoder.layer.";
        int count = load.countIndexed(layer, ".attention.self.query.weight");
        if (count == 0) {
            throw load.error("missing tensor '" + layer + "0.attention.self.query.weight' (" + name + " has no layers)");
        }
        Tensor ffn = load.ofRank(layer + "0.intermediate_query.dense.weight", 2, "[intermediate, " + hidden + "]");
        intermediate = Math.toIntExact(ffn.dim(0));
        int width = -1;
        List<Layer<Tensor, Tensor>> list = new ArrayList<>(count);
        for (int l = 0; l < count; l++) {
            String p = layer + l + ".";
            Attention<Tensor, Tensor> cross = null;
            if (load.has(p + "crossattention.self.query.weight")) {
                if (width < 0) {
                    width = Math.toIntExact(load.ofRank(p + "crossattention.self.key.weight", 2, "[" + hidden + ", encoder width]").dim(1));
                }
                cross = attention(load, p + "crossattention.", width);
            }
            list.add(new Layer<>(attention(load, p + "attention.", hidden), cross,
                    load.matrix(p + "intermediate_query.dense.weight", intermediate, hidden),
                    load.vector(p + "intermediate_query.dense.bias", intermediate),
                    load.matrix(p + "output_query.dense.weight", hidden, intermediate),
                    load.vector(p + "output_query.dense.bias", hidden),
                    load.vector(p + "output_query.LayerNorm.weight", hidden),
                    load.vector(p + "output_query.LayerNorm.bias", hidden)));
        }
        if (width < 0) {
            throw load.error(name + " has no cross-attention layer (no tensor '" + layer + "N.crossattention.self.query.weight'),"
                    + " so it would ignore its input");
        }
        encoderWidth = width;
        layers = List.copyOf(list);
    }

    private Attention<Tensor, Tensor> attention(CheckedTensors load, String p, int inputWidth) {
        return new Attention<>(
                load.matrix(p + "self.query.weight", hidden, hidden),
                load.vector(p + "self.query.bias", hidden),
                load.matrix(p + "self.key.weight", hidden, inputWidth),
                load.vector(p + "self.key.bias", hidden),
                load.matrix(p + "self.value.weight", hidden, inputWidth),
                load.vector(p + "self.value.bias", hidden),
                load.matrix(p + "output.dense.weight", hidden, hidden),
                load.vector(p + "output.dense.bias", hidden),
                load.vector(p + "output.LayerNorm.weight", hidden),
                load.vector(p + "output.LayerNorm.bias", hidden));
    }

    /** Indices of the layers with cross-attention (image Q-Former: 0, 2, ..., 10). */
    public List<Integer> crossAttentionLayers() {
        List<Integer> list = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            if (layers.get(l).crossAttends()) {
                list.add(l);
            }
        }
        return list;
    }
}
