package videollama.loader.video;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
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
        VideoLoader loader = new VideoLoader(MediaDecoder.FFMPEG);
        SampledFrames frames = LongVideoTest.eightFramesOfTenMinutes(dir, loader, "10-minute video on FFmpeg", "packets");
        int runs = LongVideoTest.gopRuns(frames);
        // Each run may send up to 16 packets more than it needs before its frame comes out (frame threads).
        assertTrue(loader.framesDecoded() >= runs && loader.framesDecoded() <= runs + 8 * 16,
                loader.framesDecoded() + " packets for runs of " + runs);
        LongVideoTest.assertSecondFrameIsTheGopsFourth(MediaDecoder.FFMPEG, frames);
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
