package videollama.kernels.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static videollama.kernels.KernelChecks.randomFloats;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The reference twins of the encoders' row-wise and element-wise ops against known values and against their
 * definitions written out here in double precision, on random inputs with odd sizes.
 */
class NormsReferenceTest {
    private final Random random = new Random(20260117);

    /** erf and erfc to 17 digits, computed with mpmath at 50 digits. */
    @ParameterizedTest(name = "erf({0})")
    @CsvSource({
        "1e-8, 1.1283791670955125e-8, 0.99999998871620833",
        "0.1, 0.11246291601828489, 0.88753708398171511",
        "0.5, 0.52049987781304654, 0.47950012218695346",
        "0.9999, 0.84265927804875947, 0.15734072195124053",
        "1, 0.84270079294971487, 0.15729920705028513",
        "1.5, 0.96610514647531073, 0.033894853524689273",
        "2, 0.99532226501895273, 0.0046777349810472658",
        "2.5, 0.99959304798255504, 0.00040695201744495894",
        "3, 0.99997790950300141, 2.2090496998585441e-5",
        "4, 0.9999999845827421, 1.5417257900280019e-8",
        "5, 0.99999999999846254, 1.5374597944280349e-12",
        "6, 0.99999999999999998, 2.1519736712498913e-17",
        "10, 1.0, 2.0884875837625448e-45",
        "20, 1.0, 5.3958656116079009e-176"})
    void erfAndErfcMatchKnownValuesTo1e14(double x, double erf, double erfc) {
        assertEquals(erf, Erf.erf(x), 1e-14 * erf, "erf");
        assertEquals(-erf, Erf.erf(-x), 1e-14 * erf, "erf is odd");
        assertEquals(erfc, Erf.erfc(x), 1e-14 * erfc, "erfc");
        assertEquals(2 - erfc, Erf.erfc(-x), 1e-14, "erfc(-x) = 2 - erfc(x)");
    }

