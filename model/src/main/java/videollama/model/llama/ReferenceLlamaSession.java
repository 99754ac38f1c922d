package videollama.model.llama;

import java.util.List;
import java.util.function.Consumer;
import videollama.kernels.reference.Activations;
import videollama.kernels.reference.Attention;
import videollama.kernels.reference.MatMul;
import videollama.kernels.reference.RmsNorm;
import videollama.kernels.reference.Rope;
import videollama.kernels.reference.WeightMatrix;
import videollama.model.llama.LlamaWeights.Layer;
import videollama.weights.Tensor;

/**
 * The plain-Java float32 reference of LLaMA's forward pass, the oracle {@link DeviceLlamaSession} is checked
 * against, as transformers' {@code LlamaForCausalLM} computes it. Written to be read top to bottom;
 * {@link Llama#newSession} returns one for the reference backend, and it can be made directly from the weights.
 */
public final class ReferenceLlamaSession extends AbstractLlamaSession {
    /** Each layer's matrices as read-in-place views, its norm vectors widened to float. */
    private final List<Layer<WeightMatrix, float[]>> layers;
    private final float[] finalNorm;
    private final WeightMatrix lmHead;
    private final Rope rope;
    private final float[][] keyCache;   // [layer][position · kvDim + i]
    private final float[][] valueCache;
    private Consumer<String> progress = line -> {};

    /** A fresh sequence of at most {@code capacity} positions over {@code weights}, read in place. */
    public ReferenceLlamaSession(LlamaConfig config, LlamaWeights weights, int capacity) {
        this(config, new WeightMatrix(weights.embedTokens), weights.layers.stream().map(l -> l.map(WeightMatrix::new, Tensor::toFloatArray)).toList(),
                weights.finalNorm.toFloatArray(), new WeightMatrix(weights.lmHead), capacity);
    }

    private ReferenceLlamaSession(LlamaConfig config, WeightMatrix embedding, List<Layer<WeightMatrix, float[]>> layers, float[] finalNorm,
                                  WeightMatrix lmHead, int capacity) {
        super(config, embedding, capacity);
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.rope = new Rope(config.headDim(), config.ropeTheta());
        this.keyCache = new float[config.numLayers()][Math.multiplyExact(capacity, config.kvDim())];
        this.valueCache = new float[config.numLayers()][Math.multiplyExact(capacity, config.kvDim())];
    }

    @Override
    public LlamaSession fork() {
        ReferenceLlamaSession copy = new ReferenceLlamaSession(config, embedding, layers, finalNorm, lmHead, capacity);
        copy.copyCacheFrom(this, 0);
        return copy;
    }

    @Override
    boolean sameCacheAs(AbstractLlamaSession other) {
        return other.config == config && other.capacity == capacity;
    }

    @Override
    void copyCacheRows(AbstractLlamaSession source, int from, int to) {
        ReferenceLlamaSession s = (ReferenceLlamaSession) source;
        int kvDim = config.kvDim();
        for (int l = 0; l < config.numLayers(); l++) {
            System.arraycopy(s.keyCache[l], from * kvDim, keyCache[l], from * kvDim, (to - from) * kvDim);
            System.arraycopy(s.valueCache[l], from * kvDim, valueCache[l], from * kvDim, (to - from) * kvDim);
        }
    }

    @Override
    public float[] forward(float[] embeddings, int n, boolean logitsForEveryRow) {
        checkInput(embeddings, n);
        int d = config.hiddenSize();
        int qDim = config.qDim();
        int kvDim = config.kvDim();
        int ffn = config.intermediateSize();
        float eps = config.rmsNormEps();
        int start = position;

        float[] x = new float[n * d];            // the residual stream
        System.arraycopy(embeddings, 0, x, 0, n * d);
        float[] xb = new float[n * d];           // a normalised copy of it
        float[] q = new float[n * qDim];
        float[] k = new float[n * kvDim];
        float[] v = new float[n * kvDim];
        float[] attention = new float[n * qDim];
        float[] projected = new float[n * d];
        float[] gate = new float[n * ffn];
        float[] up = new float[n * ffn];

        if (n > 1) {
            progress.accept("prefill: layer 0/" + config.numLayers());
        }
        for (int l = 0; l < config.numLayers(); l++) {
            Layer<WeightMatrix, float[]> w = layers.get(l);

            // Attention block: x += o_proj(attention(rope(q), rope(k), v)) on the normalised stream.
            RmsNorm.rmsNorm(xb, x, w.inputNorm(), n, eps);
            MatMul.matmul(q, w.wq(), xb, n);
            MatMul.matmul(k, w.wk(), xb, n);
            MatMul.matmul(v, w.wv(), xb, n);
            for (int t = 0; t < n; t++) {
                rope.rotate(q, t * qDim, config.numHeads(), start + t);
                rope.rotate(k, t * kvDim, config.numKvHeads(), start + t);
            }
            System.arraycopy(k, 0, keyCache[l], start * kvDim, n * kvDim);
            System.arraycopy(v, 0, valueCache[l], start * kvDim, n * kvDim);
            Attention.causal(attention, q, keyCache[l], valueCache[l], n, start,
                    config.numHeads(), config.numKvHeads(), config.headDim());
            MatMul.matmul(projected, w.wo(), attention, n);
            Activations.add(x, projected, n * d);

            // Feed-forward block: x += down(silu(gate(x̂)) · up(x̂)).
            RmsNorm.rmsNorm(xb, x, w.postAttentionNorm(), n, eps);
            MatMul.matmul(gate, w.gate(), xb, n);
            MatMul.matmul(up, w.up(), xb, n);
            Activations.swiGlu(gate, up, n * ffn);
            MatMul.matmul(projected, w.down(), gate, n);
            Activations.add(x, projected, n * d);
            if (n > 1) {
                progress.accept("prefill: layer " + (l + 1) + "/" + config.numLayers());
            }
        }
        position += n;

        // Only the rows whose logits are wanted go through the final norm and the vocabulary projection.
        int rows = logitsForEveryRow ? n : 1;
        float[] last = new float[rows * d];
        System.arraycopy(x, (n - rows) * d, last, 0, rows * d);
        RmsNorm.rmsNorm(last, last, finalNorm, rows, eps);
        float[] logits = new float[rows * config.vocabSize()];
        MatMul.matmul(logits, lmHead, last, rows);
        return logits;
    }

    @Override
    public void progress(Consumer<String> lines) {
        this.progress = lines;
    }

    @Override
    public void close() {}
}
