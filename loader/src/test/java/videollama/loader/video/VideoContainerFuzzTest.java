package videollama.loader.video;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Path;
import videollama.loader.FrameSampling;
import videollama.testing.FuzzFiles;
import videollama.loader.LoaderException;

/**
 * Jazzer fuzz test of the Java path's video container index: the MP4/MOV and Matroska boxes and sample tables that
 * {@link #openVideo} reads before any frame is decoded. Any bytes either open as a track whose frame table, frame
 * rate, rotation, codec private data and packets can all be read, or are refused with a one-line
 * {@link LoaderException} naming the file (an {@link IOException}, which {@link VideoLoader#loadFrames} turns into
 * one, counts as refused); never another exception, an out-of-memory error or a hang. Seeds: small H.264 files in
 * MP4 and Matroska, in {@code src/test/resources/videollama/loader/video/VideoContainerFuzzTestInputs/openVideo/}.
 */
class VideoContainerFuzzTest {
    /** Packets read per input at most: enough to reach past a damaged sample table, few enough to stay fast. */
    private static final int PACKETS = 64;

    @FuzzTest
    void openVideo(byte[] input) {
        Path file = FuzzFiles.write(".mp4", input);
        try {
            index(file);
        } catch (LoaderException e) {
            FuzzFiles.checkRefusal(e, file);
        } catch (IOException e) {
            // refused: loadFrames wraps it with the file's name
        }
    }

    /**
     * What is fuzzed: the entry point that opens a video on the Java path and indexes its frames. Point this at the
     * container walker that replaces it, and the seeds and findings stay.
     */
    private static void index(Path file) throws IOException {
        try (VideoTrack track = VideoLoader.open(file)) {
            FrameTable frames = track.frames();
            track.averageFps();
            track.rotation();
            track.codecPrivate();
            int count = frames.count();
            for (int presentation : FrameSampling.indices(count, 8)) {
                frames.decodeStart(frames.decodeIndex(presentation));
            }
            for (int i = 0; i < Math.min(count, PACKETS); i++) {
                track.frame(i);
            }
            if (count > PACKETS) {
                track.frame(count - 1);
            }
        }
    }
}
