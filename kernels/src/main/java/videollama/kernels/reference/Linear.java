package videollama.kernels.reference;

/**
 * A PyTorch {@code nn.Linear} over {@code n} rows, with the transformer's residual add:
 * {@code out[t, r] = Σ_c w[r, c] · x[t, c] + bias[r] + residual[t, r]}. The sum is {@link MatMul}'s (float32,
 * in column order); the bias and then the residual are added to it, the order the device kernels use too; or the
 * GELU of the sum and bias ({@link #linearGelu}).
 */
public final class Linear {
    private Linear() {}

    /**
     * {@code linear(x, W, b) = x·Wᵀ + b}, the rows of x taken from its length: the form the reference models
     * are written in. {@code bias} may be null (a Linear without bias).
     */
    public static float[] linear(float[] x, WeightMatrix w, float[] bias) {
        if (x.length % w.cols() != 0) {
            throw new IllegalArgumentException(x.length + " floats are not rows of width " + w.cols() + " for " + w.name());
        }
        int n = x.length / w.cols();
        float[] out = new float[n * w.rows()];
        linear(out, w, x, bias, null, n);
        return out;
    }

    /**
     * The form the device kernels take (bias and residual in the product's epilogue), for their contract tests.
     *
     * @param out      [n, w.rows]; may be {@code residual} (in place: {@code out += x·wᵀ + bias})
     * @param x        [n, w.cols]
     * @param bias     [w.rows], or null
     * @param residual [n, w.rows], or null
     */
    public static void linear(float[] out, WeightMatrix w, float[] x, float[] bias, float[] residual, int n) {
        int rows = w.rows();
        MatMul.checkLength("out", out, (long) n * rows);
        if (bias != null) {
            MatMul.checkLength("bias", bias, rows);
        }
        if (residual != null) {
            MatMul.checkLength("residual", residual, (long) n * rows);
        }
        // the products go to a fresh array when out holds the residual, which they would overwrite
        float[] product = residual == out ? new float[n * rows] : out;
        MatMul.matmul(product, w, x, n);
        for (int t = 0; t < n; t++) {
            for (int r = 0; r < rows; r++) {
                int i = t * rows + r;
                float sum = product[i];
                if (bias != null) {
                    sum += bias[r];
                }
                if (residual != null) {
                    sum += residual[i];
                }
                out[i] = sum;
            }
        }
    }

    /**
     * The device's fused MLP first layer, {@code out = gelu(x·Wᵀ + bias)} ({@code linearGelu}), for its contract tests:
     * {@link #linear}'s sum and bias, then {@link Gelu#gelu}, the numbers of {@code gelu(linear(x, W, b))}.
     *
     * @param out  [n, w.rows]
     * @param x    [n, w.cols]
     * @param bias [w.rows]
     */
    public static void linearGelu(float[] out, WeightMatrix w, float[] x, float[] bias, int n) {
        linear(out, w, x, bias, null, n);
        Gelu.gelu(out, out, n * w.rows());
    }
}
