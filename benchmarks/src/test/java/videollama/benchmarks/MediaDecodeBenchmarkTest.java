package videollama.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Setup and one call of each benchmark method on a video with sound and a sound file. */
class MediaDecodeBenchmarkTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({"vp9-opus.webm, 60, 1.0", "tone-44k.mp3, 0, 1.0"})
    void oneCallEach(String media, int frames, double seconds) {
        Smoke.assumeDecoder("ffmpeg");
        MediaDecodeBenchmark b = new MediaDecodeBenchmark();
        b.media = media;
        Smoke.setUpOrSkipWithoutMedia(b::setup);
        FileDecodeBenchmark.Decoded decoded = new FileDecodeBenchmark.Decoded();
        if (frames > 0) {
            assertEquals(32, b.frames(decoded).count());
            assertTrue(decoded.framesDecoded >= frames / 2 && decoded.framesDecoded <= frames, "decoded " + decoded.framesDecoded);
        }
        MediaDecodeBenchmark.Sound sound = new MediaDecodeBenchmark.Sound();
        b.sound(sound);
        assertEquals(seconds, sound.soundSeconds, 1e-9);
    }
}
