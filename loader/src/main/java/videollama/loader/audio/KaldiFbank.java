package videollama.loader.audio;

import org.apache.commons.math3.transform.DftNormalization;
import org.apache.commons.math3.transform.FastFourierTransformer;
import org.apache.commons.math3.transform.TransformType;

/**
 * Log mel filter bank energies as {@code torchaudio.compliance.kaldi.fbank} computes them with the arguments of
 * ImageBind's {@code waveform2melspec} (docs/model.md section 5.3 step 4b): 16 kHz, frames of 25 ms (400 samples) every 10 ms
 * (160), {@code snip_edges} (only whole frames), {@code dither=0}; per frame the DC offset is removed, pre-emphasis
 * 0.97 applied (the first sample against itself), a symmetric Hann window ({@code hanning}, periodic=False)
 * applied, the frame zero-padded to 512 for the FFT, the power spectrum taken and summed by 128 triangular
 * filters evenly spaced on Kaldi's mel scale {@code 1127·ln(1 + f/700)} from 20 Hz to the Nyquist frequency;
 * the log is floored at float32's epsilon. {@code use_energy=False}, so {@code htk_compat} changes nothing.
 *
 * <p>torchaudio computes in float32; the window, the mel filters, DC removal and pre-emphasis are done here in
 * float32 with the same operations. The FFT (Apache Commons Math) and the sums run in double and are rounded to
 * float32, a little more precise than torch's float32 FFT.
 */
public final class KaldiFbank {
    public static final int SAMPLE_RATE = 16000;
    public static final int FRAME_LENGTH = 400;
    public static final int FRAME_SHIFT = 160;
    public static final int FFT_SIZE = 512;
    public static final int MEL_BINS = 128;
    public static final float PREEMPHASIS = 0.97f;
    public static final float LOW_FREQ = 20f;
    /** {@code torch.finfo(torch.float).eps}, the floor under every mel energy before the log. */
    public static final float EPSILON = Math.ulp(1.0f);

    private static final float[] WINDOW = hannWindow(FRAME_LENGTH);
    private static final MelBank[] BANKS = melBanks();

    /** One triangular filter: weights for the FFT bins {@code [first, first + weights.length)}. */
    private record MelBank(int first, float[] weights) {}

    private KaldiFbank() {}

    /** Frames a clip of {@code samples} samples gives: {@code 1 + (samples - 400) / 160}, or 0 below 400. */
    public static int frames(int samples) {
        return samples < FRAME_LENGTH ? 0 : 1 + (samples - FRAME_LENGTH) / FRAME_SHIFT;
    }

    /**
     * The log mel energies of {@code samples[offset, offset + length)}: {@code [frames(length)][128]}, row-major.
     */
    public static float[] compute(float[] samples, int offset, int length) {
        int frames = frames(length);
        float[] out = new float[frames * MEL_BINS];
        float[] frame = new float[FRAME_LENGTH];
        double[][] spectrum = new double[2][FFT_SIZE];
        float[] power = new float[FFT_SIZE / 2 + 1];
        for (int f = 0; f < frames; f++) {
            int start = offset + f * FRAME_SHIFT;
            double sum = 0;
            for (int i = 0; i < FRAME_LENGTH; i++) {
                sum += samples[start + i];
            }
            float mean = (float) (sum / FRAME_LENGTH);
            for (int i = 0; i < FRAME_LENGTH; i++) {
                frame[i] = samples[start + i] - mean;
            }
            double[] re = spectrum[0];
            double[] im = spectrum[1];
            java.util.Arrays.fill(re, FRAME_LENGTH, FFT_SIZE, 0);
            java.util.Arrays.fill(im, 0);
            // Pre-emphasis runs from the end so that frame[i - 1] is still the unemphasised sample.
            for (int i = FRAME_LENGTH - 1; i >= 0; i--) {
                float previous = frame[i == 0 ? 0 : i - 1];
                float emphasised = frame[i] - PREEMPHASIS * previous;
                re[i] = emphasised * WINDOW[i];
            }
            FastFourierTransformer.transformInPlace(spectrum, DftNormalization.STANDARD, TransformType.FORWARD);
            for (int k = 0; k < power.length; k++) {
                power[k] = (float) (re[k] * re[k] + im[k] * im[k]);
            }
            for (int b = 0; b < MEL_BINS; b++) {
                MelBank bank = BANKS[b];
                double energy = 0;
                for (int k = 0; k < bank.weights.length; k++) {
                    energy += (double) power[bank.first + k] * bank.weights[k];
                }
                out[f * MEL_BINS + b] = (float) Math.log(Math.max((float) energy, EPSILON));
            }
        }
        return out;
    }

    /** {@code torch.hann_window(n, periodic=False)}: {@code 0.5 - 0.5·cos(2πi/(n-1))}, in float32 as torch computes it. */
    static float[] hannWindow(int n) {
        float[] w = new float[n];
        float step = (float) (Math.PI * 2.0 / (n - 1));
        for (int i = 0; i < n; i++) {
            float c = (float) Math.cos(i * step);
            w[i] = c * -0.5f + 0.5f;
        }
        return w;
    }

    /**
     * torchaudio's {@code get_mel_banks(128, 512, 16000, 20, 0, ...)}: the mel edges are float32 tensors built from
     * Python floats ({@code mel_low + bin·delta}), the FFT bin frequencies {@code 31.25·k} for k < 256 (the
     * Nyquist bin gets weight 0), each weight {@code max(0, min(up, down))} in float32.
     */
    private static MelBank[] melBanks() {
        double nyquist = SAMPLE_RATE / 2.0;
        double melLow = 1127.0 * Math.log(1.0 + LOW_FREQ / 700.0);
        double melHigh = 1127.0 * Math.log(1.0 + nyquist / 700.0);
        float delta = (float) ((melHigh - melLow) / (MEL_BINS + 1));
        float low = (float) melLow;
        int fftBins = FFT_SIZE / 2;
        float binWidth = (float) SAMPLE_RATE / FFT_SIZE;
        float[] mel = new float[fftBins];
        for (int k = 0; k < fftBins; k++) {
            float freq = binWidth * k;
            mel[k] = 1127.0f * (float) Math.log(1.0f + freq / 700.0f);
        }
        MelBank[] banks = new MelBank[MEL_BINS];
        for (int b = 0; b < MEL_BINS; b++) {
            float left = low + b * delta;
            float center = low + (b + 1.0f) * delta;
            float right = low + (b + 2.0f) * delta;
            float[] weights = new float[fftBins];
            int first = -1;
            int end = 0;
            for (int k = 0; k < fftBins; k++) {
                float up = (mel[k] - left) / (center - left);
                float down = (right - mel[k]) / (right - center);
                float w = Math.max(0f, Math.min(up, down));
                weights[k] = w;
                if (w != 0) {
                    if (first < 0) {
                        first = k;
                    }
                    end = k + 1;
                }
            }
            first = Math.max(first, 0);
            banks[b] = new MelBank(first, java.util.Arrays.copyOfRange(weights, first, Math.max(end, first)));
        }
        return banks;
    }
}