    @Test
    void erfHasItsLimits() {
        assertEquals(0.0, Erf.erf(0.0));
        assertEquals(1.0, Erf.erfc(0.0));
        assertEquals(1.0, Erf.erf(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, Erf.erf(Double.NEGATIVE_INFINITY));
        assertEquals(0.0, Erf.erfc(Double.POSITIVE_INFINITY));
        assertEquals(2.0, Erf.erfc(Double.NEGATIVE_INFINITY));
        assertTrue(Double.isNaN(Erf.erf(Double.NaN)));
        assertTrue(Double.isNaN(Erf.erfc(Double.NaN)));
    }

    /**
     * GELU against mpmath's {@code 0.5·x·erfc(−z)} with z = float32(x · float32(1/√2)), the argument PyTorch's
     * float kernel forms; the twin rounds once, so it is within one float ulp.
     */
    @ParameterizedTest(name = "gelu({0})")
    @CsvSource({
        "-10, -7.6198532207818626e-23",
        "-5, -1.4332578688935662e-6",
        "-3, -0.0040496958982520065",
        "-1, -0.15865525807260965",
        "-0.5, -0.15426877086932881",
        "0, 0",
        "0.25, 0.1496765810071345",
        "1, 0.84134474192739035",
        "3, 2.995950304101748",
        "5, 4.9999985667421311"})
    void geluMatchesKnownValues(float x, double expected) {
        assertEquals(expected, Gelu.gelu(x), Math.ulp((float) expected), "gelu(" + x + ")");
    }

    @Test
    void biasGeluIsGeluOfTheSumAndWorksInPlace() {
        int rows = 3;
        int width = 7;
        float[] x = randomFloats(random, rows * width);
        float[] bias = randomFloats(random, width);
        float[] out = new float[rows * width];
        Gelu.biasGelu(out, x, bias, rows);
        for (int i = 0; i < rows * width; i++) {
            assertEquals(Gelu.gelu(x[i] + bias[i % width]), out[i]);
        }
        Gelu.biasGelu(x, x, bias, rows);
        assertArrayEquals(out, x);
        float[] y = randomFloats(random, 11);
        float[] g = new float[11];
        Gelu.gelu(g, y, 11);
        for (int i = 0; i < 11; i++) {
            assertEquals(Gelu.gelu(y[i]), g[i]);
        }
    }

    @ParameterizedTest(name = "{0} rows x {1}, eps {2}")
    @CsvSource({"1, 1, 1e-5", "3, 7, 1e-6", "2, 768, 1e-12", "5, 1408, 1e-6"})
    void layerNormMatchesTheDefinition(int rows, int dim, float eps) {
        float[] x = randomFloats(random, rows * dim);
        for (int i = 0; i < x.length; i++) {
            x[i] = 3 + 2 * x[i]; // an offset and a spread, so that neither mean 0 nor var 1 is assumed
        }
        float[] weight = randomFloats(random, dim);
        float[] bias = randomFloats(random, dim);
        float[] out = new float[rows * dim];
        LayerNorm.layerNorm(out, x, weight, bias, rows, eps);
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int i = 0; i < dim; i++) {
                mean += x[r * dim + i];
            }
            mean /= dim;
            double variance = 0;
            for (int i = 0; i < dim; i++) {
                variance += (x[r * dim + i] - mean) * (x[r * dim + i] - mean);
            }
            variance /= dim;
            for (int i = 0; i < dim; i++) {
                double expected = (x[r * dim + i] - mean) / Math.sqrt(variance + eps) * weight[i] + bias[i];
                assertEquals(expected, out[r * dim + i], 1e-5 * (1 + Math.abs(expected)), "row " + r + " element " + i);
            }
        }
    }

    /** Variance 0 under eps 1e-12: the deviations are exactly 0, the output is the bias, nothing is infinite. */
    @Test
    void layerNormOfAConstantRowIsTheBias() {
        int dim = 768;
        float[] x = new float[2 * dim];
        java.util.Arrays.fill(x, 0, dim, 0.75f);
        float[] weight = randomFloats(random, dim);
        float[] bias = randomFloats(random, dim);
        float[] out = new float[2 * dim];
        LayerNorm.layerNorm(out, x, weight, bias, 2, 1e-12f);
        for (int i = 0; i < 2 * dim; i++) {
            assertEquals(bias[i % dim], out[i], "element " + i);
        }
    }

    @Test
    void addLayerNormIsLayerNormOfTheSumAndWorksInPlace() {
        int rows = 3;
        int dim = 65;
        float[] x = randomFloats(random, rows * dim);
        float[] residual = randomFloats(random, rows * dim);
        float[] weight = randomFloats(random, dim);
        float[] bias = randomFloats(random, dim);
        float[] sum = new float[rows * dim];
        Elementwise.add(sum, x, residual, rows * dim);
        float[] expected = new float[rows * dim];
        LayerNorm.layerNorm(expected, sum, weight, bias, rows, 1e-12f);
        float[] out = new float[rows * dim];
        LayerNorm.addLayerNorm(out, x, residual, weight, bias, rows, 1e-12f);
        assertArrayEquals(expected, out);
        LayerNorm.addLayerNorm(residual, x, residual, weight, bias, rows, 1e-12f);
        assertArrayEquals(expected, residual);
        LayerNorm.layerNorm(sum, sum, weight, bias, rows, 1e-12f);
        assertArrayEquals(expected, sum);
    }

    @Test
    void l2NormalizeGivesRowsOfNormScaleAndLeavesZeroRowsZero() {
        int dim = 1024;
        float[] x = randomFloats(random, 3 * dim);
        java.util.Arrays.fill(x, dim, 2 * dim, 0f);
        float[] out = new float[3 * dim];
        L2Norm.normalize(out, x, 3, dim, 1e-12f, 20f);
        for (int r = 0; r < 3; r++) {
            double norm = 0;
            double outNorm = 0;
            for (int i = 0; i < dim; i++) {
                norm += (double) x[r * dim + i] * x[r * dim + i];
                outNorm += (double) out[r * dim + i] * out[r * dim + i];
            }
            norm = Math.sqrt(norm);
            assertEquals(r == 1 ? 0 : 20, Math.sqrt(outNorm), 3e-6, "row " + r);
            for (int i = 0; i < dim; i++) {
                double expected = x[r * dim + i] / Math.max(norm, 1e-12) * 20;
                assertEquals(expected, out[r * dim + i], 1e-6 * (1 + Math.abs(expected)));
            }
        }
    }

    @Test
    void addsAddElementwiseAndBroadcastTheBias() {
        float[] a = randomFloats(random, 21);
        float[] b = randomFloats(random, 21);
        float[] out = new float[21];
        Elementwise.add(out, a, b, 21);
        for (int i = 0; i < 21; i++) {
            assertEquals(a[i] + b[i], out[i]);
        }
        float[] bias = randomFloats(random, 7);
        Elementwise.addBias(out, a, bias, 3);
        for (int i = 0; i < 21; i++) {
            assertEquals(a[i] + bias[i % 7], out[i]);
        }
    }
}
