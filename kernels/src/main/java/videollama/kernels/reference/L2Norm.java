package videollama.kernels.reference;

/**
 * L2 normalisation of rows times a scale, as ImageBind's head: PyTorch's {@code F.normalize(x, dim=-1)}, that is
 * {@code x / max(‖x‖₂, eps)} with eps 1e-12 (a zero row stays zero), then multiplied by the logit scale (20).
 */
public final class L2Norm {
    private L2Norm() {}

    /** {@code out = x / max(‖x‖₂, eps) · scale} for each of {@code rows} rows of width {@code dim}; out may be x. */
    public static void normalize(float[] out, float[] x, int rows, int dim, float eps, float scale) {
        for (int r = 0; r < rows; r++) {
            int base = r * dim;
            double squares = 0;
            for (int i = 0; i < dim; i++) {
                squares += (double) x[base + i] * x[base + i];
            }
            float norm = Math.max((float) Math.sqrt(squares), eps);
            for (int i = 0; i < dim; i++) {
                out[base + i] = x[base + i] / norm * scale;
            }
        }
    }
}
