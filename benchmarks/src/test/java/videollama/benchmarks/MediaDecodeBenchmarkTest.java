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
        MediaDecodeBenchmark.Work work = new MediaDecodeBenchmark.Work();
        if (frames > 0) {
            assertEquals(32, b.frames(work).count());
            assertTrue(work.framesDecoded >= frames / 2 && work.framesDecoded <= frames, "decoded " + work.framesDecoded);
        }
        b.sound(work);
        assertEquals(seconds, work.soundSeconds, 1e-9);
    }
}
