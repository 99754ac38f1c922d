package videollama.loader.audio.aac;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Output channel order as FFmpeg gives it. The expected orders are PyAV's channel names for streams FFmpeg's encoder
 * wrote: 3.0 FL FR FC, 4.0 FL FR FC BC, 5.0 FL FR FC BL BR, 5.1 FL FR FC LFE BL BR (channel configurations 3 to 6,
 * whose frames code C, L/R, ...), quad FL FR BL BR and 2.1 FL FR LFE (program config elements), and 3.1, whose
 * program config element lists L/R before C: FFmpeg gives no positions (channel names NONE) and keeps that order.
 * The other program config elements here, which no encoder at hand writes, follow FFmpeg's position rules.
 */
class ChannelLayoutTest {
    static ChannelLayout.Element e(int type, int tag, int position) {
        return new ChannelLayout.Element(type, tag, position);
    }

    static int[][] outputs(ChannelLayout layout) {
        return layout.outputChannels();
    }

    @Test
    void channelConfigurations() {
        assertArrayEquals(new int[][] {{0}}, outputs(ChannelLayout.ofConfiguration(1)));
        assertArrayEquals(new int[][] {{0, 1}}, outputs(ChannelLayout.ofConfiguration(2)));
        assertArrayEquals(new int[][] {{2}, {0, 1}}, outputs(ChannelLayout.ofConfiguration(3)));
        assertArrayEquals(new int[][] {{2}, {0, 1}, {3}}, outputs(ChannelLayout.ofConfiguration(4)));
        assertArrayEquals(new int[][] {{2}, {0, 1}, {3, 4}}, outputs(ChannelLayout.ofConfiguration(5)));
        assertArrayEquals(new int[][] {{2}, {0, 1}, {4, 5}, {3}}, outputs(ChannelLayout.ofConfiguration(6)));
        assertEquals(6, ChannelLayout.ofConfiguration(6).channels());
    }

    @Test
    void programConfigElements() {
        int front = ChannelLayout.FRONT;
        int back = ChannelLayout.BACK;
        int lfe = ChannelLayout.LFE_POSITION;
        ChannelLayout quad = ChannelLayout.ofProgram(new ProgramConfig(
                List.of(e(AacDecoder.CPE, 0, front), e(AacDecoder.CPE, 1, back)), 0));
        assertArrayEquals(new int[][] {{0, 1}, {2, 3}}, outputs(quad));
        ChannelLayout twoOne = ChannelLayout.ofProgram(new ProgramConfig(
                List.of(e(AacDecoder.CPE, 0, front), e(AacDecoder.LFE, 0, lfe)), 0));
        assertArrayEquals(new int[][] {{0, 1}, {2}}, outputs(twoOne));
        ChannelLayout threeOne = ChannelLayout.ofProgram(new ProgramConfig(
                List.of(e(AacDecoder.CPE, 0, front), e(AacDecoder.SCE, 0, front), e(AacDecoder.LFE, 0, lfe)), 0));
        assertArrayEquals(new int[][] {{0, 1}, {2}, {3}}, outputs(threeOne));
        // Centre first, the pair after it: positions FC, FL/FR, sorted L R C.
        ChannelLayout three = ChannelLayout.ofProgram(new ProgramConfig(
                List.of(e(AacDecoder.SCE, 3, front), e(AacDecoder.CPE, 5, front)), 0));
        assertArrayEquals(new int[][] {{2}, {0, 1}}, outputs(three));
        assertEquals(1, three.find(AacDecoder.CPE, 5, 0));
        assertEquals(-1, three.find(AacDecoder.CPE, 0, 0), "a program config element matches by instance tag");
        // Two SCEs make a front pair, two back pairs are side and back, a lone back SCE is the back centre.
        ChannelLayout wide = ChannelLayout.ofProgram(new ProgramConfig(List.of(e(AacDecoder.SCE, 0, front),
                e(AacDecoder.SCE, 1, front), e(AacDecoder.CPE, 0, back), e(AacDecoder.CPE, 1, back),
                e(AacDecoder.SCE, 2, back)), 0));
        // FL, FR, SL|SR (bits 9, 10), BL|BR (4, 5), BC (8): sorted FL FR BL BR BC SL SR
        assertArrayEquals(new int[][] {{0}, {1}, {5, 6}, {2, 3}, {4}}, outputs(wide));
        assertEquals("coupling channel elements", assertThrows(AacException.class, () -> ChannelLayout.ofProgram(
                new ProgramConfig(List.of(e(AacDecoder.CPE, 0, front)), 1))).getMessage());
        List<ChannelLayout.Element> sixFront = List.of(e(AacDecoder.CPE, 0, front), e(AacDecoder.CPE, 1, front),
                e(AacDecoder.CPE, 2, front));
        assertEquals(AacException.Kind.UNSUPPORTED, assertThrows(AacException.class,
                () -> ChannelLayout.ofProgram(new ProgramConfig(sixFront, 0))).kind());
    }
}
