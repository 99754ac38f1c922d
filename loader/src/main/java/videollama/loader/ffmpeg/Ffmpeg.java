package videollama.loader.ffmpeg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;
import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avfilter;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.javacpp.Loader;
import videollama.loader.LoaderException;

/**
 * FFmpeg's libraries (libavformat, libavcodec, libavfilter, libswscale, libavutil) as the JavaCPP presets
 * {@code org.bytedeco:ffmpeg} ship them: loaded once, on first use, from the jar's {@code linux-x86_64} natives
 * (JavaCPP unpacks them into {@code ~/.javacpp/cache}).
 *
 * <p>The build is the presets' LGPL one: configured with {@code --enable-version3} and without
 * {@code --enable-gpl}, so {@code avcodec_license()} says "LGPL version 3 or later" (checked when loading and
 * shown by {@link Status#describe()}). The jar's own META-INF names no licence; the presets' GPL build is the
 * other classifier, {@code linux-x86_64-gpl}, which the project does not take.
 *
 * <p>FFmpeg never writes to stdout here: its log goes through {@link FfmpegLog}, which keeps the last error
 * for the one-line messages and prints nothing.
 */
public final class Ffmpeg {
    /**
     * Whether FFmpeg can be used, and what it is.
     *
     * @param available whether the natives loaded
     * @param version   FFmpeg's version ({@code av_version_info()}), e.g. "8.0.1"
     * @param licence   {@code avcodec_license()}, e.g. "LGPL version 3 or later"
     * @param artifact  the presets' Maven coordinates, e.g. "org.bytedeco:ffmpeg 8.0.1-1.5.13"
     * @param reason    why not, when unavailable (one line)
     */
    public record Status(boolean available, String version, String licence, String artifact, String reason) {
        /** One line: {@code ffmpeg 8.0.1 (LGPL version 3 or later, org.bytedeco:ffmpeg 8.0.1-1.5.13)}, or why not. */
        public String describe() {
            return available ? "ffmpeg " + version + " (" + licence + ", " + artifact + ")"
                    : "FFmpeg natives did not load: " + reason;
        }
    }

    private static volatile Status status;
    /** Held for the life of the JVM: FFmpeg calls it from any thread. */
    @SuppressWarnings("unused")
    private static LogCallback logCallback;

    private Ffmpeg() {}

    /** Loads the natives on the first call (a few hundred ms); later calls return the same answer at once. */
    public static Status status() {
        Status s = status;
        if (s == null) {
            synchronized (Ffmpeg.class) {
                s = status;
                if (s == null) {
                    s = load();
                    status = s;
                }
            }
        }
        return s;
    }

    /**
     * Throws unless FFmpeg is available.
     *
     * @throws LoaderException naming the file and why FFmpeg is not there
     */
    public static void require(Path file) {
        Status s = status();
        if (!s.available()) {
            throw new LoaderException(file + ": --decoder ffmpeg is not available here (" + s.reason() + ")");
        }
    }

    private static Status load() {
        try {
            Loader.load(avutil.class);
            Loader.load(avcodec.class);
            Loader.load(avformat.class);
            Loader.load(swscale.class);
            Loader.load(avfilter.class);
            logCallback = FfmpegLog.install();
            return new Status(true, avutil.av_version_info().getString(), avcodec.avcodec_license().getString(),
                    artifact(), null);
        } catch (LinkageError | RuntimeException e) {
            String message = e.getMessage();
            return new Status(false, null, null, null, e.getClass().getSimpleName()
                    + (message == null || message.isBlank() ? "" : ": " + message.lines().findFirst().orElse("")));
        }
    }

    /** The presets' coordinates from the pom.properties their jars carry (kept in the shaded jar too). */
    private static String artifact() {
        Properties pom = new Properties();
        try (InputStream in = Ffmpeg.class.getResourceAsStream("/META-INF/maven/org.bytedeco/ffmpeg/pom.properties")) {
            if (in != null) {
                pom.load(in);
            }
        } catch (IOException e) {
            // the coordinates are only shown; FFmpeg works without them
        }
        return "org.bytedeco:ffmpeg " + pom.getProperty("version", "(version unknown)");
    }

    /** {@code av_strerror}: FFmpeg's words for an error code. */
    public static String error(int code) {
        byte[] text = new byte[256];
        avutil.av_strerror(code, text, text.length);
        int end = 0;
        while (end < text.length && text[end] != 0) {
            end++;
        }
        return new String(text, 0, end, StandardCharsets.UTF_8);
    }
}
