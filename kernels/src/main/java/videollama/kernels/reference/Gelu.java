package videollama.kernels.reference;

/**
 * The exact GELU, {@code gelu(x) = 0.5·x·(1 + erf(x/√2)) = x·Φ(x)}, as PyTorch's {@code nn.GELU()} and BERT's
 * {@code "gelu"} (no tanh approximation anywhere in Video-LLaMA's encoders).
 *
 * <p>As PyTorch, x/√2 is rounded to float32 first; the rest is evaluated in double and rounded once. It is
 * written {@code 0.5·x·erfc(−x/√2)}, the same function, because for negative x {@code 1 + erf} subtracts two
 * numbers near 1 and erfc does not.
 */
public final class Gelu {
    /** 1/√2 as float32, the constant PyTorch's float kernel multiplies by. */
    private static final float SQRT_HALF = (float) Math.sqrt(0.5);

    private Gelu() {}

    public static float gelu(float x) {
        float z = x * SQRT_HALF;
        return (float) (0.5 * x * Erf.erfc(-z));
    }

    /** {@code out[i] = gelu(x[i])} for the first {@code n} elements; out may be x. */
    public static void gelu(float[] out, float[] x, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = gelu(x[i]);
        }
    }

    /** {@code gelu(x)} element by element, into a new array. */
    public static float[] gelu(float[] x) {
        float[] out = new float[x.length];
        gelu(out, x, x.length);
        return out;
    }

    /**
     * The device's fused bias + GELU, {@code gelu(x + bias)}, for its contract test; the same numbers as
     * {@code gelu(linear(x, W, b))} since the bias is added in float32 before GELU either way.
     *
     * <p>{@code out = gelu(x + bias)} over {@code rows} rows of width {@code bias.length} (an MLP's fc1 bias then
     * GELU); out may be x.
     */
    public static void biasGelu(float[] out, float[] x, float[] bias, int rows) {
        int width = bias.length;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < width; c++) {
                out[r * width + c] = gelu(x[r * width + c] + bias[c]);
            }
        }
    }
}
