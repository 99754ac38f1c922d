package videollama.loader.audio;

import java.math.BigInteger;

/**
 * {@code torchaudio.functional.resample} with its defaults (torchaudio 0.12/0.13: {@code sinc_interpolation}, a
 * Hann-windowed sinc, {@code lowpass_filter_width = 6}, {@code rolloff = 0.99}), as ImageBind's audio loading calls it.
 *
 * <p>The rates are reduced by their gcd to {@code orig} input and {@code target} output samples a period. torchaudio's
 * kernel has one row per output phase {@code j} and {@code 2·width + orig} taps, {@code width = ceil(6·orig / base)},
 * {@code base = min(orig, target)·0.99}: at {@code t = ((i - width)/orig - j/target)·base}, clamped to ±6, the tap is
 * {@code sin(πt)/(πt)·cos²(πt/12)·base/orig}. torchaudio builds it in the waveform's dtype, float32, and so does this
 * class, operation by operation. Output {@code y[m·target + j] = Σ_i kernel[j][i]·x[m·orig + i - width]} (conv1d
 * with stride {@code orig} over the input padded with zeros), {@code ceil(target·n / orig)} samples.
 *
 * <p>torchaudio holds the whole {@code target × (2·width + orig)} kernel: for rates with a small gcd that is huge
 * (44,101 → 16,000 Hz: 16,000 × 44,135 floats, 2.8 GB). Yet only the taps where {@code |t| < 6} are not clamped, about
 * {@code 12·orig/base} of them a row (34 for 44.1 → 16 kHz); the clamped ones are {@code sin(6π)/(6π)·cos²(π/2)} in
 * float32, about 1e-23, and are left out of the sums (each row keeps the span between its first and last tap above
 * 1e-20), which changes no output by more than 1e-20. So each phase's row is computed on demand, only over the
 * window where {@code t} can be unclamped, and kept while the rows kept stay under {@link #CACHED_TAPS}: memory
 * depends on the ratio of the rates, not on their gcd, and the numbers are those of the whole kernel.
 *
 * <p>Any output range can be computed from the input range {@link #inputFrom}/{@link #inputTo} alone, so long
 * audio is resampled piece by piece with the same result as in one go. An instance may be shared between threads:
 * rows are immutable once made.
 */
public final class Resampler {
    public static final int LOWPASS_FILTER_WIDTH = 6;
    public static final double ROLLOFF = 0.99;
    private static final float NEGLIGIBLE = 1e-20f;
    /** Taps kept for reuse, all rows together (16 MB); rows past it are computed for each output. */
    static final long CACHED_TAPS = 1 << 22;

    private final int sourceRate;
    private final int targetRate;
    private final int orig;
    private final int target;
    private final int width;
    /** torchaudio's taps a row: {@code 2·width + orig}. */
    private final long taps;
    private final float baseF;
    private final float scaleF;
    /** Half the width, in taps, of the window where {@code t} is not clamped: {@code 6·orig/base}. */
    private final double halfWindow;
    private final Row[] rows;
    private long cachedTaps;
    /** The first and one past the last tap any row may use: the bounds of row 0's and row target-1's windows. */
    private final long firstTapOfAll;
    private final long endTapOfAll;

    /** A kernel row's taps {@code [first, first + taps.length)}: those between its first and last above 1e-20. */
    private record Row(long first, float[] taps) {}

