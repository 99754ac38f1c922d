package videollama.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import videollama.loader.audio.Waveform;

/** Setup (the 10-minute track) and one call of each benchmark method. */
class AacDecodeBenchmarkTest {
    @Test
    void tenMinutesDecodeWholeAndAsEightClips() throws Exception {
        AacDecodeBenchmark b = new AacDecodeBenchmark();
        Smoke.setUpOrSkipWithoutMedia(b::setup);
        try {
            Waveform w = b.decodeAll();
            assertEquals(AacDecodeBenchmark.TIMES * 265L * 1024, w.frames()); // friday.mp4: 265 packets, no edit list
            assertEquals(2, w.channelCount());
            assertEquals(8, b.clips().clips().size());
        } finally {
            b.tearDown();
        }
    }
}
