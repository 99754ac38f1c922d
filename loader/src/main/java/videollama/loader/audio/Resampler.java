package videollama.loader.audio;

/**
 * {@code torchaudio.functional.resample} with its defaults (torchaudio 0.12/0.13: {@code sinc_interpolation}, a
 * Hann-windowed sinc, {@code lowpass_filter_width = 6}, {@code rolloff = 0.99}), spec §5.3 step 2.
 *
 * <p>The rates are reduced by their gcd to {@code orig} input and {@code target} output samples a period. The
 * kernel has one row per output phase {@code j} and {@code 2·width + orig} taps,
 * {@code width = ceil(6·orig / base)}, {@code base = min(orig, target)·0.99}: at
 * {@code t = ((i - width)/orig - j/target)·base}, clamped to ±6, the tap is {@code sin(πt)/(πt)·cos²(πt/12)·base/orig}.
 * torchaudio builds it in the waveform's dtype, float32, and so does this class, operation by operation. Output
 * {@code y[m·target + j] = Σ_i kernel[j][i]·x[m·orig + i - width]} (conv1d with stride {@code orig} over the input
 * padded with zeros), {@code ceil(target·n / orig)} samples.
 *
 * <p>Taps where {@code |t|} reached the clamp are {@code sin(6π)/(6π)·cos²(π/2)} in float32, about 1e-23: they are
 * left out of the sums (each row keeps the span between its first and last larger tap), which changes no output by
 * more than 1e-20 and makes 44.1 → 16 kHz read about 34 taps an output instead of 475.
 *
 * <p>Any output range can be computed from the input range {@link #inputFrom}/{@link #inputTo} alone, so long
 * audio is resampled piece by piece with the same result as in one go.
 */
public final class Resampler {
    public static final int LOWPASS_FILTER_WIDTH = 6;
    public static final double ROLLOFF = 0.99;
    private static final float NEGLIGIBLE = 1e-20f;

    private final int sourceRate;
    private final int targetRate;
    private final int orig;
    private final int target;
    private final int width;
    private final float[][] kernel;
    private final int[] firstTap;
    private final int[] endTap;

    private Resampler(int sourceRate, int targetRate) {
        this.sourceRate = sourceRate;
        this.targetRate = targetRate;
        int gcd = gcd(sourceRate, targetRate);
        this.orig = sourceRate / gcd;
        this.target = targetRate / gcd;
        double base = Math.min(orig, target) * ROLLOFF;
        this.width = (int) Math.ceil(LOWPASS_FILTER_WIDTH * orig / base);
        int taps = 2 * width + orig;
        this.kernel = new float[target][taps];
        this.firstTap = new int[target];
        this.endTap = new int[target];
        float baseF = (float) base;
        float scaleF = (float) (base / orig);
        float piF = (float) Math.PI;
        float limit = LOWPASS_FILTER_WIDTH;
        for (int j = 0; j < target; j++) {
            float phase = (float) -j / target;
            int first = taps;
            int end = 0;
            for (int i = 0; i < taps; i++) {
                float idx = (float) (i - width) / orig;
                float t = (phase + idx) * baseF;
                t = Math.max(-limit, Math.min(limit, t));
                float c = (float) Math.cos(t * piF / limit / 2);
                float window = c * c;
                t *= piF;
                float k = t == 0 ? 1f : (float) Math.sin(t) / t;
                k *= window * scaleF;
                kernel[j][i] = k;
                if (Math.abs(k) > NEGLIGIBLE) {
                    first = Math.min(first, i);
                    end = i + 1;
                }
            }
            firstTap[j] = Math.min(first, end);
            endTap[j] = end;
        }
    }

    /** A resampler from {@code sourceRate} to {@code targetRate} Hz (both positive). */
    public static Resampler of(int sourceRate, int targetRate) {
        if (sourceRate <= 0 || targetRate <= 0) {
            throw new IllegalArgumentException("sample rates must be positive: " + sourceRate + " -> " + targetRate);
        }
        return new Resampler(sourceRate, targetRate);
    }

