package videollama.loader;

import java.util.Locale;
import videollama.loader.ffmpeg.Ffmpeg;

/**
 * Which decoders read video and sound files.
 *
 * <p>{@link #FFMPEG} is what the reference reads with (decord 0.6.0 and torchaudio decode through FFmpeg): any
 * container and codec FFmpeg reads, frames and samples equal to FFmpeg's. {@link #JAVA} needs no native code:
 * JCodec's H.264 in MP4/MOV or Matroska, WAV, and AAC-LC in MP4/MOV or ADTS (our own decoder); it refuses anything else with a line that
 * says {@code --decoder ffmpeg} reads it. The default ({@link #preferred()}) is FFmpeg wherever its natives load.
 * WAV files are read by the Java WAV reader on both paths: torchaudio reads WAV through sox, whose conversion that
 * reader reproduces.
 */
public enum MediaDecoder {
    FFMPEG,
    JAVA;

    /** FFmpeg where its natives load (loading them on the first call), else the Java decoders. */
    public static MediaDecoder preferred() {
        return Ffmpeg.status().available() ? FFMPEG : JAVA;
    }

    /** {@code ffmpeg} or {@code java}, as {@code --decoder} takes it. */
    public static MediaDecoder parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "ffmpeg" -> FFMPEG;
            case "java" -> JAVA;
            default -> throw new IllegalArgumentException("unknown decoder '" + name + "' (ffmpeg or java)");
        };
    }

    /** The name {@code --decoder} takes. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * One line for {@code devices} and the chat's stderr: {@code ffmpeg 8.0.1 (LGPL version 3 or later,
     * org.bytedeco:ffmpeg 8.0.1-1.5.13)}, {@code java (FFmpeg natives did not load: ...)}, or, for {@link #JAVA}
     * chosen while FFmpeg is there, {@code java (JCodec H.264; WAV, AAC-LC)}.
     */
    public String describe() {
        Ffmpeg.Status ffmpeg = Ffmpeg.status();
        if (this == FFMPEG) {
            return ffmpeg.available() ? ffmpeg.describe() : "ffmpeg (not available: " + ffmpeg.reason() + ")";
        }
        return "java (" + (ffmpeg.available() ? "JCodec H.264 in MP4/MOV and Matroska; WAV, AAC-LC" : ffmpeg.describe())
                + ")";
    }
}
