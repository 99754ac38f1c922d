package videollama.loader.audio.aac;

/**
 * One channel's individual_channel_stream (ISO/IEC 14496-3 4.4.2.7 Table 4.50): global gain, ics_info unless the
 * channel pair shares it, section data (a codebook per scalefactor band), scalefactors, pulse data, TNS data and the
 * Huffman-coded quantized spectrum. {@link #read} only parses; {@link Spectrum} turns the result into coefficients.
 * One instance per output channel, reused frame after frame.
 */
final class ChannelStream {
    static final int ZERO_HCB = 0;
    static final int NOISE_HCB = 13;
    static final int INTENSITY_HCB2 = 14;
    static final int INTENSITY_HCB = 15;
    /** The offset of scalefactors (4.6.2.3.3) and of the first noise energy against the global gain (FFmpeg's). */
    static final int SF_OFFSET = 100;
    static final int NOISE_OFFSET = 90;

    final IcsInfo info = new IcsInfo();
    /** Codebook of band {@code g * maxSfb + sfb}. */
    final int[] bandType = new int[8 * 16];
    /**
     * Per band: the scalefactor less 100 (spectral codebooks), the noise energy (NOISE_HCB) or the intensity
     * position (INTENSITY_HCB*), each clipped as FFmpeg clips it.
     */
    final int[] scale = new int[8 * 16];
    /** Quantized values, window {@code w} at {@code [128 w, 128 w + 128)} for short windows. */
    final int[] quantized = new int[1024];
    int pulseCount;
    final int[] pulsePosition = new int[4];
    final int[] pulseAmplitude = new int[4];
    final Tns tns = new Tns();

    /**
     * Reads the channel stream; {@code common} is the pair's shared ics_info, or null when this channel codes its own.
     */
    void read(BitReader bits, IcsInfo common, int rateIndex, AacToolCounts counts) {
        int globalGain = bits.read(8);
        if (common == null) {
            info.read(bits, rateIndex);
        } else {
            info.copyFrom(common);
        }
        count(counts);
        readSections(bits);
        readScalefactors(bits, globalGain, counts);
        pulseCount = 0;
        if (bits.readBit()) {
            readPulses(bits);
            counts.add(AacTool.PULSE);
        }
        tns.present = bits.readBit();
        if (tns.present) {
            tns.read(bits, info, counts);
            counts.add(AacTool.TNS);
        }
        if (bits.readBit()) {
            throw AacException.corrupt("gain control data in an AAC-LC stream");
        }
        readSpectrum(bits, counts);
    }

    private void count(AacToolCounts counts) {
        counts.add(AacTool.CHANNEL_STREAMS);
        switch (info.windowSequence) {
            case IcsInfo.LONG_START -> counts.add(AacTool.LONG_START);
            case IcsInfo.EIGHT_SHORT -> counts.add(AacTool.EIGHT_SHORT);
            case IcsInfo.LONG_STOP -> counts.add(AacTool.LONG_STOP);
            default -> { }
        }
        counts.add(AacTool.KBD, info.windowShape);
    }

    /** section_data (Table 4.52): runs of bands sharing a codebook. */
    private void readSections(BitReader bits) {
        int lengthBits = info.isShort() ? 3 : 5;
        int escape = (1 << lengthBits) - 1;
        for (int g = 0; g < info.groupCount; g++) {
            int k = 0;
            while (k < info.maxSfb) {
                int codebook = bits.read(4);
                if (codebook == 12) {
                    throw AacException.corrupt("reserved codebook 12");
                }
                int end = k;
                int increment;
                do {
                    increment = bits.read(lengthBits);
                    end += increment;
                } while (increment == escape);
                if (end > info.maxSfb) {
                    throw AacException.corrupt("a section ends at band " + end + ", past max_sfb " + info.maxSfb);
                }
                for (; k < end; k++) {
                    bandType[g * info.maxSfb + k] = codebook;
                }
            }
        }
    }

