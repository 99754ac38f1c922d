package videollama.kernels.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static videollama.kernels.KernelChecks.randomFloats;

import java.util.Random;
import org.junit.jupiter.api.Test;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * The reference ops against straightforward double-precision formulas written out here, on random inputs
 * with odd sizes. (The whole LLaMA forward is checked against PyTorch in the golden tests.)
 */
class ReferenceOpsTest {
    private final Random random = new Random(20261125);

    @Test
    void matmulMatchesTheDefinitionForEveryWeightDtype() {
        int rows = 37;
        int cols = 53;
        int n = 3;
        float[] w = randomFloats(random, rows * cols);
        float[] x = randomFloats(random, n * cols);
        for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
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

    @Test
    void rmsNormMatchesTheDefinition() {
        int dim = 19;
        int n = 2;
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

    @Test
    void ropeRotatesHalvesByPositionTimesFrequency() {
        int headDim = 12;
        int heads = 3;
        double theta = 500000;
        float[] x = randomFloats(random, heads * headDim);
        float[] rotated = x.clone();
        int pos = 777;
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

    /** Grouped-query causal attention against a direct double-precision computation. */
    @Test
    void causalAttentionWithGroupedQueryHeads() {
        int heads = 6;
        int kvHeads = 2;
        int headDim = 5;
        int start = 4;
        int n = 3;
        int total = start + n;
        float[] q = randomFloats(random, n * heads * headDim);
        float[] k = randomFloats(random, total * kvHeads * headDim);
        float[] v = randomFloats(random, total * kvHeads * headDim);
        float[] out = new float[n * heads * headDim];
        Attention.causal(out, q, k, v, n, start, heads, kvHeads, headDim);
        for (int t = 0; t < n; t++) {
            for (int h = 0; h < heads; h++) {
                int g = h / (heads / kvHeads);
                int visible = start + t + 1;
                double[] s = new double[visible];
                double max = Double.NEGATIVE_INFINITY;
                for (int p = 0; p < visible; p++) {
                    for (int i = 0; i < headDim; i++) {
                        s[p] += (double) q[(t * heads + h) * headDim + i] * k[(p * kvHeads + g) * headDim + i];
                    }
                    s[p] /= Math.sqrt(headDim);
                    max = Math.max(max, s[p]);
                }
                double z = 0;
                for (int p = 0; p < visible; p++) {
                    s[p] = Math.exp(s[p] - max);
                    z += s[p];
                }
                for (int i = 0; i < headDim; i++) {
                    double expected = 0;
                    for (int p = 0; p < visible; p++) {
                        expected += s[p] / z * v[(p * kvHeads + g) * headDim + i];
                    }
                    assertEquals(expected, out[(t * heads + h) * headDim + i], 2e-6, "t " + t + " head " + h);
                }
            }
        }
    }
}
