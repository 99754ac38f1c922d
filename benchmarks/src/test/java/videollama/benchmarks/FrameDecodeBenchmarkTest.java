package videollama.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Setup and one load of the smallest bundled clip: 8 frames, decoded from its keyframes. */
class FrameDecodeBenchmarkTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ffmpeg", "java"})
    void oneLoadGivesEightFrames(String decoder) {
        FrameDecodeBenchmark b = new FrameDecodeBenchmark();
        b.video = "stream-of-water.mp4";
        b.decoder = decoder;
        Smoke.assumeDecoder(decoder);
        Smoke.setUpOrSkipWithoutMedia(b::setup);
        FrameDecodeBenchmark.Decoded decoded = new FrameDecodeBenchmark.Decoded();
        assertEquals(8, b.load(decoded).count());
        assertTrue(decoded.framesDecoded >= 8 && decoded.framesDecoded <= 90 + 16, "decoded " + decoded.framesDecoded);
    }
}
