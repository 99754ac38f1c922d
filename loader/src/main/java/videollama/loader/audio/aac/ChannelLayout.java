package videollama.loader.audio.aac;

import java.util.List;

/**
 * Which channel elements each frame carries and where their channels go in the output: in the order FFmpeg's
 * decoder outputs them (so what PyAV and torchaudio give as channel 0, 1, ...), which is FFmpeg's own channel order
 * (front left, front right, front centre, LFE, back left, back right, front left/right of centre, back centre),
 * e.g. L R C LFE Ls Rs for 5.1, whose frames code C, L/R, Ls/Rs, LFE in that order.
 *
 * <p>Elements take FFmpeg's positions the way FFmpeg assigns them for the first layer of speakers: among front
 * elements an odd one out is the centre and pairs are left/right (two pairs: the inner pair left/right of centre);
 * among back elements pairs are back left/right (two pairs: side left/right first) and an odd one out is the back
 * centre; LFE elements are LFE (and LFE 2). Where that fails (a front centre after a pair, a back centre before one,
 * side elements) FFmpeg gives up on positions and outputs the channels in the order the program config element
 * lists them, and so does this layout. Layouts FFmpeg orders in yet other ways (more than 5 channels in a position,
 * speakers of a second layer) are refused.
 *
 * @param elements       elements as frames carry them (channel configurations 1 to 6, ISO/IEC 14496-3 Table 1.19)
 *                       or as the program config lists them
 * @param byTag          match a frame's elements by instance tag (program config) or by order of their type
 *                       (channel configurations: FFmpeg too ignores the tags there)
 * @param outputChannels for each element its output channel (its two, for a CPE)
 * @param channels       output channels
 */
public record ChannelLayout(List<Element> elements, boolean byTag, int[][] outputChannels, int channels) {
    static final int FRONT = 1;
    static final int SIDE = 2;
    static final int BACK = 3;
    static final int LFE_POSITION = 4;

    /** A channel element: its syntax (SCE, CPE, LFE), instance tag and position class. */
    public record Element(int type, int tag, int position) {}

    // FFmpeg's channel bits (libavutil channel_layout.h): the output order sorts by them.
    private static final long FL = 1L;
    private static final long FR = 1L << 1;
    private static final long FC = 1L << 2;
    private static final long LF = 1L << 3;
    private static final long BL = 1L << 4;
    private static final long BR = 1L << 5;
    private static final long FLC = 1L << 6;
    private static final long FRC = 1L << 7;
    private static final long BC = 1L << 8;
    private static final long SL = 1L << 9;
    private static final long SR = 1L << 10;
    private static final long LF2 = 1L << 35;

    static ChannelLayout ofConfiguration(int configuration) {
        Element centre = new Element(AacDecoder.SCE, 0, FRONT);
        Element pair = new Element(AacDecoder.CPE, 0, FRONT);
        List<Element> elements = switch (configuration) {
            case 1 -> List.of(centre);
            case 2 -> List.of(pair);
            case 3 -> List.of(centre, pair);
            case 4 -> List.of(centre, pair, new Element(AacDecoder.SCE, 1, BACK));
            case 5 -> List.of(centre, pair, new Element(AacDecoder.CPE, 1, BACK));
            case 6 -> List.of(centre, pair, new Element(AacDecoder.CPE, 1, BACK),
                    new Element(AacDecoder.LFE, 0, LFE_POSITION));
            default -> throw AacException.unsupported("channel configuration " + configuration);
        };
        return of(elements, false);
    }

    static ChannelLayout ofProgram(ProgramConfig program) {
        if (program.coupling() > 0) {
            throw AacException.unsupported("coupling channel elements");
        }
        if (program.elements().isEmpty()) {
            throw AacException.unsupported("a program config element without channels");
        }
        return of(program.elements(), true);
    }

