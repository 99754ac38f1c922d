package videollama.loader.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.loader.FfmpegTests;
import videollama.loader.MediaDecoder;
import videollama.loader.SampledFrames;
import videollama.loader.TestMedia;

/**
 * The 10-minute video of {@link LongVideoTest} on the FFmpeg path: the index reads every packet once (as decord's
 * does), but only the runs from each target's keyframe are decoded. Packets sent to the decoder are asserted (the
 * run to each target, plus the decoder's look-ahead of a few frames); the time is printed.
 */
class FfmpegLongVideoTest {
    @Test
    void tenMinutesDecodesOnlyTheNeededGops(@TempDir Path dir) throws Exception {
        FfmpegTests.assumeAvailable();
        Path video = dir.resolve("ten-minutes.mp4");
        Mp4Boxes.repeatGop(TestMedia.video("gop.mp4"), 601, video);

        VideoLoader loader = new VideoLoader(MediaDecoder.FFMPEG);
        long start = System.nanoTime();
        SampledFrames frames = loader.loadFrames(video, 8);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("10-minute video on FFmpeg: 8 frames in %.2f s, %d packets decoded%n", seconds,
                loader.framesDecoded());

        assertArrayEquals(new int[] {0, 2253, 4507, 6761, 9015, 11268, 13522, 15776}, frames.indices());
        assertEquals("The video contains 8 frames sampled at 0.0, 75.1, 150.2, 225.4, 300.5, 375.6, 450.7, 525.9 seconds. ",
                frames.timestampSentence());
        int runs = 0;
        for (int index : frames.indices()) {
            runs += index % 30 + 1;
        }
        // Each run may send up to 16 packets more than it needs before its frame comes out (frame threads).
        assertTrue(loader.framesDecoded() >= runs && loader.framesDecoded() <= runs + 8 * 16,
                loader.framesDecoded() + " packets for runs of " + runs);

        int f = SampledFrames.SIZE * SampledFrames.SIZE * 3;
        SampledFrames gop = new VideoLoader(MediaDecoder.FFMPEG).loadFrames(TestMedia.video("gop.mp4"), 30);
        assertArrayEquals(Arrays.copyOfRange(gop.rgb(), 3 * f, 4 * f), Arrays.copyOfRange(frames.rgb(), f, 2 * f));
    }

    /**
     * MP4 with B-frames indexes its keyframes by decode time but seeks by presentation time: a seek must land on the
     * keyframe before the frame, not on an earlier one (measured before the fix: 216 packets for flower's 150).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"flower.mp4, 150", "friday.mp4, 185"})
    void seeksLandOnTheKeyframeBeforeTheFrame(String name, int frames) {
        FfmpegTests.assumeAvailable();
        VideoLoader loader = new VideoLoader(MediaDecoder.FFMPEG);
        loader.loadFrames(TestMedia.video(name), 8);
        System.out.printf("%s on FFmpeg: %d packets decoded for 8 frames%n", name, loader.framesDecoded());
        assertTrue(loader.framesDecoded() < frames, name + ": " + loader.framesDecoded() + " packets of " + frames);
    }
}
