package videollama.kernels.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static videollama.kernels.KernelChecks.assertSumsClose;
import static videollama.kernels.KernelChecks.randomFloats;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.kernels.KernelChecks;
import videollama.testing.SeededRandom;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * The patch embedding against a naive direct convolution in double precision written out here (seven nested
 * loops, PyTorch's Conv2d definition), and the class token and positions against their definitions.
 */
class PatchEmbeddingTest {
    @RegisterExtension
    final SeededRandom random = new SeededRandom();

    @ParameterizedTest(name = "{0} x {1}x{2}x{3}, k {4} s {5}, cout {6}, {7}, bias {8}")
    @CsvSource({
            "1, 2, 9, 11, 3, 2, 5, F32, true",
            "2, 2, 9, 11, 3, 2, 5, F16, false",
            "3, 2, 10, 12, 3, 2, 5, BF16, true",     // the last row and column belong to no patch
            "1, 1, 5, 5, 5, 1, 1, F32, false",       // one patch, the whole image
            "2, 3, 224, 224, 14, 14, 24, F16, true", // EVA ViT-g, channels trimmed
            "1, 1, 128, 204, 16, 10, 40, F32, false" // ImageBind audio, channels trimmed
    })
    void matchesTheDirectConvolutionInDouble(int batch, int cin, int height, int width, int k, int stride, int cout,
                                             DType dtype, boolean withBias) {
        Tensor weight = Tensor.ofFloats("w", randomFloats(random, cout * cin * k * k), cout, cin, k, k).convertTo(dtype);
        float[] images = randomFloats(random, batch * cin * height * width);
        float[] bias = withBias ? randomFloats(random, cout) : null;
        int patches = PatchEmbedding.outputSize(height, k, stride) * PatchEmbedding.outputSize(width, k, stride);
        float[] out = new float[batch * patches * cout];
        PatchEmbedding.patchEmbed(out, images, weight, bias, batch, height, width, stride);

        // relative to Σ|w·x|, not the largest output: the one-patch case's single sum may cancel to near zero
        KernelChecks.Sums expected = KernelChecks.patchEmbeddingReference(images, weight.toFloatArray(), bias, batch, cin, height, width, cout, k, stride);
        assertSumsClose(expected, out, 1e-6, dtype.name());
    }

    /**
     * A one-hot filter picks one pixel per patch, so the tokens show the layout: row-major over the output grid of
     * outH x outW patches (two input channels, filters of 3 or more).
     */
    @ParameterizedTest(name = "{0}x{1}, k {2} s {3}: {4}x{5} patches")
    @CsvSource({"9, 11, 3, 2, 4, 5", "10, 7, 3, 3, 3, 2", "16, 20, 4, 4, 4, 5"})
    void tokensAreThePatchGridInRowMajorOrder(int height, int width, int k, int stride, int outH, int outW) {
        int cin = 2;
        float[] images = new float[cin * height * width];
        for (int i = 0; i < images.length; i++) {
            images[i] = i;
        }
        float[] w = new float[2 * cin * k * k];
        w[((0 * cin + 1) * k + 1) * k + 2] = 1f; // channel 0 sees (cin 1, ky 1, kx 2)
        w[((1 * cin + 0) * k + 2) * k + 0] = 1f; // channel 1 sees (cin 0, ky 2, kx 0)
        float[] out = new float[outH * outW * 2];
        PatchEmbedding.patchEmbed(out, images, Tensor.ofFloats("w", w, 2, cin, k, k), null, 1, height, width, stride);
        for (int oy = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++) {
                int token = oy * outW + ox;
                assertEquals((1 * height + oy * stride + 1) * width + ox * stride + 2, out[token * 2], "token " + token);
                assertEquals((0 * height + oy * stride + 2) * width + ox * stride, out[token * 2 + 1], "token " + token);
            }
        }
    }

    /** (size − k) / stride + 1: EVA's 224 in patches of 14, ImageBind's 128 x 204 spectrogram in 16s at stride 10. */
    @ParameterizedTest(name = "{0} in {1} at stride {2}: {3}")
    @CsvSource({"224, 14, 14, 16", "128, 16, 10, 12", "204, 16, 10, 19", "10, 3, 2, 4", "5, 5, 3, 1"})
    void outputSizeIsThatOfAConvolutionWithoutPadding(int size, int k, int stride, int patches) {
        assertEquals(patches, PatchEmbedding.outputSize(size, k, stride));
    }

    @Test
    void anImageSmallerThanTheFilterIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PatchEmbedding.outputSize(4, 5, 1));
    }

    @Test
    void rejectsAWeightThatIsNotASquareFilterBank() {
        float[] out = new float[100];
        float[] images = new float[100];
        Tensor matrix = Tensor.ofFloats("w", new float[12], 3, 4);
        Tensor oblong = Tensor.ofFloats("w", new float[12], 1, 1, 3, 4);
        assertThrows(IllegalArgumentException.class, () -> PatchEmbedding.patchEmbed(out, images, matrix, null, 1, 10, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> PatchEmbedding.patchEmbed(out, images, oblong, null, 1, 10, 10, 1));
    }

    @Test
    void classTokenGoesFirstAndPositionsAddPerToken() {
        int batch = 3;
        int patches = 7;
        int dim = 13;
        float[] tokens = randomFloats(random, batch * patches * dim);
        float[] cls = randomFloats(random, dim);
        float[] positions = randomFloats(random, (patches + 1) * dim);
        float[] out = new float[batch * (patches + 1) * dim];
        PatchEmbedding.prependClassToken(out, tokens, cls, batch, patches, dim);
        float[] withPositions = out.clone();
        PatchEmbedding.addPositions(withPositions, positions, batch, patches + 1, dim);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t <= patches; t++) {
                for (int d = 0; d < dim; d++) {
                    int i = (b * (patches + 1) + t) * dim + d;
                    float token = t == 0 ? cls[d] : tokens[(b * patches + t - 1) * dim + d];
                    assertEquals(token, out[i]);
                    assertEquals(token + positions[t * dim + d], withPositions[i]);
                }
            }
        }
        assertArrayEquals(cls, Arrays.copyOfRange(out, (patches + 1) * dim, (patches + 2) * dim));
    }
}
