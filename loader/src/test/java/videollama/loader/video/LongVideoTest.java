package videollama.loader.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
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
        VideoLoader loader = new VideoLoader(MediaDecoder.JAVA);
        SampledFrames frames = eightFramesOfTenMinutes(dir, loader, "10-minute video", "frames");
        assertEquals(30.0, frames.fps());
        // Each target sits at offset (index mod 30) in its GOP: at most 30 frames decoded per target.
        assertEquals(gopRuns(frames), loader.framesDecoded());
        assertTrue(loader.framesDecoded() <= 8 * 30);
        assertSecondFrameIsTheGopsFourth(MediaDecoder.JAVA, frames);
    }

    /**
     * The ten-minute video (gop.mp4 repeated 601 times) written into {@code dir}, 8 frames of it sampled by {@code loader}
     * (timed and printed as {@code label}, with its count of decoded {@code units}): the reference's indices and sentence.
     */
    static SampledFrames eightFramesOfTenMinutes(Path dir, VideoLoader loader, String label, String units) throws Exception {
        Path video = dir.resolve("ten-minutes.mp4");
        Mp4Boxes.repeatGop(TestMedia.video("gop.mp4"), 601, video);
        long start = System.nanoTime();
        SampledFrames frames = loader.loadFrames(video, 8);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s: 8 frames in %.2f s, %d %s decoded%n", label, seconds, loader.framesDecoded(), units);
        assertArrayEquals(new int[] {0, 2253, 4507, 6761, 9015, 11268, 13522, 15776}, frames.indices());
        assertEquals("The video contains 8 frames sampled at 0.0, 75.1, 150.2, 225.4, 300.5, 375.6, 450.7, 525.9 seconds. ",
                frames.timestampSentence());
        return frames;
    }

    /** The frames decoded from each sampled frame's keyframe up to it: (index mod 30) + 1 each, the GOP being 30 frames. */
    static int gopRuns(SampledFrames frames) {
        int runs = 0;
        for (int index : frames.indices()) {
            runs += index % 30 + 1;
        }
        return runs;
    }

    /** The GOP repeats: frame 2253 is frame 3 of the GOP, decoded from the GOP's own IDR. */
    static void assertSecondFrameIsTheGopsFourth(MediaDecoder decoder, SampledFrames frames) {
        int f = SampledFrames.SIZE * SampledFrames.SIZE * 3;
        SampledFrames gop = new VideoLoader(decoder).loadFrames(TestMedia.video("gop.mp4"), 30);
        assertArrayEquals(Arrays.copyOfRange(gop.rgb(), 3 * f, 4 * f), Arrays.copyOfRange(frames.rgb(), f, 2 * f));
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
