package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DESIGN.md section 7: "max relative error" of a stage is the largest absolute difference divided by the
 * largest magnitude of the reference tensor, so that elements near zero do not make the ratio meaningless.
 */
final class Tolerance {
    private Tolerance() {}

    static double relativeError(float[] actual, int actualOffset, float[] expected, int expectedOffset, int length) {
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < length; i++) {
            float a = actual[actualOffset + i];
            float e = expected[expectedOffset + i];
            if (!Float.isFinite(a)) {
                return Double.POSITIVE_INFINITY;
            }
            maxDiff = Math.max(maxDiff, Math.abs(a - e));
            maxRef = Math.max(maxRef, Math.abs(e));
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }

    static void assertClose(float[] actual, float[] expected, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double error = relativeError(actual, 0, expected, 0, expected.length);
        assertTrue(error <= tolerance, what + ": relative error " + error + " > " + tolerance);
    }
}
