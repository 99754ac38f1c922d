package videollama.loader;

import org.junit.jupiter.api.Assumptions;
import videollama.loader.ffmpeg.Ffmpeg;

/**
 * For tests of the FFmpeg path: skips them, saying why, where FFmpeg's natives do not load; CI sets
 * {@code VIDEOLLAMA_REQUIRE_FFMPEG=1}, so there they fail instead.
 */
public final class FfmpegTests {
    private FfmpegTests() {}

    public static void assumeAvailable() {
        Ffmpeg.Status status = Ffmpeg.status();
        if (status.available()) {
            return;
        }
        if ("1".equals(System.getenv("VIDEOLLAMA_REQUIRE_FFMPEG"))) {
            throw new AssertionError("VIDEOLLAMA_REQUIRE_FFMPEG=1, but " + status.describe());
        }
        Assumptions.abort(status.describe());
    }
}
