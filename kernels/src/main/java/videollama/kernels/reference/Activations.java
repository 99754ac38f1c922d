package videollama.kernels.reference;

/** Element-wise activations. */
public final class Activations {
    private Activations() {}

    /** SiLU (swish): {@code x · sigmoid(x)}. */
    public static float silu(float x) {
        return (float) (x / (1.0 + Math.exp(-x)));
    }

    /** LLaMA's gated MLP middle: {@code gate[i] = silu(gate[i]) · up[i]} for the first {@code length} elements. */
    public static void swiGlu(float[] gate, float[] up, int length) {
        for (int i = 0; i < length; i++) {
            gate[i] = silu(gate[i]) * up[i];
        }
    }

    /** {@code x[i] += y[i]}: the residual connection. */
    public static void add(float[] x, float[] y, int length) {
        for (int i = 0; i < length; i++) {
            x[i] += y[i];
        }
    }
}
