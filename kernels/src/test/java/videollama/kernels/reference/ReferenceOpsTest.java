package videollama.kernels.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static videollama.kernels.KernelChecks.randomFloats;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * The reference ops against straightforward double-precision formulas written out here, on random inputs
 * with odd sizes. (Causal attention is checked in {@link MultiHeadAttentionTest}; the whole LLaMA forward against
 * PyTorch in the golden tests.)
 */
class ReferenceOpsTest {
    private final Random random = new Random(20261125);

    @ParameterizedTest(name = "{0}: {1} x {2}, {3} rows of x")
    @CsvSource({"F32, 37, 53, 3", "F16, 37, 53, 3", "BF16, 37, 53, 3", "BF16, 1, 1, 1", "F16, 64, 7, 2"})
    void matmulMatchesTheDefinitionForEveryWeightDtype(DType dtype, int rows, int cols, int n) {
        float[] w = randomFloats(random, rows * cols);
        float[] x = randomFloats(random, n * cols);
        Tensor t = Tensor.ofFloats("w", w, rows, cols).convertTo(dtype);
        float[] widened = t.toFloatArray();
        float[] out = new float[n * rows];
        MatMul.matmul(out, new WeightMatrix(t), x, n);
        for (int r = 0; r < rows; r++) {
            for (int s = 0; s < n; s++) {
                double expected = 0;
                for (int c = 0; c < cols; c++) {
                    expected += (double) widened[r * cols + c] * x[s * cols + c];
                }
                assertEquals(expected, out[s * rows + r], 1e-5 * (1 + Math.abs(expected)), dtype + " row " + r);
            }
        }
    }

    @Test
    void weightMatrixReadsStoredDtypesInPlace() {
        float[] w = {1f, -2.5f, 0.333333f, 65504f, 1e-5f, -0f};
        Tensor bf16 = Tensor.ofFloats("w", w, 2, 3).convertTo(DType.BF16);
        WeightMatrix m = new WeightMatrix(bf16);
        assertEquals(2, m.rows());
        assertEquals(3, m.cols());
        float[] widened = bf16.toFloatArray();
        for (int i = 0; i < 6; i++) {
            assertEquals(widened[i], m.get(i / 3, i % 3));
        }
        assertThrows(IllegalArgumentException.class, () -> new WeightMatrix(Tensor.ofFloats("v", w, 6)));
    }

    @ParameterizedTest(name = "{0} rows x {1}")
    @CsvSource({"2, 19", "1, 1", "3, 64"})
    void rmsNormMatchesTheDefinition(int n, int dim) {
        float[] x = randomFloats(random, n * dim);
        float[] weight = randomFloats(random, dim);
        float[] out = new float[n * dim];
        RmsNorm.rmsNorm(out, x, weight, n, 1e-5f);
        for (int t = 0; t < n; t++) {
            double ms = 0;
            for (int i = 0; i < dim; i++) {
                ms += (double) x[t * dim + i] * x[t * dim + i];
            }
            double scale = 1 / Math.sqrt(ms / dim + 1e-5);
            for (int i = 0; i < dim; i++) {
                assertEquals(weight[i] * x[t * dim + i] * scale, out[t * dim + i], 1e-6);
            }
        }
    }

    @ParameterizedTest(name = "{0} heads of {1}, theta {2}, position {3}")
    @CsvSource({"3, 12, 500000, 777", "2, 64, 10000, 31", "1, 2, 10000, 1"})
    void ropeRotatesHalvesByPositionTimesFrequency(int heads, int headDim, double theta, int pos) {
        float[] x = randomFloats(random, heads * headDim);
        float[] rotated = x.clone();
        new Rope(headDim, theta).rotate(rotated, 0, heads, pos);
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < headDim / 2; i++) {
                double angle = pos * Math.pow(theta, -2.0 * i / headDim);
                double a = x[h * headDim + i];
                double b = x[h * headDim + i + headDim / 2];
                // float32 angles at position 777 carry about 1e-4 absolute error, as in PyTorch
                assertEquals(a * Math.cos(angle) - b * Math.sin(angle), rotated[h * headDim + i], 2e-4);
                assertEquals(b * Math.cos(angle) + a * Math.sin(angle), rotated[h * headDim + i + headDim / 2], 2e-4);
            }
        }
        float[] atZero = x.clone();
        new Rope(headDim, theta).rotate(atZero, 0, heads, 0);
        assertArrayEquals(x, atZero);
    }

    @Test
    void softmaxIsStableForLargeLogits() {
        float[] x = {1000f, 1001f, 999f, -1e30f};
        Softmax.softmax(x, 0, 4);
        double z = Math.exp(-1) + 1 + Math.exp(-2);
        assertEquals(Math.exp(-1) / z, x[0], 1e-7);
        assertEquals(1 / z, x[1], 1e-7);
        assertEquals(Math.exp(-2) / z, x[2], 1e-7);
        assertEquals(0f, x[3]);
    }

    @Test
    void siluAndSwiGlu() {
        assertEquals(0f, Activations.silu(0f));
        assertEquals(1.0 / (1 + Math.exp(-1)), Activations.silu(1f), 1e-7);
        assertEquals(-3.0 / (1 + Math.exp(3)), Activations.silu(-3f), 1e-7);
        float[] gate = {2f, -1f};
        Activations.swiGlu(gate, new float[] {3f, 0.5f}, 2);
        assertEquals(3 * 2 / (1 + Math.exp(-2)), gate[0], 1e-6);
        assertEquals(0.5 * -1 / (1 + Math.exp(1)), gate[1], 1e-6);
    }
}
