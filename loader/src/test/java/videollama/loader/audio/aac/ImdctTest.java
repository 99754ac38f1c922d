package videollama.loader.audio.aac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The FFT-based inverse MDCT against the standard's defining sum, and the windows' defining properties. */
class ImdctTest {
    /** ISO/IEC 14496-3 4.6.11.3.1, summed term by term in double precision. */
    static double[] direct(double[] x, int n) {
        double n0 = (n / 2.0 + 1) / 2;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < n / 2; k++) {
                s += x[k] * Math.cos(2 * Math.PI / n * (i + n0) * (k + 0.5));
            }
            out[i] = 2.0 / n * s;
        }
        return out;
    }

    @ParameterizedTest(name = "N = {0}")
    @ValueSource(ints = {256, 2048})
    void matchesTheDefinition(int n) {
        Random random = new Random(n);
        Imdct imdct = new Imdct(n);
        for (int trial = 0; trial < 3; trial++) {
            double[] x = new double[n / 2 + 7];
            for (int k = 0; k < x.length; k++) {
                x[k] = random.nextGaussian() * Math.exp(-k / 200.0) * 1000;
            }
            double[] in = java.util.Arrays.copyOfRange(x, 7, x.length);
            double[] expected = direct(in, n);
            double[] actual = new double[n];
            imdct.transform(x, 7, 0.5, actual);
            double max = 0;
            double scale = 0;
            for (int i = 0; i < n; i++) {
                max = Math.max(max, Math.abs(actual[i] - 0.5 * expected[i]));
                scale = Math.max(scale, Math.abs(expected[i]));
            }
            System.out.printf("IMDCT N=%d: max |error| %.2g of max |x| %.3g%n", n, max, scale);
            // The direct sum itself rounds at about N ulps; the FFT path is far closer to exact than float (1e-7).
            assertTrue(max <= 1e-12 * scale, "relative error " + max / scale);
        }
    }

    /** Princen-Bradley: w[n]^2 + w[N/2 - 1 - n]^2 = 1 (a falling half follows a rising one); rising from ~0 to ~1. */
    @Test
    void windowsReconstructPerfectly() {
        for (int shape : new int[] {Windows.SINE, Windows.KBD}) {
            for (double[] w : new double[][] {Windows.longRise(shape), Windows.shortRise(shape)}) {
                for (int i = 0; i < w.length; i++) {
                    assertEquals(1.0, w[i] * w[i] + w[w.length - 1 - i] * w[w.length - 1 - i], 3e-16 * 8);
                    if (i > 0) {
                        assertTrue(w[i] > w[i - 1]);
                    }
                }
            }
        }
        assertEquals(Math.sin(Math.PI / 2048 * 0.5), Windows.longRise(Windows.SINE)[0], 0);
    }

    @Test
    void besselI0() {
        assertEquals(1.0, Windows.besselI0(0), 0);
        assertEquals(1.2660658777520083, Windows.besselI0(1), 1e-15); // Abramowitz and Stegun, Table 9.8
        assertEquals(2815.716628466254, Windows.besselI0(10), 1e-9);
    }
}
