package videollama.loader.audio.aac;

import java.util.Arrays;

/**
 * From a parsed {@link ChannelStream} to spectral coefficients (window {@code w} at {@code [128 w, 128 w + 128)}),
 * in the scale of ISO/IEC 14496-3 4.6.1.3 and 4.6.2.3.3: sign(q) |q|^(4/3) 2^((sf - 100) / 4) in double precision,
 * pulses added to the quantized values first (4.6.5.3), noise bands filled from the decoder's {@link NoiseGenerator}
 * (4.6.13), intensity bands left at zero for {@link Stereo}.
 */
final class Spectrum {
    /** |q|^(4/3) for q up to 8191, the largest value an escape sequence codes, plus 4 pulses of amplitude 15. */
    private static final double[] POW43 = new double[8192 + 4 * 15];
    /** 2^(e/4) for e in [-256, 255] at [e + 256]: every gain a scalefactor, noise energy or intensity position gives. */
    private static final double[] POW2_QUARTER = new double[512];

    static {
        for (int q = 0; q < POW43.length; q++) {
            POW43[q] = q * Math.cbrt(q);
        }
        for (int e = -256; e < 256; e++) {
            POW2_QUARTER[e + 256] = Math.pow(2, e / 4.0);
        }
    }

    private Spectrum() {}

    static double gain(int quarterExponent) {
        return POW2_QUARTER[quarterExponent + 256];
    }

    static double signedPow43(int q) {
        return q < 0 ? -POW43[-q] : POW43[q];
    }

    /**
     * Fills {@code out} with the channel's coefficients. Noise bands draw from {@code noise} in bitstream order (window
     * group, band, window of the group, coefficient), as FFmpeg does, each window's band scaled to the energy
     * 2^(energy / 2) from FFmpeg's draws as 32-bit float values.
     */
    static void dequantize(ChannelStream cs, NoiseGenerator noise, double[] out) {
        Arrays.fill(out, 0);
        IcsInfo info = cs.info;
        int[] offsets = info.offsets;
        int window = 0;
        int band = 0;
        for (int g = 0; g < info.groupCount; g++) {
            for (int sfb = 0; sfb < info.maxSfb; sfb++, band++) {
                int type = cs.bandType[band];
                if (type == ChannelStream.ZERO_HCB || type == ChannelStream.INTENSITY_HCB
                        || type == ChannelStream.INTENSITY_HCB2) {
                    continue;
                }
                for (int w = window; w < window + info.groupLength[g]; w++) {
                    int from = w * 128 + offsets[sfb];
                    int to = w * 128 + offsets[sfb + 1];
                    if (type == ChannelStream.NOISE_HCB) {
                        double energy = 0;
                        for (int k = from; k < to; k++) {
                            double v = (float) noise.next(); // FFmpeg stores each draw as a float
                            out[k] = v;
                            energy += v * v;
                        }
                        double scale = gain(cs.scale[band]) / Math.sqrt(energy);
                        for (int k = from; k < to; k++) {
                            out[k] *= scale;
                        }
                    } else {
                        double gain = gain(cs.scale[band]);
                        for (int k = from; k < to; k++) {
                            out[k] = signedPow43(cs.quantized[k]) * gain;
                        }
                    }
                }
            }
            window += info.groupLength[g];
        }
        addPulses(cs, out);
    }

    /**
     * 4.6.5.3: each pulse adds its amplitude to |q| (a zero q becomes -amplitude). As in FFmpeg, pulses in zero and
     * noise bands are dropped, and in an intensity band they land on the zero coefficient with the intensity gain
     * and the sign FFmpeg's arithmetic gives (the second channel of a pair overwrites it).
     */
    private static void addPulses(ChannelStream cs, double[] out) {
        int band = 0;
        for (int i = 0; i < cs.pulseCount; i++) {
            int k = cs.pulsePosition[i];
            while (cs.info.offsets[band + 1] <= k) {
                band++;
            }
            int type = cs.bandType[band];
            if (type == ChannelStream.ZERO_HCB || type == ChannelStream.NOISE_HCB) {
                continue;
            }
            int q = cs.quantized[k];
            q = q > 0 ? q + cs.pulseAmplitude[i] : q - cs.pulseAmplitude[i];
            cs.quantized[k] = q;
            out[k] = type >= ChannelStream.INTENSITY_HCB2 ? -signedPow43(q) * gain(-cs.scale[band])
                    : signedPow43(q) * gain(cs.scale[band]);
        }
    }

    /** The noise draws of a parsed channel stream, for skipping a packet without decoding it. */
    static int noiseDraws(ChannelStream cs) {
        IcsInfo info = cs.info;
        int draws = 0;
        int band = 0;
        for (int g = 0; g < info.groupCount; g++) {
            for (int sfb = 0; sfb < info.maxSfb; sfb++, band++) {
                if (cs.bandType[band] == ChannelStream.NOISE_HCB) {
                    draws += info.groupLength[g] * (info.offsets[sfb + 1] - info.offsets[sfb]);
                }
            }
        }
        return draws;
    }
}