    private Resampler(int sourceRate, int targetRate) {
        this.sourceRate = sourceRate;
        this.targetRate = targetRate;
        int gcd = BigInteger.valueOf(sourceRate).gcd(BigInteger.valueOf(targetRate)).intValueExact();
        this.orig = sourceRate / gcd;
        this.target = targetRate / gcd;
        double base = Math.min(orig, target) * ROLLOFF;
        this.width = Math.toIntExact((long) Math.ceil((double) LOWPASS_FILTER_WIDTH * orig / base));
        this.taps = 2L * width + orig;
        this.baseF = (float) base;
        this.scaleF = (float) (base / orig);
        this.halfWindow = LOWPASS_FILTER_WIDTH * orig / base;
        this.rows = sourceRate == targetRate ? new Row[0] : new Row[target];
        if (sourceRate == targetRate) {
            this.firstTapOfAll = 0;
            this.endTapOfAll = 0;
        } else {
            // t falls as j grows (for each tap), so no row has an unclamped tap before row 0's or after the last row's.
            this.firstTapOfAll = window(0)[0];
            this.endTapOfAll = window(target - 1)[1];
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

    /** torchaudio's kernel row of output phase {@code j}, all {@code 2·width + orig} taps (float32), for tests. */
    float[] kernelRow(int j) {
        float[] full = new float[Math.toIntExact(taps)];
        for (int i = 0; i < full.length; i++) {
            full[i] = tap(i, j);
        }
        return full;
    }

    /** The taps of row {@code j} that the sums use, from {@link #firstTap}, for tests. */
    float[] usedTaps(int j) {
        return row(j).taps.clone();
    }

    long firstTap(int j) {
        return row(j).first;
    }

    /**
     * Tap {@code i} of row {@code j} as torchaudio's {@code _get_sinc_resample_kernel} computes it in float32:
     * {@code idx = arange(-width, width + orig) / orig}, {@code t = (-j/target + idx)·base} clamped to ±6, the
     * window {@code cos(t·π/6/2)²}, {@code sin(πt)/(πt)} (1 at 0), times {@code base/orig}.
     */
    private float tap(long i, int j) {
        float phase = (float) -j / target;
        float idx = (float) (i - width) / orig;
        float t = (phase + idx) * baseF;
        float limit = LOWPASS_FILTER_WIDTH;
        t = Math.max(-limit, Math.min(limit, t));
        float piF = (float) Math.PI;
        float c = (float) Math.cos(t * piF / limit / 2);
        float window = c * c;
        t *= piF;
        float k = t == 0 ? 1f : (float) Math.sin(t) / t;
        return k * (window * scaleF);
    }

    /** Whether tap {@code i} of row {@code j} has its {@code t} clamped to {@code -6} ({@code below}) or to 6. */
    private boolean clamped(long i, int j, boolean below) {
        float t = ((float) -j / target + (float) (i - width) / orig) * baseF;
        return below ? t <= -LOWPASS_FILTER_WIDTH : t >= LOWPASS_FILTER_WIDTH;
    }

    /**
     * {@code [from, to)}, the taps of row {@code j} outside which every tap is clamped: {@code t} rises with {@code i}
     * in float32 too (each operation is monotonic), so once a tap is clamped all further out are. The window starts
     * from the exact centre {@code width + orig·j/target} ± {@link #halfWindow} with a little margin, and grows until
     * its edge taps are clamped (or are the kernel's ends).
     */
    private long[] window(int j) {
        double centre = width + (double) orig * j / target;
        long margin = 2 + (long) Math.ceil(halfWindow / 16);
        while (true) {
            long from = Math.max(0, (long) Math.floor(centre - halfWindow) - margin);
            long to = Math.min(taps, (long) Math.ceil(centre + halfWindow) + margin + 1);
            if ((from == 0 || clamped(from, j, true)) && (to == taps || clamped(to - 1, j, false))) {
                return new long[] {from, to};
            }
            margin *= 2;
        }
    }

    /** Row {@code j}: made once and kept while the kept rows stay under {@link #CACHED_TAPS}. */
    private Row row(int j) {
        Row row = rows[j];
        if (row != null) {
            return row;
        }
        long[] window = window(j);
        long first = window[1];
        long end = window[0];
        float[] values = new float[Math.toIntExact(window[1] - window[0])];
        for (long i = window[0]; i < window[1]; i++) {
            float k = tap(i, j);
            values[(int) (i - window[0])] = k;
            if (Math.abs(k) > NEGLIGIBLE) {
                first = Math.min(first, i);
                end = i + 1;
            }
        }
        first = Math.min(first, end);
        row = new Row(first, java.util.Arrays.copyOfRange(values, (int) (first - window[0]), (int) (end - window[0])));
        synchronized (this) {
            if (cachedTaps + row.taps.length <= CACHED_TAPS) {
                cachedTaps += row.taps.length;
                rows[j] = row;
            }
        }
        return row;
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
        return Math.max(0, m * orig - width + firstTapOfAll);
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
        return Math.min(inputLength, m * orig - width + endTapOfAll);
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
            Row row = row(j);
            long x0 = m * orig - width; // input index of tap 0
            // Taps that fall on the zero padding add nothing.
            long from = Math.max(x0 + row.first, 0);
            long to = Math.min(x0 + row.first + row.taps.length, inputLength);
            double sum = 0;
            int tap = (int) (from - x0 - row.first);
            for (long x = from; x < to; x++, tap++) {
                sum += row.taps[tap] * input[(int) (x - inputOffset)];
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
}
