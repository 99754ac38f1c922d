package videollama.kernels.reference;

/**
 * Rotary position embedding in the Hugging Face "rotate half" layout (docs/model.md section 3.2): within a head of
 * width d, element i and element i + d/2 form one pair, rotated by the angle {@code pos · θ^(−2i/d)}.
 * (Meta's original checkpoints pair neighbours 2i, 2i+1 instead; HF checkpoints have their q/k rows permuted
 * so that this layout gives the same result.)
 */
public final class Rope {
    private final int headDim;
    private final float[] inverseFrequency;
    private float[] cos = new float[0];
    private float[] sin = new float[0];
    private int positions;

    /** Tables for heads of width {@code headDim} with base {@code theta} ({@code rope_theta}). */
    public Rope(int headDim, double theta) {
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("rotary head width must be even, got " + headDim);
        }
        this.headDim = headDim;
        this.inverseFrequency = new float[headDim / 2];
        for (int i = 0; i < headDim / 2; i++) {
            // As PyTorch: the exponent 2i/d and the power in float32.
            float exponent = (float) (2 * i) / headDim;
            inverseFrequency[i] = (float) (1.0 / (float) Math.pow(theta, exponent));
        }
    }

    public int headDim() {
        return headDim;
    }

    /** Rotates {@code heads} consecutive heads of {@code x} starting at {@code offset}, all at position {@code pos}. */
    public void rotate(float[] x, int offset, int heads, int pos) {
        ensurePositions(pos + 1);
        int half = headDim / 2;
        int table = pos * half;
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headDim;
            for (int i = 0; i < half; i++) {
                float c = cos[table + i];
                float s = sin[table + i];
                float a = x[base + i];
                float b = x[base + i + half];
                x[base + i] = a * c - b * s;
                x[base + i + half] = b * c + a * s;
            }
        }
    }

    /**
     * The tables for positions {@code 0 .. positions-1} as one array: {@code positions × headDim/2} cosines,
     * then as many sines. Device kernels read these, so they rotate exactly as this class does.
     */
    public float[] table(int positions) {
        ensurePositions(positions);
        int half = headDim / 2;
        float[] t = new float[2 * positions * half];
        System.arraycopy(cos, 0, t, 0, positions * half);
        System.arraycopy(sin, 0, t, positions * half, positions * half);
        return t;
    }

    /** cos/sin tables grow with the sequence, so a prompt past max_position_embeddings still works as in the reference. */
    private void ensurePositions(int needed) {
        if (needed <= positions) {
            return;
        }
        int grown = Math.max(needed, Math.max(64, positions * 2));
        int half = headDim / 2;
        float[] newCos = new float[grown * half];
        float[] newSin = new float[grown * half];
        for (int p = 0; p < grown; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * inverseFrequency[i]; // float32 product, as PyTorch's outer product
                newCos[p * half + i] = (float) Math.cos(angle);
                newSin[p * half + i] = (float) Math.sin(angle);
            }
        }
        cos = newCos;
        sin = newSin;
        positions = grown;
    }
}
