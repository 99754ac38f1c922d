package videollama.loader.audio.aac;

import java.util.ArrayList;
import java.util.List;

/**
 * program_config_element (ISO/IEC 14496-3 4.4.1.1 Table 4.2, semantics 4.5.1.2): the channel elements of a stream
 * whose channel configuration is 0, as front, side, back and LFE elements with their instance tags.
 *
 * @param elements   front, side, back and LFE elements in that order
 * @param coupling   number of coupling channel elements it announces
 */
record ProgramConfig(List<ChannelLayout.Element> elements, int coupling) {
    /** Reads a PCE whose element_instance_tag has been read; byte alignment counts from bit {@code alignReference}. */
    static ProgramConfig read(BitReader bits, long alignReference) {
        bits.skip(2 + 4); // object_type, sampling_frequency_index (FFmpeg, too, goes by the stream's)
        int front = bits.read(4);
        int side = bits.read(4);
        int back = bits.read(4);
        int lfe = bits.read(2);
        int associated = bits.read(3);
        int coupling = bits.read(4);
        if (bits.readBit()) {
            bits.skip(4); // mono_mixdown_element_number
        }
        if (bits.readBit()) {
            bits.skip(4); // stereo_mixdown_element_number
        }
        if (bits.readBit()) {
            bits.skip(3); // matrix_mixdown_idx, pseudo_surround_enable
        }
        List<ChannelLayout.Element> elements = new ArrayList<>();
        readElements(bits, front, ChannelLayout.FRONT, elements);
        readElements(bits, side, ChannelLayout.SIDE, elements);
        readElements(bits, back, ChannelLayout.BACK, elements);
        for (int i = 0; i < lfe; i++) {
            elements.add(new ChannelLayout.Element(AacDecoder.LFE, bits.read(4), ChannelLayout.LFE_POSITION));
        }
        bits.skip(4L * associated);
        bits.skip(5L * coupling); // cc_element_is_ind_sw, valid_cc_element_tag_select
        bits.byteAlign(alignReference);
        bits.skip(8L * bits.read(8)); // comment_field_data
        return new ProgramConfig(List.copyOf(elements), coupling);
    }

    private static void readElements(BitReader bits, int count, int position, List<ChannelLayout.Element> into) {
        for (int i = 0; i < count; i++) {
            int type = bits.readBit() ? AacDecoder.CPE : AacDecoder.SCE;
            into.add(new ChannelLayout.Element(type, bits.read(4), position));
        }
    }
}
