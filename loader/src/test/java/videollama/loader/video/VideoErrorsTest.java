package videollama.loader.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.loader.LoaderException;
import videollama.loader.MediaDecoder;
import videollama.loader.SampledFrames;
import videollama.loader.TestMedia;

/** Bad input gives one clear message naming the file; short videos give what they have. */
class VideoErrorsTest {
    private static LoaderException fails(Path file, String expected) {
        LoaderException e = assertThrows(LoaderException.class, () -> VideoLoader.load(file, 8, MediaDecoder.JAVA));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e;
    }

    @Test
    void missingFile(@TempDir Path dir) {
        fails(dir.resolve("none.mp4"), "no such file");
    }

    @Test
    void audioOnlyMp4HasNoVideoTrack() {
        fails(TestMedia.video("audio-only.mp4"), "no video track");
    }

    @Test
    void mpeg4Part2IsAnUnsupportedCodec() {
        fails(TestMedia.video("mpeg4.mp4"), "unsupported video codec MPEG-4 Part 2 in MP4/MOV");
    }

    @Test
    void textFileIsAnUnsupportedContainer(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("clip.mp4");
        Files.writeString(file, "not a video at all, just some text that is long enough\n");
        fails(file, "unsupported container");
    }

    @Test
    void truncatedMp4IsCorrupt(@TempDir Path dir) throws Exception {
        // The test files keep 'moov' after 'mdat': cutting the file loses the sample tables.
        byte[] mp4 = Files.readAllBytes(TestMedia.video("bframes.mp4"));
        Path file = dir.resolve("cut.mp4");
        Files.write(file, Arrays.copyOf(mp4, mp4.length * 2 / 3));
        fails(file, "corrupt");
    }

    @Test
    void garbageFrameDataIsCorruptOrStillGivesFrames(@TempDir Path dir) throws Exception {
        // Overwriting frame data keeps the container valid; the decoder either reports the frame or conceals
        // the damage, but never crashes the JVM or returns the wrong number of frames.
        byte[] mp4 = Files.readAllBytes(TestMedia.video("bframes.mp4"));
        for (int i = 2000; i < 9000; i++) {
            mp4[i] = (byte) (i * 31);
        }
        Path file = dir.resolve("garbage.mp4");
        Files.write(file, mp4);
        try {
            SampledFrames frames = VideoLoader.load(file, 8, MediaDecoder.JAVA);
            assertEquals(8, frames.count());
        } catch (LoaderException e) {
            assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("corrupt"), e.getMessage());
        }
    }

    @Test
    void zeroFrameMp4(@TempDir Path dir) throws Exception {
        // A video track whose sample tables list no samples: patch the one sample of one-frame.mp4 away.
        byte[] mp4 = Files.readAllBytes(TestMedia.video("one-frame.mp4"));
        Path file = dir.resolve("empty.mp4");
        Files.write(file, Mp4Boxes.withoutSamples(mp4));
        fails(file, "no frames");
    }

    @Test
    void tooManyFramesRequested() {
        LoaderException e = assertThrows(LoaderException.class,
                () -> VideoLoader.load(TestMedia.video("bframes.mp4"), 33, MediaDecoder.JAVA));
        assertTrue(e.getMessage().contains("--frames 33"), e.getMessage());
    }

    @Test
    void oneFrameVideoGivesOneFrame() {
        SampledFrames frames = VideoLoader.load(TestMedia.video("one-frame.mp4"), 8, MediaDecoder.JAVA);
        assertEquals(1, frames.count());
        assertArrayEquals(new int[] {0}, frames.indices());
        assertEquals("The video contains 1 frames sampled at 0.0 seconds. ", frames.timestampSentence());
    }
}