    private static ChannelLayout of(List<Element> elements, boolean byTag) {
        long[] masks = new long[elements.size()];
        int at = 0;
        try {
            for (int position : new int[] {FRONT, SIDE, BACK, LFE_POSITION}) {
                at = assign(elements, at, position, masks);
            }
            if (at != elements.size()) {
                throw AacException.unsupported("a program config element with more than one layer of speakers");
            }
        } catch (Unordered e) {
            java.util.Arrays.fill(masks, 0); // the listed order: a stable sort of equal keys keeps it
        }
        Integer[] order = new Integer[elements.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Long.compareUnsigned(masks[a], masks[b])); // stable, as FFmpeg's
        int[][] outputs = new int[elements.size()][];
        int channel = 0;
        for (int i : order) {
            outputs[i] = elements.get(i).type() == AacDecoder.CPE ? new int[] {channel++, channel++}
                    : new int[] {channel++};
        }
        return new ChannelLayout(List.copyOf(elements), byTag, outputs, channel);
    }

    /** Gives the run of elements of {@code position} starting at {@code at} their channel bits; returns the run's end. */
    private static int assign(List<Element> elements, int at, int position, long[] masks) {
        int end = at;
        int channels = 0;
        boolean oddSingle = false;
        boolean firstPair = false;
        for (; end < elements.size() && elements.get(end).position() == position; end++) {
            if (elements.get(end).type() == AacDecoder.CPE) {
                if (oddSingle && !(position == FRONT && !firstPair)) {
                    throw new Unordered();
                }
                oddSingle = false;
                firstPair = true;
                channels += 2;
            } else {
                channels++;
                oddSingle ^= position != LFE_POSITION;
            }
        }
        if (oddSingle && position == FRONT && firstPair) {
            throw new Unordered();
        }
        if (channels > 5) {
            throw AacException.unsupported("more than 5 channels in one position of a program config element");
        }
        int i = at;
        switch (position) {
            case FRONT -> {
                if (channels % 2 == 1) {
                    masks[i++] = FC;
                    channels--;
                }
                i = pairs(elements, i, channels, channels <= 2 ? new long[] {FL, FR} : new long[] {FLC, FRC, FL, FR},
                        masks);
            }
            case SIDE -> {
                if (channels > 0) {
                    throw new Unordered(); // FFmpeg has no first-layer side positions
                }
            }
            case BACK -> {
                int paired = channels - channels % 2;
                i = pairs(elements, i, paired, paired <= 2 ? new long[] {BL, BR} : new long[] {SL, SR, BL, BR}, masks);
                if (channels % 2 == 1) {
                    masks[i++] = BC;
                }
            }
            default -> {
                if (channels > 2) {
                    throw AacException.unsupported("more than two LFE elements");
                }
                for (int k = 0; i < end; k++) {
                    masks[i++] = k == 0 ? LF : LF2;
                }
            }
        }
        return i;
    }

    /** Assigns {@code channels} channels as left/right pairs: a CPE takes a pair, two SCEs take one each. */
    private static int pairs(List<Element> elements, int i, int channels, long[] bits, long[] masks) {
        for (int p = 0; p < channels / 2; p++) {
            if (elements.get(i).type() == AacDecoder.CPE) {
                masks[i++] = bits[2 * p] | bits[2 * p + 1];
            } else {
                masks[i++] = bits[2 * p];
                masks[i++] = bits[2 * p + 1];
            }
        }
        return i;
    }

    /** FFmpeg cannot give the elements positions: it keeps the program config element's order. */
    private static final class Unordered extends RuntimeException {
        Unordered() {
            super(null, null, false, false);
        }
    }

    /**
     * The index of the element a frame's {@code ordinal}-th element of {@code type} (instance tag {@code tag}) fills,
     * or -1 when the layout has no such element.
     */
    int find(int type, int tag, int ordinal) {
        int seen = 0;
        for (int i = 0; i < elements.size(); i++) {
            Element e = elements.get(i);
            if (e.type() == type && (byTag ? e.tag() == tag : seen++ == ordinal)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether two layouts decode alike (a repeated program config element). */
    boolean sameAs(ChannelLayout other) {
        return elements.equals(other.elements) && byTag == other.byTag;
    }
}
