package videollama.loader.audio.aac;

/**
 * ics_info (ISO/IEC 14496-3 4.4.2.1 Table 4.6, semantics 4.5.2.3): the window sequence and shape of one channel's
 * frame, how many scalefactor bands are coded, and for eight short windows how they are grouped.
 */
final class IcsInfo {
    static final int ONLY_LONG = 0;
    static final int LONG_START = 1;
    static final int EIGHT_SHORT = 2;
    static final int LONG_STOP = 3;

    int windowSequence;
    /** 0: sine window, 1: Kaiser-Bessel-derived window (4.6.11.3.2). */
    int windowShape;
    int maxSfb;
    int groupCount;
    /** Windows in each group (1 to 8, summing to 8 for short windows; one group of 1 window for long ones). */
    final int[] groupLength = new int[8];
    /** Scalefactor band offsets of one window; {@code bands} bands. */
    int[] offsets;
    int bands;

    boolean isShort() {
        return windowSequence == EIGHT_SHORT;
    }

    int windows() {
        return isShort() ? 8 : 1;
    }

    void read(BitReader bits, int rateIndex) {
        bits.skip(1); // ics_reserved_bit: FFmpeg ignores it when set, and so do we
        windowSequence = bits.read(2);
        windowShape = bits.read(1);
        if (isShort()) {
            maxSfb = bits.read(4);
            groupCount = 1;
            groupLength[0] = 1;
            for (int i = 0; i < 7; i++) { // scale_factor_grouping: a 1 puts the next window into the same group
                if (bits.readBit()) {
                    groupLength[groupCount - 1]++;
                } else {
                    groupLength[groupCount++] = 1;
                }
            }
        } else {
            maxSfb = bits.read(6);
            groupCount = 1;
            groupLength[0] = 1;
            if (bits.readBit()) {
                throw AacException.corrupt("predictor_data_present in an AAC-LC stream");
            }
        }
        offsets = BandTables.offsets(rateIndex, isShort());
        bands = offsets.length - 1;
        if (maxSfb > bands) {
            throw AacException.corrupt("max_sfb " + maxSfb + " is more than the " + bands + " scalefactor bands");
        }
    }

    void copyFrom(IcsInfo other) {
        windowSequence = other.windowSequence;
        windowShape = other.windowShape;
        maxSfb = other.maxSfb;
        groupCount = other.groupCount;
        System.arraycopy(other.groupLength, 0, groupLength, 0, 8);
        offsets = other.offsets;
        bands = other.bands;
    }
}
