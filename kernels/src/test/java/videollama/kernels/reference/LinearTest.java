package videollama.kernels.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static videollama.kernels.KernelChecks.randomFloats;

import java.util.Random;
import org.junit.jupiter.api.Test;
import videollama.weights.DType;
import videollama.weights.Tensor;

/** {@link Linear} against the definition in double precision, and its in-place residual form. */
class LinearTest {
    private final Random random = new Random(20260311);

    @Test
    void addsTheBiasAndTheResidualToTheProduct() {
        int rows = 13;
        int cols = 29;
        int n = 4;
        Tensor t = Tensor.ofFloats("w", randomFloats(random, rows * cols), rows, cols).convertTo(DType.BF16);
        float[] w = t.toFloatArray();
        float[] x = randomFloats(random, n * cols);
        float[] bias = randomFloats(random, rows);
        float[] residual = randomFloats(random, n * rows);
        float[] out = new float[n * rows];
        Linear.linear(out, new WeightMatrix(t), x, bias, residual, n);
        for (int s = 0; s < n; s++) {
            for (int r = 0; r < rows; r++) {
                double expected = bias[r] + residual[s * rows + r];
                for (int c = 0; c < cols; c++) {
                    expected += (double) w[r * cols + c] * x[s * cols + c];
                }
                assertEquals(expected, out[s * rows + r], 1e-5 * (1 + Math.abs(expected)), "row " + s + " column " + r);
            }
        }
    }

    @Test
    void withoutBiasOrResidualItIsTheMatMul() {
        int rows = 7;
        int cols = 5;
        int n = 3;
        WeightMatrix w = new WeightMatrix(Tensor.ofFloats("w", randomFloats(random, rows * cols), rows, cols));
        float[] x = randomFloats(random, n * cols);
        float[] expected = new float[n * rows];
        MatMul.matmul(expected, w, x, n);
        float[] out = new float[n * rows];
        Linear.linear(out, w, x, null, null, n);
        assertArrayEquals(expected, out);
    }

    @Test
    void theResidualMayBeTheOutput() {
        int rows = 11;
        int cols = 6;
        int n = 5;
        WeightMatrix w = new WeightMatrix(Tensor.ofFloats("w", randomFloats(random, rows * cols), rows, cols).convertTo(DType.F16));
        float[] x = randomFloats(random, n * cols);
        float[] bias = randomFloats(random, rows);
        float[] residual = randomFloats(random, n * rows);
        float[] expected = new float[n * rows];
        Linear.linear(expected, w, x, bias, residual, n);
        float[] inPlace = residual.clone();
        Linear.linear(inPlace, w, x, bias, inPlace, n);
        assertArrayEquals(expected, inPlace);
    }

    /**
     * The fused form is the two unfused ops bit for bit: the product without bias, then {@link Gelu#biasGelu}
     * (the device's two-task form), and {@code gelu(linear(x, W, b))} (the reference models' form).
     */
    @Test
    void linearGeluIsTheGeluOfTheLinearWithItsBias() {
        int rows = 9;
        int cols = 17;
        int n = 6;
        WeightMatrix w = new WeightMatrix(Tensor.ofFloats("w", randomFloats(random, rows * cols), rows, cols).convertTo(DType.F16));
        float[] x = randomFloats(random, n * cols);
        float[] bias = randomFloats(random, rows);
        float[] fused = new float[n * rows];
        Linear.linearGelu(fused, w, x, bias, n);
        float[] twoSteps = new float[n * rows];
        Linear.linear(twoSteps, w, x, null, null, n);
        Gelu.biasGelu(twoSteps, twoSteps, bias, n);
        assertArrayEquals(twoSteps, fused);
        assertArrayEquals(Gelu.gelu(Linear.linear(x, w, bias)), fused);
    }
}