    /**
     * scale_factor_data (Table 4.53, 4.6.2.3.2): differences against three running values, one for spectral bands
     * (starting at the global gain), one for noise energies (the first sent as 9 bits against the global gain less
     * 90) and one for intensity positions (starting at 0). Noise energies and intensity positions are clipped to
     * [-100, 155] and [-155, 100] as FFmpeg clips them; a scalefactor outside [0, 255] is corrupt data.
     */
    private void readScalefactors(BitReader bits, int globalGain, AacToolCounts counts) {
        Huffman book = Codebooks.scalefactor();
        int scalefactor = globalGain;
        int noise = globalGain - NOISE_OFFSET;
        int position = 0;
        boolean firstNoise = true;
        int count = info.groupCount * info.maxSfb;
        for (int band = 0; band < count; band++) {
            switch (bandType[band]) {
                case ZERO_HCB -> scale[band] = 0;
                case INTENSITY_HCB, INTENSITY_HCB2 -> {
                    position += book.decode(bits) - 60;
                    scale[band] = Math.clamp(position, -155, 100);
                }
                case NOISE_HCB -> {
                    noise += firstNoise ? bits.read(9) - 256 : book.decode(bits) - 60;
                    firstNoise = false;
                    scale[band] = Math.clamp(noise, -100, 155);
                    counts.add(AacTool.PNS_BANDS);
                }
                default -> {
                    scalefactor += book.decode(bits) - 60;
                    if (scalefactor < 0 || scalefactor > 255) {
                        throw AacException.corrupt("scalefactor " + scalefactor + " outside [0, 255]");
                    }
                    scale[band] = scalefactor - SF_OFFSET;
                }
            }
        }
    }

    /** pulse_data (Table 4.7): up to 4 pulses added to quantized values of a long window. */
    private void readPulses(BitReader bits) {
        if (info.isShort()) {
            throw AacException.corrupt("pulse data in eight short windows");
        }
        pulseCount = bits.read(2) + 1;
        int startBand = bits.read(6);
        if (startBand >= info.bands) {
            throw AacException.corrupt("pulse_start_sfb " + startBand + " past the " + info.bands + " bands");
        }
        int position = info.offsets[startBand];
        for (int i = 0; i < pulseCount; i++) {
            position += bits.read(5);
            if (position >= info.offsets[info.bands]) {
                throw AacException.corrupt("pulse at coefficient " + position);
            }
            pulsePosition[i] = position;
            pulseAmplitude[i] = bits.read(4);
        }
    }

    /**
     * spectral_data (Table 4.56): per window group, per band, per window of the group, the band's codewords of its
     * codebook; unsigned codebooks are followed by a sign bit per non-zero value, codebook 11 then by an escape
     * sequence per value 16 (4.6.3.3: N ones, a zero, N + 4 bits, giving 2^(N+4) + those bits; N at most 8).
     */
    private void readSpectrum(BitReader bits, AacToolCounts counts) {
        java.util.Arrays.fill(quantized, 0);
        int[] offsets = info.offsets;
        int window = 0;
        int band = 0;
        for (int g = 0; g < info.groupCount; g++) {
            for (int sfb = 0; sfb < info.maxSfb; sfb++, band++) {
                int cb = bandType[band];
                if (cb == ZERO_HCB || cb >= NOISE_HCB) {
                    continue;
                }
                Huffman book = Codebooks.spectrum(cb);
                int[] table = Codebooks.values(cb);
                int dimension = Codebooks.dimension(cb);
                boolean signed = Codebooks.signed(cb);
                for (int w = window; w < window + info.groupLength[g]; w++) {
                    for (int k = w * 128 + offsets[sfb]; k < w * 128 + offsets[sfb + 1]; k += dimension) {
                        System.arraycopy(table, book.decode(bits) * 4, quantized, k, dimension);
                        if (!signed) {
                            for (int i = k; i < k + dimension; i++) {
                                if (quantized[i] != 0 && bits.readBit()) {
                                    quantized[i] = -quantized[i];
                                }
                            }
                            if (cb == Codebooks.ESCAPE_CODEBOOK) {
                                for (int i = k; i < k + dimension; i++) {
                                    if (Math.abs(quantized[i]) == 16) {
                                        quantized[i] = Integer.signum(quantized[i]) * escape(bits);
                                        counts.add(AacTool.ESCAPES);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            window += info.groupLength[g];
        }
    }

    private static int escape(BitReader bits) {
        int n = 0;
        while (bits.readBit()) {
            if (++n > 8) {
                throw AacException.corrupt("escape sequence longer than 8 + 12 bits");
            }
        }
        return (1 << (n + 4)) + bits.read(n + 4);
    }
}
