package videollama.kernels.reference;

/** Softmax in float32, shifted by the maximum so that exp never overflows. */
public final class Softmax {
    private Softmax() {}

    /** Replaces {@code x[offset .. offset+length)} by its softmax. */
    public static void softmax(float[] x, int offset, int length) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < length; i++) {
            max = Math.max(max, x[offset + i]);
        }
        float sum = 0f;
        for (int i = 0; i < length; i++) {
            float e = (float) Math.exp(x[offset + i] - max);
            x[offset + i] = e;
            sum += e;
        }
        float inverse = 1f / sum;
        for (int i = 0; i < length; i++) {
            x[offset + i] *= inverse;
        }
    }
}
