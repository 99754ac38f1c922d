package videollama.kernels.reference;

/**
 * Layer normalisation as PyTorch's {@code nn.LayerNorm} over the last dimension:
 * {@code out = (x − mean) / sqrt(var + eps) · weight + bias}, with the biased variance (the mean of the squared
 * deviations) and the statistics in float32. Used by the EVA ViT (eps 1e-6), ln_vision (1e-5), the Q-Formers
 * (1e-12) and ImageBind (1e-6, its stem 1e-5).
 *
 * <p>The statistics are summed in double and rounded to float32 once: the float32 values a careful float32
 * summation approaches, which the device's tree of float32 partial sums matches to a few ulps. The variance is
 * taken in a second pass over the deviations from the mean, never as E[x²] − E[x]² (which cancels).
 */
public final class LayerNorm {
    private LayerNorm() {}

    /** {@code layerNorm(x)}: each row of width {@code weight.length} normalised, into a new array. */
    public static float[] layerNorm(float[] x, float[] weight, float[] bias, float eps) {
        if (x.length % weight.length != 0) {
            throw new IllegalArgumentException(x.length + " floats are not rows of width " + weight.length);
        }
        float[] out = new float[x.length];
        layerNorm(out, x, weight, bias, x.length / weight.length, eps);
        return out;
    }

    /** Normalises each of the {@code rows} rows of width {@code weight.length} of {@code x} into {@code out} (which may be x). */
    public static void layerNorm(float[] out, float[] x, float[] weight, float[] bias, int rows, float eps) {
        int dim = weight.length;
        float[] row = new float[dim];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x, r * dim, row, 0, dim);
            normaliseRow(out, r * dim, row, weight, bias, eps);
        }
    }

    /**
     * The device's fused post-LN residual block, {@code out = LayerNorm(x + residual)} with the sum formed in
     * float32, for its contract test; the reference models write it {@code layerNorm(add(x, residual))}.
     * {@code out} may be x or residual.
     */
    public static void addLayerNorm(float[] out, float[] x, float[] residual, float[] weight, float[] bias, int rows, float eps) {
        int dim = weight.length;
        float[] row = new float[dim];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < dim; i++) {
                row[i] = x[r * dim + i] + residual[r * dim + i];
            }
            normaliseRow(out, r * dim, row, weight, bias, eps);
        }
    }

    private static void normaliseRow(float[] out, int offset, float[] row, float[] weight, float[] bias, float eps) {
        int dim = row.length;
        double sum = 0;
        for (float v : row) {
            sum += v;
        }
        float mean = (float) (sum / dim);
        double squares = 0;
        for (float v : row) {
            float d = v - mean;
            squares += (double) d * d;
        }
        float variance = (float) (squares / dim);
        float inverseStd = (float) (1.0 / Math.sqrt(variance + eps));
        for (int i = 0; i < dim; i++) {
            out[offset + i] = (row[i] - mean) * inverseStd * weight[i] + bias[i];
        }
    }
}
