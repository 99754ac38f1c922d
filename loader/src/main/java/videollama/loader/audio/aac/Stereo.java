package videollama.loader.audio.aac;

/**
 * Joint stereo of a channel pair, on the spectra before TNS: mid/side (ISO/IEC 14496-3 4.6.8.1) and intensity
 * stereo (4.6.8.2). Two points follow FFmpeg rather than a literal reading of the standard, so that the output is
 * FFmpeg's: a band is mid/side only if neither channel codes it as noise or intensity (where both channels are
 * noise, each keeps its own draws), and an intensity band's sign flips with ms_used whenever ms_mask_present is
 * not 0, where the standard's invert_intensity flips it for ms_mask_present 1 only. FFmpeg's encoder writes such
 * streams (testdata/audio/aac/intensity-48k-stereo.mp4: every frame ms_mask_present 2 with intensity bands): decoded
 * with the standard's rule it is 5.5 dB from FFmpeg and 135.5 dB from faad, which follows the standard there.
 */
final class Stereo {
    private Stereo() {}

    static void midSide(ChannelStream left, ChannelStream right, boolean[] msUsed, double[] l, double[] r) {
        IcsInfo info = left.info;
        int window = 0;
        int band = 0;
        for (int g = 0; g < info.groupCount; g++) {
            for (int sfb = 0; sfb < info.maxSfb; sfb++, band++) {
                if (!msUsed[band] || left.bandType[band] >= ChannelStream.NOISE_HCB
                        || right.bandType[band] >= ChannelStream.NOISE_HCB) {
                    continue;
                }
                for (int w = window; w < window + info.groupLength[g]; w++) {
                    for (int k = w * 128 + info.offsets[sfb]; k < w * 128 + info.offsets[sfb + 1]; k++) {
                        double m = l[k];
                        double s = r[k];
                        l[k] = m + s;
                        r[k] = m - s;
                    }
                }
            }
            window += info.groupLength[g];
        }
    }

    /**
     * The second channel's intensity bands: the first channel's coefficients times +-0.5^(position / 4),
     * negative for INTENSITY_HCB2 and flipped again where ms_used is set, on the second channel's band layout.
     */
    static void intensity(ChannelStream left, ChannelStream right, int msMaskPresent, boolean[] msUsed, double[] l,
                          double[] r) {
        IcsInfo info = right.info;
        int window = 0;
        int band = 0;
        for (int g = 0; g < info.groupCount; g++) {
            for (int sfb = 0; sfb < info.maxSfb; sfb++, band++) {
                int type = right.bandType[band];
                if (type != ChannelStream.INTENSITY_HCB && type != ChannelStream.INTENSITY_HCB2) {
                    continue;
                }
                boolean invert = (type == ChannelStream.INTENSITY_HCB2) != (msMaskPresent != 0 && msUsed[band]);
                double scale = (invert ? -1 : 1) * Spectrum.gain(-right.scale[band]);
                for (int w = window; w < window + info.groupLength[g]; w++) {
                    for (int k = w * 128 + info.offsets[sfb]; k < w * 128 + info.offsets[sfb + 1]; k++) {
                        r[k] = l[k] * scale;
                    }
                }
            }
            window += info.groupLength[g];
        }
    }
}
