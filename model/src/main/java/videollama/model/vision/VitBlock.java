package videollama.model.vision;

import java.util.function.Function;
import videollama.model.CheckedTensors;
import videollama.weights.Tensor;

/**
 * The tensors of one pre-norm ViT block, as EVA ViT-g's blocks and ImageBind's audio trunk (a ViT over the fbank)
 * both have them: {@code x += proj(attention(qkv(norm1(x)))); x += fc2(gelu(fc1(norm2(x))))}, {@code qkv} one
 * [3·width, width] projection whose rows are Q, then K, then V. Declared once for every place that holds these
 * tensors: {@code M} is how a matrix is held and {@code V} a vector ({@link Tensor}s in {@link EvaVitWeights} and
 * {@code ImageBindAudioWeights}, a {@code WeightMatrix} and {@code float[]} in the references, device copies in
 * {@link DeviceEvaVit} and {@code DeviceImageBindAudio}).
 */
public record VitBlock<M, V>(V norm1Weight, V norm1Bias, M qkvWeight, V qkvBias, M projWeight, V projBias,
                             V norm2Weight, V norm2Bias, M fc1Weight, V fc1Bias, M fc2Weight, V fc2Bias) {

    /**
     * What a checkpoint calls a block's modules: the LayerNorms ({@code norm1.weight}, ...), and the qkv and output
     * projections of the attention ({@code attn.proj.weight}, ...). The device names its tasks after them.
     */
    public record Names(String norm1, String qkv, String proj, String norm2) {}

    /** The same block with each matrix and vector passed through {@code matrix} and {@code vector}. */
    public <N, U> VitBlock<N, U> map(Function<? super M, N> matrix, Function<? super V, U> vector) {
        return new VitBlock<>(vector.apply(norm1Weight), vector.apply(norm1Bias), matrix.apply(qkvWeight),
                vector.apply(qkvBias), matrix.apply(projWeight), vector.apply(projBias), vector.apply(norm2Weight),
                vector.apply(norm2Bias), matrix.apply(fc1Weight), vector.apply(fc1Bias), matrix.apply(fc2Weight),
                vector.apply(fc2Bias));
    }

    /**
     * Reads the block under {@code prefix}: its LayerNorms and output projection by {@code names}, its MLP as
     * {@code mlp.fc1}, {@code mlp.fc2}; the qkv projection is given, as each checkpoint stores it its own way.
     *
     * @throws videollama.weights.WeightsException for a missing, mis-typed or mis-shaped tensor
     */
    public static VitBlock<Tensor, Tensor> load(CheckedTensors load, String prefix, Names names, Tensor qkvWeight,
                                                Tensor qkvBias, int width, int mlpWidth) {
        return new VitBlock<>(
                load.vector(prefix + names.norm1() + ".weight", width),
                load.vector(prefix + names.norm1() + ".bias", width),
                qkvWeight,
                qkvBias,
                load.matrix(prefix + "attn." + names.proj() + ".weight", width, width),
                load.vector(prefix + "attn." + names.proj() + ".bias", width),
                load.vector(prefix + names.norm2() + ".weight", width),
                load.vector(prefix + names.norm2() + ".bias", width),
                load.matrix(prefix + "mlp.fc1.weight", mlpWidth, width),
                load.vector(prefix + "mlp.fc1.bias", mlpWidth),
                load.matrix(prefix + "mlp.fc2.weight", width, mlpWidth),
                load.vector(prefix + "mlp.fc2.bias", width));
    }
}
