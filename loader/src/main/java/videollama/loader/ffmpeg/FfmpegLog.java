package videollama.loader.ffmpeg;

import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;

/**
 * FFmpeg's log, caught: nothing is printed (FFmpeg's own callback writes to stderr, and a library must not
 * scatter lines there either); the last error it reports is kept, so that a failure's one-line message can say
 * what FFmpeg said about the file ("moov atom not found", "Invalid NAL unit size", ...).
 *
 * <p>Only errors are asked for ({@code av_log_set_level(AV_LOG_ERROR)}): warnings about concealed damage are
 * FFmpeg's business, as they are when the reference decodes. The last error is global, not per file: a message
 * may come from any decoding thread, and the loaders read one file at a time.
 */
public final class FfmpegLog {
    private static volatile String lastError;

    private FfmpegLog() {}

    static LogCallback install() {
        LogCallback callback = new LogCallback() {
            @Override
            public void call(int level, BytePointer message) {
                if (level <= avutil.AV_LOG_ERROR && message != null) {
                    // "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x7f...] moov atom not found": the context's address says nothing
                    String text = message.getString().replaceFirst("^\\[([^\\]@]*?) @ 0x[0-9a-f]+\\] ", "$1: ").strip();
                    if (!text.isEmpty()) {
                        lastError = text;
                    }
                }
            }
        };
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        avutil.setLogCallback(callback);
        return callback;
    }

    /** Forgets the last error (call before an operation whose errors should be reported). */
    public static void clear() {
        lastError = null;
    }

    /** {@code " (FFmpeg: <last error>)"}, or empty when FFmpeg reported none since {@link #clear()}. */
    public static String said() {
        String text = lastError;
        return text == null ? "" : " (FFmpeg: " + text.lines().findFirst().orElse("") + ")";
    }
}
