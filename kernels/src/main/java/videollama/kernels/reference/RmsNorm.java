package videollama.kernels.reference;

/**
 * Root-mean-square normalisation as LLaMA does it (docs/model.md section 3.2):
 * {@code out = x / sqrt(mean(x²) + eps) · weight}, the statistics in float32.
 */
public final class RmsNorm {
    private RmsNorm() {}

    /** Normalises each of the {@code n} rows of width {@code weight.length} of {@code x} into {@code out}. */
    public static void rmsNorm(float[] out, float[] x, float[] weight, int n, float eps) {
        int dim = weight.length;
        for (int t = 0; t < n; t++) {
            int base = t * dim;
            double sumSquares = 0;
            for (int i = 0; i < dim; i++) {
                sumSquares += x[base + i] * x[base + i];
            }
            float inverseRms = (float) (1.0 / Math.sqrt((float) (sumSquares / dim) + eps));
            for (int i = 0; i < dim; i++) {
                out[base + i] = weight[i] * (x[base + i] * inverseRms);
            }
        }
    }
}
