package videollama.loader.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.loader.MediaDecoder;
import videollama.loader.SampledFrames;
import videollama.loader.TestMedia;

/**
 * A 10-minute video (18,030 frames at 30 fps, keyframe every 30): sampling 8 frames decodes only the runs
 * from each target's keyframe, not the video. The decoded-frame count is asserted; the time is printed.
 */
class LongVideoTest {
    @Test
    void tenMinutesDecodesOnlyTheNeededGops(@TempDir Path dir) throws Exception {
        Path video = dir.resolve("ten-minutes.mp4");
        Mp4Boxes.repeatGop(TestMedia.video("gop.mp4"), 601, video);

        VideoLoader loader = new VideoLoader(MediaDecoder.JAVA);
        long start = System.nanoTime();
        SampledFrames frames = loader.loadFrames(video, 8);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("10-minute video: 8 frames in %.2f s, %d frames decoded%n", seconds, loader.framesDecoded());

        assertArrayEquals(new int[] {0, 2253, 4507, 6761, 9015, 11268, 13522, 15776}, frames.indices());
        assertEquals(30.0, frames.fps());
        assertEquals("The video contains 8 frames sampled at 0.0, 75.1, 150.2, 225.4, 300.5, 375.6, 450.7, 525.9 seconds. ",
                frames.timestampSentence());
        // Each target sits at offset (index mod 30) in its GOP: at most 30 frames decoded per target.
        int expected = 0;
        for (int index : frames.indices()) {
            expected += index % 30 + 1;
        }
        assertEquals(expected, loader.framesDecoded());
        assertTrue(loader.framesDecoded() <= 8 * 30);

        // The GOP repeats: frame 2253 is frame 3 of the GOP, decoded from the GOP's own IDR.
        int f = SampledFrames.SIZE * SampledFrames.SIZE * 3;
        SampledFrames gop = new VideoLoader(MediaDecoder.JAVA).loadFrames(TestMedia.video("gop.mp4"), 30);
        assertArrayEquals(java.util.Arrays.copyOfRange(gop.rgb(), 3 * f, 4 * f), java.util.Arrays.copyOfRange(frames.rgb(), f, 2 * f));
    }

    @Test
    void thirtyTwoFramesOfTenMinutes(@TempDir Path dir) throws Exception {
        Path video = dir.resolve("ten-minutes.mp4");
        Mp4Boxes.repeatGop(TestMedia.video("gop.mp4"), 600, video);
        VideoLoader loader = new VideoLoader(MediaDecoder.JAVA);
        SampledFrames frames = loader.loadFrames(video, 32);
        System.out.printf("10-minute video: 32 frames, %d frames decoded%n", loader.framesDecoded());
        assertEquals(32, frames.count());
        assertTrue(loader.framesDecoded() <= 32 * 30, "decoded " + loader.framesDecoded());
    }
}
