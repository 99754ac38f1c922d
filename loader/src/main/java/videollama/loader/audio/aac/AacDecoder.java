package videollama.loader.audio.aac;

import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * An AAC-LC decoder (ISO/IEC 14496-3 subpart 4, general audio coding) that gives FFmpeg's float output: one
 * raw_data_block (4.4.2.1 Table 4.3) in, 1024 samples a channel out, in FFmpeg's channel order, full scale 1.0.
 *
 * <p>Written by hand because the Java libraries for AAC decode it wrongly (no TNS, float twiddle recurrences, shared
 * noise state), and because the model's reference hears sound through FFmpeg: where the standard leaves a choice
 * open (the noise generator of perceptual noise substitution) or FFmpeg departs from a literal reading (the points
 * listed in {@link Stereo}, {@link FilterBank} and {@link Spectrum}), this decoder does what FFmpeg does. Everything
 * else is the standard computed in double precision, which differs from FFmpeg's float arithmetic by its rounding.
 *
 * <p>Elements: SCE, CPE, LFE, DSE and FIL (skipped), PCE, END; a coupling channel element, SBR data or a layout
 * change is refused ({@link AacException.Kind#UNSUPPORTED}), broken syntax is {@link AacException.Kind#CORRUPT}. Not
 * thread-safe; one instance per stream, whose noise generator carries from packet to packet: decode or
 * {@link #skip} every packet in order for FFmpeg's noise.
 */
public final class AacDecoder {
    public static final int FRAME_LENGTH = 1024;
    static final int SCE = 0;
    static final int CPE = 1;
    static final int CCE = 2;
    static final int LFE = 3;
    static final int DSE = 4;
    static final int PCE = 5;
    static final int FIL = 6;
    static final int END = 7;
    /** Extension payload types of fill elements (Table 4.121). */
    private static final int EXT_FILL = 0;
    private static final int EXT_SBR_DATA = 13;
    private static final int EXT_SBR_DATA_CRC = 14;
    /** What FFmpeg's sscanf(text, "libfaac %d.%d") accepts. */
    private static final Pattern LIBFAAC = Pattern.compile("libfaac\\s*[+-]?\\d+\\.\\s*[+-]?\\d+");

    private final int rateIndex;
    private final boolean sbrAbsent;
    private final NoiseGenerator noise = new NoiseGenerator();
    private final AacToolCounts counts = new AacToolCounts();
    private final IcsInfo shared = new IcsInfo();
    private final boolean[] msUsed = new boolean[8 * 16];
    private ChannelLayout layout;
    /** Per element of the layout, its channels' state. */
    private Channel[][] channels;
    private boolean[] present = new boolean[0];
    private boolean libfaacMarker;

    /** One output channel: its parsed stream, spectrum and synthesis state. */
    private static final class Channel {
        final ChannelStream stream = new ChannelStream();
        final double[] spectrum = new double[1024];
        final FilterBank bank = new FilterBank();
        final int output;

        Channel(int output) {
            this.output = output;
        }
    }

    public AacDecoder(AacConfig config) {
        rateIndex = config.rateIndex();
        sbrAbsent = config.sbrAbsent();
        if (config.layout() != null) {
            configure(config.layout());
        }
    }

    private void configure(ChannelLayout newLayout) {
        layout = newLayout;
        channels = new Channel[layout.elements().size()][];
        for (int e = 0; e < channels.length; e++) {
            int[] outputs = layout.outputChannels()[e];
            channels[e] = new Channel[outputs.length];
            for (int c = 0; c < outputs.length; c++) {
                channels[e][c] = new Channel(outputs[c]);
            }
        }
        present = new boolean[channels.length];
    }

    /** The channel layout, or null while a stream of channel configuration 0 has not yet given its program config element. */
    public ChannelLayout layout() {
        return layout;
    }

    /** Output channels; 0 while a stream of channel configuration 0 has not yet given its program config element. */
    public int channels() {
        return layout == null ? 0 : layout.channels();
    }

    /** The coding tools seen so far, in decoded and skipped packets. */
    public AacToolCounts counts() {
        return counts;
    }

    /** The noise generator's state: what a later packet's noise depends on (for jumping back to a packet). */
    public int noiseState() {
        return noise.state();
    }

    public void restoreNoiseState(int state) {
        noise.restore(state);
    }

    /**
     * Decodes one raw_data_block, {@code data[offset, offset + length)}: {@code [channels][1024]} samples.
     *
     * @throws AacException the packet is corrupt or uses what this decoder does not support
     */
    public float[][] decode(byte[] data, int offset, int length) {
        read(new BitReader(data, offset, length), true);
        float[][] out = new float[layout.channels()][FRAME_LENGTH];
        for (Channel[] element : channels) {
            for (Channel c : element) {
                c.bank.synthesize(c.spectrum, c.stream.info, out[c.output]);
            }
        }
        return out;
    }

    /**
     * Parses one raw_data_block without synthesizing it: the noise generator and the window state advance as in
     * {@link #decode}, but the next decoded packet's first half lacks this one's overlap.
     */
    public void skip(byte[] data, int offset, int length) {
        read(new BitReader(data, offset, length), false);
        for (Channel[] element : channels) {
            for (Channel c : element) {
                c.bank.skip(c.stream.info);
            }
        }
    }

    private void read(BitReader bits, boolean decode) {
        counts.add(AacTool.FRAMES);
        libfaacMarker = false;
        Arrays.fill(present, false);
        int[] ordinal = new int[4];
        int type;
        while ((type = bits.read(3)) != END) {
            int tag = bits.read(4);
            switch (type) {
                case SCE, LFE, CPE -> {
                    if (layout == null) {
                        throw AacException.corrupt("a channel element before the program config element");
                    }
                    int e = layout.find(type, tag, ordinal[type]++);
                    if (e < 0 || present[e]) {
                        throw AacException.corrupt("element " + name(type) + " (tag " + tag + ") "
                                + (e < 0 ? "has no place in the channel layout" : "appears twice"));
                    }
                    present[e] = true;
                    counts.add(type == SCE ? AacTool.SCE : type == LFE ? AacTool.LFE : AacTool.CPE);
                    if (type == CPE) {
                        readPair(bits, channels[e][0], channels[e][1], decode);
                    } else {
                        readSingle(bits, channels[e][0], decode);
                    }
                }
                case CCE -> throw AacException.unsupported("a coupling channel element");
                case DSE -> {
                    counts.add(AacTool.DSE);
                    boolean align = bits.readBit();
                    int count = bits.read(8);
                    if (count == 255) {
                        count += bits.read(8);
                    }
                    if (align) {
                        bits.byteAlign(0);
                    }
                    bits.skip(8L * count);
                }
                case PCE -> {
                    counts.add(AacTool.PCE);
                    ChannelLayout given = ChannelLayout.ofProgram(ProgramConfig.read(bits, 0));
                    if (layout == null) {
                        configure(given);
                    } else if (!layout.sameAs(given)) {
                        throw AacException.unsupported("a program config element that changes the channel layout");
                    }
                }
                default -> readFill(bits, tag);
            }
        }
        if (layout == null) {
            throw AacException.corrupt("no program config element in the first frame of channel configuration 0");
        }
        for (int e = 0; e < present.length; e++) {
            if (!present[e]) {
                throw AacException.corrupt("the frame lacks its " + name(layout.elements().get(e).type()));
            }
        }
    }

    /**
     * fill_element (Table 4.11): skipped, except that SBR data marks HE-AAC, and that a fill payload naming libfaac
     * ("libfaac 1.28" 13 bits into an EXT_FILL payload) makes FFmpeg drop 1024 samples, libfaac's encoder delay
     * ({@link #libfaacMarker()}).
     */
    private void readFill(BitReader bits, int count) {
        counts.add(AacTool.FIL);
        if (count == 15) {
            count += bits.read(8) - 1;
        }
        if (count == 0) {
            return;
        }
        long end = bits.position() + 8L * count;
        int extension = bits.read(4);
        if ((extension == EXT_SBR_DATA || extension == EXT_SBR_DATA_CRC) && !sbrAbsent) {
            throw AacException.unsupported("HE-AAC (SBR data in a fill element)");
        }
        if (extension == EXT_FILL && 8L * count - 4 >= 13 + 7 * 8) {
            bits.skip(13);
            StringBuilder text = new StringBuilder();
            for (int c; text.length() < 255 && end - bits.position() >= 8 && (c = bits.read(8)) != 0; ) {
                text.append((char) c);
            }
            libfaacMarker |= LIBFAAC.matcher(text).lookingAt();
        }
        bits.skip(end - bits.position());
    }

    /** Whether the last packet carried libfaac's name in a fill element (FFmpeg then drops 1024 samples). */
    public boolean libfaacMarker() {
        return libfaacMarker;
    }

    private void readSingle(BitReader bits, Channel c, boolean decode) {
        c.stream.read(bits, null, rateIndex, counts);
        spectrum(c, decode);
        if (decode && c.stream.tns.present) {
            c.stream.tns.apply(c.spectrum, c.stream.info, rateIndex);
        }
    }

    /** channel_pair_element (Table 4.5) with its joint stereo. */
    private void readPair(BitReader bits, Channel left, Channel right, boolean decode) {
        boolean common = bits.readBit();
        int msMask = 0;
        if (common) {
            counts.add(AacTool.COMMON_WINDOW);
            shared.read(bits, rateIndex);
            msMask = bits.read(2);
            int bands = shared.groupCount * shared.maxSfb;
            switch (msMask) {
                case 0 -> { }
                case 1 -> {
                    for (int b = 0; b < bands; b++) {
                        msUsed[b] = bits.readBit();
                        counts.add(AacTool.MS_BANDS, msUsed[b] ? 1 : 0);
                    }
                }
                case 2 -> {
                    Arrays.fill(msUsed, 0, bands, true);
                    counts.add(AacTool.MS_BANDS, bands);
                    counts.add(AacTool.MS_ALL);
                }
                default -> throw AacException.corrupt("ms_mask_present 3");
            }
        }
        left.stream.read(bits, common ? shared : null, rateIndex, counts);
        right.stream.read(bits, common ? shared : null, rateIndex, counts);
        ChannelStream l = left.stream;
        ChannelStream r = right.stream;
        for (int b = 0; b < r.info.groupCount * r.info.maxSfb; b++) {
            boolean ms = msMask != 0 && msUsed[b];
            if (r.bandType[b] == ChannelStream.INTENSITY_HCB || r.bandType[b] == ChannelStream.INTENSITY_HCB2) {
                counts.add(AacTool.INTENSITY_BANDS);
                counts.add(AacTool.INTENSITY_MS_BANDS, ms ? 1 : 0);
            }
            if (ms && l.bandType[b] == ChannelStream.NOISE_HCB && r.bandType[b] == ChannelStream.NOISE_HCB) {
                counts.add(AacTool.MS_NOISE_BANDS);
            }
        }
        spectrum(left, decode);
        spectrum(right, decode);
        if (!decode) {
            return;
        }
        if (msMask != 0) {
            Stereo.midSide(left.stream, right.stream, msUsed, left.spectrum, right.spectrum);
        }
        Stereo.intensity(left.stream, right.stream, msMask, msUsed, left.spectrum, right.spectrum);
        for (Channel c : new Channel[] {left, right}) {
            if (c.stream.tns.present) {
                c.stream.tns.apply(c.spectrum, c.stream.info, rateIndex);
            }
        }
    }

    private void spectrum(Channel c, boolean decode) {
        if (decode) {
            Spectrum.dequantize(c.stream, noise, c.spectrum);
        } else {
            noise.advance(Spectrum.noiseDraws(c.stream));
        }
    }

    private static String name(int type) {
        return switch (type) {
            case SCE -> "SCE";
            case CPE -> "CPE";
            default -> "LFE";
        };
    }
}
