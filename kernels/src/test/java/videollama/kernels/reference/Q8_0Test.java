package videollama.kernels.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static videollama.kernels.KernelChecks.randomFloats;

import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.testing.SeededRandom;
import videollama.weights.DType;
import videollama.weights.Tensor;

/** {@link Q8_0}: the quantiser against its definition, the round trip, and the matrix-vector product within its bound. */
class Q8_0Test {
    /** float32's unit roundoff, 2^-24. */
    private static final double U = 0x1p-24;

    @RegisterExtension
    final SeededRandom random = new SeededRandom();

    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({"5, 96", "1, 32"})
    void valuesThatAreQuantsTimesAnFp16ScaleRoundTripExactly(int rows, int cols) {
        float[] x = new float[rows * cols];
        for (int b = 0; b < rows * cols / 32; b++) {
            // a normal fp16 scale between 2^-14 and 2^3, and a block whose largest quant is ±127
            float d = Float.float16ToFloat(Float.floatToFloat16((float) Math.scalb(1 + random.nextDouble(), random.nextInt(17) - 14)));
            int extreme = random.nextInt(32);
            for (int j = 0; j < 32; j++) {
                int q = j == extreme ? (random.nextBoolean() ? 127 : -127) : random.nextInt(255) - 127;
                x[b * 32 + j] = q * d;
            }
        }
        Tensor q8 = Q8_0.quantize(Tensor.ofFloats("w", x, rows, cols));
        assertEquals(DType.Q8_0, q8.dtype());
        assertArrayEquals(x, Q8_0.dequantize(q8));
    }

    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({"7, 256", "2, 4096"})
    void eachElementIsWithinHalfAScaleOfItsValue(int rows, int cols) {
        float[] x = randomFloats(random, rows * cols);
        Tensor q8 = Q8_0.quantize(Tensor.ofFloats("w", x, rows, cols).convertTo(DType.BF16));
        float[] bf16 = Tensor.ofFloats("w", x, rows, cols).convertTo(DType.BF16).toFloatArray();
        float[] back = Q8_0.dequantize(q8);
        for (int b = 0; b < rows * cols / 32; b++) {
            double amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(bf16[b * 32 + j]));
            }
            double d = (float) (amax / 127);
            double stored = q8.scales().getFloat(b);
            assertEquals(Float.float16ToFloat(Float.floatToFloat16((float) d)), stored, 0.0, "block " + b + "'s scale: fp16(max|x| / 127)");
            for (int j = 0; j < 32; j++) {
                int i = b * 32 + j;
                int q = q8.data().get(ValueLayout.JAVA_BYTE, i);
                assertTrue(Math.abs(q) <= 127);
                // |x − q·d| <= d/2, and the scale's fp16 rounding moves q·d by |q|·|fp16(d) − d|; the quotient is
                // x·(1/d) in float32, two roundings of a value up to 127.5: up to 128·2^-23 off, times d
                double bound = d / 2 + Math.abs(q) * Math.abs(stored - d) + 128 * 0x1p-23 * d;
                assertTrue(Math.abs(bf16[i] - back[i]) <= bound, "element " + i + ": " + bf16[i] + " came back " + back[i]);
            }
        }
    }

    @Test
    void halvesRoundAwayFromZeroAsCsRoundf() {
        float[] x = new float[32];
        x[0] = 127f; // d = 1
        x[1] = 2.5f;
        x[2] = -2.5f;
        x[3] = -0.5f;
        x[4] = 0.49f;
        Tensor q8 = Q8_0.quantize(Tensor.ofFloats("w", x, 1, 32));
        byte[] q = q8.data().toArray(ValueLayout.JAVA_BYTE);
        assertArrayEquals(new byte[] {127, 3, -3, -1, 0}, java.util.Arrays.copyOf(q, 5));
        assertEquals(1f, q8.scales().getFloat(0));
    }

    @Test
    void aBlockOfZerosHasScaleZero() {
        Tensor q8 = Q8_0.quantize(Tensor.ofFloats("w", new float[64], 1, 64));
        assertArrayEquals(new float[64], Q8_0.dequantize(q8));
        assertEquals(0f, q8.scales().getFloat(1));
    }

    /**
     * Each row's product against the exact (double) dot product of the dequantised row: float32 sums of 32 products
     * per block, one multiply by the scale, then a sum over the blocks, so at most (32 + 1 + blocks) roundings of
     * u relative to Σ|w·x| (Higham's γ_n bound); and against the float32 column-order product of the dequantised
     * weights, whose own bound (cols roundings) adds to it.
     */
    @Test
    void theMatrixVectorProductIsWithinTheBoundOfFloat32Accumulation() {
        int rows = 33;
        int cols = 4096;
        int blocks = cols / 32;
        Tensor q8 = Q8_0.quantize(Tensor.ofFloats("w", randomFloats(random, rows * cols), rows, cols));
        float[] w = Q8_0.dequantize(q8);
        WeightMatrix dequantised = new WeightMatrix(Tensor.ofFloats("w", w, rows, cols));
        float[] x = randomFloats(random, cols);
        float[] out = new float[rows];
        MatMul.matmul(out, new WeightMatrix(q8), x, 1);
        double worst = 0;
        for (int r = 0; r < rows; r++) {
            double exact = 0;
            double magnitude = 0;
            for (int c = 0; c < cols; c++) {
                exact += (double) w[r * cols + c] * x[c];
                magnitude += Math.abs((double) w[r * cols + c] * x[c]);
            }
            double own = (32 + 1 + blocks) * U * magnitude;
            assertTrue(Math.abs(out[r] - exact) <= own, "row " + r + ": " + out[r] + " vs exact " + exact + ", bound " + own);
            float fp32 = dequantised.dot(r, x, 0);
            double both = own + cols * U * magnitude;
            assertTrue(Math.abs(out[r] - fp32) <= both, "row " + r + ": " + out[r] + " vs fp32 " + fp32 + ", bound " + both);
            worst = Math.max(worst, Math.abs(out[r] - exact) / magnitude);
        }
        System.err.printf("Q8_0 dot: worst |error| / Σ|w·x| = %.2e (bound %.2e)%n", worst, (33 + blocks) * U);
    }

    /**
     * The activation quantiser: every q within half a step of x / d, the block's largest |x| on ±127, d = max|x| / 127
     * in float32; and the integer block dot within the bound of its float32 additions (one rounding for the two scales'
     * product, one for the product with the exact integer block sum, then blocks additions: (2 + blocks)·u of Σ|w·x̂|).
     */
    @Test
    void quantisedActivationsAndTheirIntegerDot() {
        int rows = 17;
        int cols = 4096;
        int blocks = cols / 32;
        float[] x = randomFloats(random, cols);
        byte[] xq = new byte[cols];
        float[] xd = new float[blocks];
        Q8_0.quantizeActivations(x, 0, cols, xq, xd);
        for (int b = 0; b < blocks; b++) {
            float amax = 0;
            int qmax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[b * 32 + j]));
                qmax = Math.max(qmax, Math.abs(xq[b * 32 + j]));
                assertTrue(Math.abs(x[b * 32 + j] / xd[b] - xq[b * 32 + j]) <= 0.5 + 1e-4, "element " + (b * 32 + j));
            }
            assertEquals(amax / 127f, xd[b]);
            assertEquals(127, qmax);
        }
        Tensor q8 = Q8_0.quantize(Tensor.ofFloats("w", randomFloats(random, rows * cols), rows, cols));
        for (int r = 0; r < rows; r++) {
            double exact = 0;
            double magnitude = 0;
            for (int c = 0; c < cols; c++) {
                double term = (double) Float.float16ToFloat(q8.scales().data().getAtIndex(
                        ValueLayout.JAVA_SHORT_UNALIGNED, (long) r * blocks + c / 32)) * xd[c / 32]
                        * q8.data().get(ValueLayout.JAVA_BYTE, (long) r * cols + c) * xq[c];
                exact += term;
                magnitude += Math.abs(term);
            }
            float dot = Q8_0.dotQuantized(q8.data(), q8.scales().data(), r, cols, xq, xd);
            assertTrue(Math.abs(dot - exact) <= (2 + blocks) * U * magnitude, "row " + r + ": " + dot + " vs exact " + exact);
        }
    }

    /** MatMul of one row under the activations property is the integer dot, of several rows the float one; a bad value is refused. */
    @Test
    void theActivationsPropertyPicksTheDecodeProduct() {
        int rows = 5;
        int cols = 256;
        Tensor q8 = Q8_0.quantize(Tensor.ofFloats("w", randomFloats(random, rows * cols), rows, cols));
        WeightMatrix w = new WeightMatrix(q8);
        float[] x = randomFloats(random, 2 * cols);
        byte[] xq = new byte[cols];
        float[] xd = new float[cols / 32];
        Q8_0.quantizeActivations(x, 0, cols, xq, xd);
        float[] floats = new float[rows];
        MatMul.matmul(floats, w, x, 1);
        float[] one = new float[rows];
        float[] two = new float[2 * rows];
        System.setProperty(Q8_0.ACTIVATIONS_PROPERTY, "q8_0");
        try {
            MatMul.matmul(one, w, x, 1);
            MatMul.matmul(two, w, x, 2);
            System.setProperty(Q8_0.ACTIVATIONS_PROPERTY, "int8");
            var e = assertThrows(IllegalArgumentException.class, () -> MatMul.matmul(one, w, x, 1));
            assertEquals("-Dvideollama.q8_0.activations=int8: expected f32 or q8_0", e.getMessage());
        } finally {
            System.clearProperty(Q8_0.ACTIVATIONS_PROPERTY);
        }
        for (int r = 0; r < rows; r++) {
            assertEquals(Q8_0.dotQuantized(q8.data(), q8.scales().data(), r, cols, xq, xd), one[r]);
            assertEquals(floats[r], two[r]);
            assertTrue(one[r] != floats[r], "row " + r + ": quantising x changed nothing");
        }
    }

    @Test
    void onlyFloatMatricesOfWholeBlocksAreQuantised() {
        var e = assertThrows(IllegalArgumentException.class, () -> Q8_0.quantize(Tensor.ofFloats("w", new float[40], 1, 40)));
        assertEquals("tensor 'w' F32 [1, 40] cannot be quantised to Q8_0: a float matrix whose rows are whole blocks of 32 is needed",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Q8_0.quantize(Tensor.ofFloats("v", new float[64], 64)));
    }
}
