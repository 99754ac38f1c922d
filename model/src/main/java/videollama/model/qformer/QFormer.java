package videollama.model.qformer;

import java.util.List;
import videollama.kernels.AttentionShape;
import videollama.kernels.reference.Gelu;
import videollama.kernels.reference.LayerNorm;
import videollama.kernels.reference.Linear;
import videollama.kernels.reference.MultiHeadAttention;
import videollama.kernels.reference.WeightMatrix;

/**
 * A Q-Former's query path in plain Java, float32, as LAVIS' {@code Qformer.py} computes it (docs/model.md section 3.3):
 * the learned queries, LayerNormed ({@code embeddings.LayerNorm}), then post-LN layers of self-attention over the
 * queries, cross-attention to the encoder states on the layers that have it, and the query FFN with exact GELU.
 * One class serves the image Q-Former (cross-attention on even layers), the video Q-Former and the audio
 * Q-Former (cross-attention in every layer): the weights say which.
 *
 * <p>{@code sets} independent inputs go through at once (the image Q-Former's frames): each set's queries
 * attend only to themselves and to that set's encoder rows.
 */
public final class QFormer {
    private final QFormerWeights w;
    private final int heads;
    private final int headDim;
    private final float eps;
    /** The query tokens after {@code embeddings.LayerNorm}: the same for every input, so computed once. */
    private final float[] queries;
    private final List<Layer> layers;

    private record Attention(WeightMatrix query, float[] queryBias, WeightMatrix key, float[] keyBias, WeightMatrix value,
                             float[] valueBias, WeightMatrix dense, float[] denseBias, float[] normWeight, float[] normBias) {
        static Attention of(QFormerWeights.Attention a) {
            return a == null ? null : new Attention(new WeightMatrix(a.queryWeight()), a.queryBias().toFloatArray(),
                    new WeightMatrix(a.keyWeight()), a.keyBias().toFloatArray(), new WeightMatrix(a.valueWeight()),
                    a.valueBias().toFloatArray(), new WeightMatrix(a.denseWeight()), a.denseBias().toFloatArray(),
                    a.normWeight().toFloatArray(), a.normBias().toFloatArray());
        }
    }

    private record Layer(Attention self, Attention cross, WeightMatrix intermediate, float[] intermediateBias,
                         WeightMatrix output, float[] outputBias, float[] outputNormWeight, float[] outputNormBias) {}

    public QFormer(QFormerWeights weights, QFormerSettings settings) {
        this.w = weights;
        this.heads = settings.heads();
        this.headDim = weights.hidden / heads;
        this.eps = settings.layerNormEps();
        this.queries = new float[weights.queries * weights.hidden];
        LayerNorm.layerNorm(queries, weights.queryTokens.toFloatArray(), weights.embedNormWeight.toFloatArray(),
                weights.embedNormBias.toFloatArray(), weights.queries, eps);
        this.layers = weights.layers.stream().map(l -> new Layer(Attention.of(l.selfAttention()), Attention.of(l.crossAttention()),
                new WeightMatrix(l.intermediateWeight()), l.intermediateBias().toFloatArray(), new WeightMatrix(l.outputWeight()),
                l.outputBias().toFloatArray(), l.outputNormWeight().toFloatArray(), l.outputNormBias().toFloatArray())).toList();
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
        int q = w.queries;
        int h = w.hidden;
        int rows = sets * q;
        int encoderRows = sets * encoderTokens;
        if (sets < 1 || encoderTokens < 1 || encoder.length != (long) encoderRows * w.encoderWidth) {
            throw new IllegalArgumentException(w.name + ": " + sets + " sets of " + encoderTokens + " rows of width "
                    + w.encoderWidth + " need " + (long) encoderRows * w.encoderWidth + " floats, got " + encoder.length);
        }
        float[] x = new float[rows * h];
        for (int s = 0; s < sets; s++) {
            System.arraycopy(queries, 0, x, s * q * h, q * h);
        }
        float[] hidden = new float[rows * w.intermediate];
        float[] out = new float[rows * h];
        AttentionShape self = AttentionShape.cross(sets, q, q, heads, headDim);
        AttentionShape cross = AttentionShape.cross(sets, q, encoderTokens, heads, headDim);
        for (Layer l : layers) {
            attend(x, l.self(), x, rows, rows, self);
            if (l.cross() != null) {
                attend(x, l.cross(), encoder, rows, encoderRows, cross);
            }
            // x = LayerNorm(output_query(gelu(intermediate_query(x))) + x)
            Linear.linear(hidden, l.intermediate(), x, null, null, rows);
            Gelu.biasGelu(hidden, hidden, l.intermediateBias(), rows);
            Linear.linear(out, l.output(), hidden, l.outputBias(), null, rows);
            LayerNorm.addLayerNorm(x, out, x, l.outputNormWeight(), l.outputNormBias(), rows, eps);
        }
        return x;
    }

    /** {@code x = LayerNorm(dense(attention(query(x), key(source), value(source))) + x)}, in place. */
    private void attend(float[] x, Attention a, float[] source, int rows, int sourceRows, AttentionShape shape) {
        int h = w.hidden;
        float[] q = new float[rows * h];
        float[] k = new float[sourceRows * h];
        float[] v = new float[sourceRows * h];
        float[] attention = new float[rows * h];
        float[] dense = new float[rows * h];
        Linear.linear(q, a.query(), x, a.queryBias(), null, rows);
        Linear.linear(k, a.key(), source, a.keyBias(), null, sourceRows);
        Linear.linear(v, a.value(), source, a.valueBias(), null, sourceRows);
        MultiHeadAttention.attention(attention, q, k, v, shape);
        Linear.linear(dense, a.dense(), attention, a.denseBias(), null, rows);
        LayerNorm.addLayerNorm(x, dense, x, a.normWeight(), a.normBias(), rows, eps);
    }
}
