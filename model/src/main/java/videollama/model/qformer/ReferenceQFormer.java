package videollama.model.qformer;

import static videollama.kernels.reference.Elementwise.add;
import static videollama.kernels.reference.Gelu.gelu;
import static videollama.kernels.reference.LayerNorm.layerNorm;
import static videollama.kernels.reference.Linear.linear;
import static videollama.kernels.reference.MultiHeadAttention.attention;

import java.util.List;
import videollama.kernels.AttentionShape;
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
        for (Layer<WeightMatrix, float[]> l : layers) {
            x = attend(x, l.selfAttention(), x, sets);
            if (l.crossAttends()) {
                x = attend(x, l.crossAttention(), encoder, sets);
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
    private float[] attend(float[] x, Attention<WeightMatrix, float[]> a, float[] source, int sets) {
        float[] attention = attention(linear(x, a.queryWeight(), a.queryBias()), linear(source, a.keyWeight(), a.keyBias()),
                linear(source, a.valueWeight(), a.valueBias()), sets, w.heads, w.headDim, AttentionShape.defaultScale(w.headDim));
        return layerNorm(add(linear(attention, a.denseWeight(), a.denseBias()), x), a.normWeight(), a.normBias(), eps);
    }
}
