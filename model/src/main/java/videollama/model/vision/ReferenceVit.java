package videollama.model.vision;

import static videollama.kernels.reference.Elementwise.add;
import static videollama.kernels.reference.Gelu.gelu;
import static videollama.kernels.reference.LayerNorm.layerNorm;
import static videollama.kernels.reference.Linear.linear;

import java.util.Arrays;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;
import videollama.kernels.reference.WeightMatrix;

/**
 * What the plain-Java references of the two ViTs share ({@link ReferenceEvaVit} and ImageBind's audio encoder,
 * {@code ReferenceImageBindAudio}): one {@link VitBlock}, which they run alike but for how the attention reads
 * q, k and v from the qkv projection (EVA scales q first; ImageBind appends a learned key and value row), and
 * the run over the inputs (frames, clips) one at a time.
 */
public final class ReferenceVit {
    private ReferenceVit() {
    }

    /**
     * One pre-norm block over one input's tokens {@code x} [tokens, width]:
     * {@code x += proj(attention(qkv(norm1(x)))); x += fc2(gelu(fc1(norm2(x))))}.
     *
     * @param attention the heads' outputs [tokens, width] from the qkv projection [tokens, 3·width]
     * @return the new residual stream
     */
    public static float[] block(VitBlock<WeightMatrix, float[]> b, float[] x, float eps, UnaryOperator<float[]> attention) {
        // x += proj(attention(qkv(norm1(x))))
        float[] qkv = linear(layerNorm(x, b.norm1Weight(), b.norm1Bias(), eps), b.qkvWeight(), b.qkvBias());
        x = add(x, linear(attention.apply(qkv), b.projWeight(), b.projBias()));

        // x += fc2(gelu(fc1(norm2(x))))
        float[] hidden = gelu(linear(layerNorm(x, b.norm2Weight(), b.norm2Bias(), eps), b.fc1Weight(), b.fc1Bias()));
        return add(x, linear(hidden, b.fc2Weight(), b.fc2Bias()));
    }

    /**
     * {@code one} over {@code count} inputs of {@code inputSize} floats laid one after another, their outputs of
     * {@code outputSize} floats likewise.
     *
     * @param inputsName what the inputs are, for the error ({@code "frames"}, {@code "clips"})
     * @param done       called with the 0-based index of each input when it is done (progress)
     */
    public static float[] eachInput(float[] inputs, int count, int inputSize, int outputSize, String inputsName,
                                    UnaryOperator<float[]> one, IntConsumer done) {
        if (count < 1 || inputs.length != (long) count * inputSize) {
            throw new IllegalArgumentException(count + " " + inputsName + " of " + inputSize + " floats need "
                    + (long) count * inputSize + " floats, got " + inputs.length);
        }
        float[] out = new float[Math.multiplyExact(count, outputSize)];
        for (int i = 0; i < count; i++) {
            float[] y = one.apply(Arrays.copyOfRange(inputs, i * inputSize, (i + 1) * inputSize));
            System.arraycopy(y, 0, out, i * outputSize, outputSize);
            done.accept(i);
        }
        return out;
    }
}
