package videollama.kernels.reference;

/** The adds the encoders need where a matrix product's epilogue does not take them: residuals and biases. */
public final class Elementwise {
    private Elementwise() {}

    /** {@code a + b} element by element, into a new array (a residual add). */
    public static float[] add(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("adding " + a.length + " floats to " + b.length);
        }
        float[] out = new float[a.length];
        add(out, a, b, a.length);
        return out;
    }

    /** {@code out = a + b} over the first {@code n} elements; out may be a or b. */
    public static void add(float[] out, float[] a, float[] b, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = a[i] + b[i];
        }
    }

    /** {@code out = x + bias} over {@code rows} rows of width {@code bias.length}, bias broadcast over the rows; out may be x. */
    public static void addBias(float[] out, float[] x, float[] bias, int rows) {
        int width = bias.length;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < width; c++) {
                out[r * width + c] = x[r * width + c] + bias[c];
            }
        }
    }
}
