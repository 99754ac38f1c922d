package videollama.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Setup and one load of the smallest bundled clip: 8 frames, decoded from its keyframes. */
class FrameDecodeBenchmarkTest {
    @Test
    void oneLoadGivesEightFrames() {
        FrameDecodeBenchmark b = new FrameDecodeBenchmark();
        b.video = "stream-of-water.mp4";
        Smoke.setUpOrSkipWithoutMedia(b::setup);
        FrameDecodeBenchmark.Decoded decoded = new FrameDecodeBenchmark.Decoded();
        assertEquals(8, b.load(decoded).count());
        assertTrue(decoded.framesDecoded >= 8 && decoded.framesDecoded <= 90, "decoded " + decoded.framesDecoded);
    }
}
