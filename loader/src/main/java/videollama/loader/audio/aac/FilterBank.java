package videollama.loader.audio.aac;

/**
 * One channel's synthesis filter bank (ISO/IEC 14496-3 4.6.11): inverse MDCT, windowing and overlap-add with the
 * previous frame, giving 1024 samples a frame in FFmpeg's float scale (full scale 1.0: the standard's 16-bit
 * scale divided by 32768).
 *
 * <p>The overlap between two frames is long (both halves long windows of the previous frame's shape) when the
 * previous frame ended with a long half (ONLY_LONG, LONG_STOP) and this one starts with one (ONLY_LONG,
 * LONG_START); otherwise it is short: the previous long frame's second half is windowed as a LONG_START's (ones,
 * a short falling half, zeros) and this long frame's first half as a LONG_STOP's. For the transitions the standard
 * allows this is the standard's windowing; for the ones it does not (ONLY_LONG followed by EIGHT_SHORT, say) it is
 * what FFmpeg does. The left half of a frame, and of its first short window, uses the previous frame's window
 * shape (4.6.11.3.2).
 */
final class FilterBank {
    private static final double SCALE = 1.0 / 32768;

    private final Imdct longTransform = new Imdct(2048);
    private final Imdct shortTransform = new Imdct(256);
    private final double[] x = new double[2048];
    private final double[] acc = new double[2048];
    /** The previous frame's part beyond its first 1024 samples: unwindowed for long frames, windowed for short. */
    private final double[] tail = new double[1024];
    private int previousSequence = IcsInfo.ONLY_LONG;
    private int previousShape = Windows.SINE;

    void synthesize(double[] spectrum, IcsInfo info, float[] out) {
        int sequence = info.windowSequence;
        boolean longOverlap = (previousSequence == IcsInfo.ONLY_LONG || previousSequence == IcsInfo.LONG_STOP)
                && (sequence == IcsInfo.ONLY_LONG || sequence == IcsInfo.LONG_START);
        double[] previousLong = Windows.longRise(previousShape);
        double[] previousShort = Windows.shortRise(previousShape);
        if (previousSequence == IcsInfo.EIGHT_SHORT) {
            System.arraycopy(tail, 0, acc, 0, 1024);
        } else if (longOverlap) {
            for (int i = 0; i < 1024; i++) {
                acc[i] = tail[i] * previousLong[1023 - i];
            }
        } else {
            System.arraycopy(tail, 0, acc, 0, 448);
            for (int i = 0; i < 128; i++) {
                acc[448 + i] = tail[448 + i] * previousShort[127 - i];
            }
            java.util.Arrays.fill(acc, 576, 1024, 0);
        }
        if (sequence != IcsInfo.EIGHT_SHORT) {
            longTransform.transform(spectrum, 0, SCALE, x);
            if (longOverlap) {
                for (int i = 0; i < 1024; i++) {
                    acc[i] += x[i] * previousLong[i];
                }
            } else {
                for (int i = 0; i < 128; i++) {
                    acc[448 + i] += x[448 + i] * previousShort[i];
                }
                for (int i = 576; i < 1024; i++) {
                    acc[i] += x[i];
                }
            }
            System.arraycopy(x, 1024, tail, 0, 1024);
        } else {
            java.util.Arrays.fill(acc, 1024, 2048, 0);
            double[] rise = Windows.shortRise(info.windowShape);
            for (int w = 0; w < 8; w++) {
                shortTransform.transform(spectrum, 128 * w, SCALE, x);
                double[] firstHalf = w == 0 ? previousShort : rise;
                int base = 448 + 128 * w;
                for (int i = 0; i < 128; i++) {
                    acc[base + i] += x[i] * firstHalf[i];
                    acc[base + 128 + i] += x[128 + i] * rise[127 - i];
                }
            }
            System.arraycopy(acc, 1024, tail, 0, 1024);
        }
        for (int i = 0; i < 1024; i++) {
            out[i] = (float) acc[i];
        }
        previousSequence = sequence;
        previousShape = info.windowShape;
    }

    /**
     * Takes a frame's window sequence and shape without synthesizing it (a skipped packet): the next frame's
     * overlap is then wrong, which is why a skip is followed by one decoded packet of warm-up.
     */
    void skip(IcsInfo info) {
        previousSequence = info.windowSequence;
        previousShape = info.windowShape;
    }
}
