package videollama.model.qformer;

import static videollama.kernels.reference.Elementwise.add;
import static videollama.kernels.reference.Gelu.gelu;
import static videollama.kernels.reference.LayerNorm.layerNorm;
import static videollama.kernels.reference.Linear.linear;
import static videollama.kernels.reference.MultiHeadAttention.attention;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import videollama.kernels.AttentionShape;
import videollama.kernels.reference.Softmax;
import videollama.kernels.reference.WeightMatrix;
import videollama.model.qformer.QFormerWeights.Attention;
import videollama.model.qformer.QFormerWeights.Layer;
import videollama.weights.Tensor;

/**
 * The plain-Java float32 reference of a Q-Former's query path, the oracle {@link DeviceQFormer} is checked
 * against, as LAVIS' {@code Qformer.py} computes it (docs/model.md section 3.3):
 * the learned queries, LayerNormed ({@code embeddings.LayerNorm}), then post-LN layers of self-attention over the
 * queries, cross-attention to the encoder states on the layers that have it, and the query FFN with exact GELU.
 * One class serves the image Q-Former (cross-attention on even layers), the video Q-Former and the audio
 * Q-Former (cross-attention in every layer): the weights say which.
 *
 * <p>{@code sets} independent inputs go through at once (the image Q-Former's frames): each set's queries
 * attend only to themselves and to that set's encoder rows.
 */
public final class ReferenceQFormer {
    private final QFormerWeights w;
    private final float eps;
    /** The query tokens after {@code embeddings.LayerNorm}: the same for every input, so computed once. */
    private final float[] queries;
    /** The layers' matrices as read-in-place views, their vectors widened to float. */
    private final List<Layer<WeightMatrix, float[]>> layers;

    public ReferenceQFormer(QFormerWeights weights, QFormerSettings settings) {
        this.w = weights;
        this.eps = settings.layerNormEps();
        this.queries = layerNorm(weights.queryTokens.toFloatArray(), weights.embedNormWeight.toFloatArray(),
                weights.embedNormBias.toFloatArray(), eps);
        this.layers = weights.layers.stream().map(l -> l.map(WeightMatrix::new, Tensor::toFloatArray)).toList();
    }

    public QFormerWeights weights() {
        return w;
    }

    /**
     * The Q-Former's output for {@code sets} inputs.
     *
     * @param encoder       [sets · encoderTokens, encoderWidth]: set s's rows {@code s · encoderTokens ..}
     * @param sets          independent inputs (the image Q-Former: frames; the video Q-Former: 1)
     * @param encoderTokens rows per set (the image Q-Former: 257 ViT tokens; the video Q-Former: T · 32)
     * @return {@code last_hidden_state} [sets · queries, hidden]
     */
    public float[] forward(float[] encoder, int sets, int encoderTokens) {
        return forward(encoder, sets, encoderTokens, null);
    }

    /**
     * What each query looks at in the encoder's rows: a cross-attention layer's softmax weights, averaged over its heads.
     * Only the lab view asks for them ({@link #forward(float[], int, int, CrossAttentionProbe)}); the encoders never do.
     */
    public interface CrossAttentionProbe {
        /**
         * @param layer   the layer's index among all layers
         * @param weights [sets, queries, encoderTokens]: each row sums to 1
         */
        void accept(int layer, float[] weights);
    }

    /** {@link #forward(float[], int, int)}, each cross-attention layer's weights given to {@code probe} (null: none). */
    public float[] forward(float[] encoder, int sets, int encoderTokens, CrossAttentionProbe probe) {
        int q = w.queries;
        int h = w.hidden;
        int encoderRows = sets * encoderTokens;
        if (sets < 1 || encoderTokens < 1 || encoder.length != (long) encoderRows * w.encoderWidth) {
            throw new IllegalArgumentException(w.name + ": " + sets + " sets of " + encoderTokens + " rows of width "
                    + w.encoderWidth + " need " + (long) encoderRows * w.encoderWidth + " floats, got " + encoder.length);
        }
        float[] x = new float[sets * q * h];
        for (int s = 0; s < sets; s++) {
            System.arraycopy(queries, 0, x, s * q * h, q * h);
        }
        for (int layer = 0; layer < layers.size(); layer++) {
            Layer<WeightMatrix, float[]> l = layers.get(layer);
            x = attend(x, l.selfAttention(), x, sets, null);
            if (l.crossAttends()) {
                int at = layer;
                x = attend(x, l.crossAttention(), encoder, sets, probe == null ? null : weights -> probe.accept(at, weights));
            }
            float[] ffn = linear(gelu(linear(x, l.intermediateWeight(), l.intermediateBias())), l.outputWeight(), l.outputBias());
            x = layerNorm(add(ffn, x), l.outputNormWeight(), l.outputNormBias(), eps);
        }
        return x;
    }

    /**
     * {@code LayerNorm(dense(attention(query(x), key(source), value(source))) + x)}: self-attention with
     * {@code source == x}, cross-attention with the encoder's rows; each set's queries see only that set's rows.
     */
    private float[] attend(float[] x, Attention<WeightMatrix, float[]> a, float[] source, int sets, Consumer<float[]> probe) {
        float[] query = linear(x, a.queryWeight(), a.queryBias());
        float[] key = linear(source, a.keyWeight(), a.keyBias());
        float scale = AttentionShape.defaultScale(w.headDim);
        if (probe != null) {
            probe.accept(meanWeights(query, key, sets, scale));
        }
        float[] attention = attention(query, key, linear(source, a.valueWeight(), a.valueBias()), sets, w.heads, w.headDim, scale);
        return layerNorm(add(linear(attention, a.denseWeight(), a.denseBias()), x), a.normWeight(), a.normBias(), eps);
    }

    /** {@code softmax(q·kᵀ · scale)} per set and head, averaged over the heads: [sets, queries, keys]; rows in parallel. */
    private float[] meanWeights(float[] query, float[] key, int sets, float scale) {
        int width = w.heads * w.headDim;
        int queries = query.length / (sets * width);
        int keys = key.length / (sets * width);
        float[] mean = new float[sets * queries * keys];
        IntStream.range(0, sets * queries).parallel().forEach(row -> {
            int set = row / queries;
            float[] scores = new float[keys];
            for (int h = 0; h < w.heads; h++) {
                for (int j = 0; j < keys; j++) {
                    float dot = 0f;
                    for (int i = 0; i < w.headDim; i++) {
                        dot += query[row * width + h * w.headDim + i] * key[(set * keys + j) * width + h * w.headDim + i];
                    }
                    scores[j] = dot * scale;
                }
                Softmax.softmax(scores, 0, keys);
                for (int j = 0; j < keys; j++) {
                    mean[row * keys + j] += scores[j] / w.heads;
                }
            }
        });
        return mean;
    }
}
