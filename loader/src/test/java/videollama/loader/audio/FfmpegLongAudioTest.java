package videollama.loader.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.loader.FfmpegTests;
import videollama.loader.TestMedia;
import videollama.loader.video.Mp4Boxes;

/**
 * Two hours of AAC ({@link LongAudioTest}'s file) on the FFmpeg path: AAC is never entered anywhere but at the
 * start (its noise substitution draws from one random state), so the track is decoded twice, once to count and
 * once up to the last clip, and only a clip's samples and one frame are held at a time. Asserted on the samples
 * held and the packets decoded; the time is printed.
 */
class FfmpegLongAudioTest {
    @Test
    void twoHourAacHoldsOnlyTheClips(@TempDir Path dir) throws Exception {
        FfmpegTests.assumeAvailable();
        Path mp4 = Mp4Boxes.repeatAudio(TestMedia.root().resolve("testdata/audio/aac-mono-44k.mp4"), 2750,
                dir.resolve("long.mp4"));
        long start = System.nanoTime();
        AudioInput input;
        try (FfmpegAudioSource source = FfmpegAudioSource.open(mp4)) {
            double counted = (System.nanoTime() - start) / 1e9;
            assertEquals(2750L * 113 * 1024, source.frames());
            input = AudioClips.prepare(mp4, source, ClipOptions.REFERENCE);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("2-hour AAC on FFmpeg: counted in %.2f s, 8 clips in %.2f s (%.0f s of sound a second),"
                    + " %d packets decoded by reads, at most %d samples held%n", counted, seconds,
                    2 * input.durationSeconds() / seconds, source.packetsDecoded(), source.maxHeld());
            // One decode up to the last clip: no more packets than the track has.
            assertTrue(source.packetsDecoded() <= 2750L * 113, source.packetsDecoded() + " packets");
            // A clip's run (2 s at 44.1 kHz and the resampler's reach) and the frame it ends in.
            assertTrue(source.maxHeld() <= 2 * 44100 + 2 * 1024 + 200, source.maxHeld() + " samples held");
        }
        assertEquals(115_449_615L, input.samples16k());
        for (int k = 0; k < 8; k++) {
            assertEquals(198, input.framesPerClip()[k]);
        }
        for (float v : input.fbank()) {
            assertTrue(Float.isFinite(v));
        }
    }
}