    public int sourceRate() {
        return sourceRate;
    }

    public int targetRate() {
        return targetRate;
    }

    /** torchaudio's {@code width}: input samples of padding on the left. */
    int width() {
        return width;
    }

    /** The kernel row of output phase {@code j} (float32 as torchaudio builds it), for tests. */
    float[] kernelRow(int j) {
        return kernel[j].clone();
    }

    /** {@code int(math.ceil(target * n / orig))} with the reduced rates, as torchaudio computes it (a double). */
    public long outputLength(long inputLength) {
        if (sourceRate == targetRate) {
            return inputLength;
        }
        return (long) Math.ceil((double) (target * inputLength) / orig);
    }

    /** The first input sample that outputs from {@code outputFrom} on read (clipped to 0). */
    public long inputFrom(long outputFrom) {
        if (sourceRate == targetRate) {
            return outputFrom;
        }
        long m = outputFrom / target;
        return Math.max(0, m * orig - width + firstTapOfAll());
    }

    /** One past the last input sample that outputs before {@code outputTo} read (clipped to the input). */
    public long inputTo(long outputTo, long inputLength) {
        if (sourceRate == targetRate) {
            return Math.min(outputTo, inputLength);
        }
        if (outputTo <= 0) {
            return 0;
        }
        long m = (outputTo - 1) / target;
        return Math.min(inputLength, m * orig - width + endTapOfAll());
    }

    /** The whole signal, as {@code torchaudio.functional.resample(x, source, target)} returns it. */
    public float[] resample(float[] input) {
        float[] out = new float[Math.toIntExact(outputLength(input.length))];
        resample(input, 0, input.length, 0, out);
        return out;
    }

    /**
     * Outputs {@code [outputFrom, outputFrom + out.length)} of a signal of {@code inputLength} samples.
     *
     * @param input       input samples {@code [inputOffset, inputOffset + input.length)}; they must cover
     *                    {@code [inputFrom(outputFrom), inputTo(outputFrom + out.length, inputLength))}; samples before
     *                    0 and from {@code inputLength} on are the zero padding
     * @param inputOffset the index of {@code input[0]} in the signal
     */
    public void resample(float[] input, long inputOffset, long inputLength, long outputFrom, float[] out) {
        if (sourceRate == targetRate) {
            for (int i = 0; i < out.length; i++) {
                out[i] = sample(input, inputOffset, inputLength, outputFrom + i);
            }
            return;
        }
        long needFrom = inputFrom(outputFrom);
        long needTo = inputTo(outputFrom + out.length, inputLength);
        if (out.length > 0 && (needFrom < inputOffset || needTo > inputOffset + input.length)) {
            throw new IllegalArgumentException("input [" + inputOffset + ", " + (inputOffset + input.length)
                    + ") does not cover [" + needFrom + ", " + needTo + ")");
        }
        for (int o = 0; o < out.length; o++) {
            long y = outputFrom + o;
            long m = y / target;
            int j = (int) (y % target);
            float[] row = kernel[j];
            long x0 = m * orig - width; // input index of tap 0
            int from = firstTap[j];
            int to = endTap[j];
            // Taps that fall on the zero padding add nothing.
            if (x0 + from < 0) {
                from = (int) -x0;
            }
            if (x0 + to > inputLength) {
                to = (int) (inputLength - x0);
            }
            double sum = 0;
            int base = (int) (x0 - inputOffset);
            for (int i = from; i < to; i++) {
                sum += row[i] * input[base + i];
            }
            out[o] = (float) sum;
        }
    }

    private static float sample(float[] input, long inputOffset, long inputLength, long index) {
        if (index < 0 || index >= inputLength) {
            return 0;
        }
        return input[Math.toIntExact(index - inputOffset)];
    }

    private int firstTapOfAll() {
        int first = Integer.MAX_VALUE;
        for (int f : firstTap) {
            first = Math.min(first, f);
        }
        return first;
    }

    private int endTapOfAll() {
        int end = 0;
        for (int e : endTap) {
            end = Math.max(end, e);
        }
        return end;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
