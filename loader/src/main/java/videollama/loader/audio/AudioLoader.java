package videollama.loader.audio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import videollama.loader.LoaderException;
import videollama.loader.MediaDecoder;
import videollama.loader.MediaKind;

/**
 * Sound files in: WAV (through {@code javax.sound.sampled}); on the {@link MediaDecoder#FFMPEG} path the sound track
 * of anything else FFmpeg reads ({@link FfmpegAudioSource}); on the {@link MediaDecoder#JAVA} path the AAC-LC sound
 * track of MP4/MOV files (JCodec's demuxer) and raw AAC-LC in ADTS framing, both through our own decoder
 * ({@code aac}); told apart by their first bytes (docs/model.md section 5.3 step 1). The methods without a decoder use
 * {@link MediaDecoder#preferred()}.
 *
 * <p>{@link #load} decodes a whole file, as {@code torchaudio.load} does: {@code channels × samples} floats in
 * memory. The model's input does not need it: {@link AudioClips#prepare} reads only the parts of the file its
 * clips cover.
 */
public final class AudioLoader {
    private AudioLoader() {}

    /**
     * The whole decoded file.
     *
     * @throws NoAudioTrackException for an MP4 without a sound track
     * @throws LoaderException       naming the file: missing, unsupported format or codec, corrupt, no samples
     */
    public static Waveform load(Path file) {
        return load(file, MediaDecoder.preferred());
    }

    /** {@link #load(Path)} with the given decoders. */
    public static Waveform load(Path file, MediaDecoder decoder) {
        try (AudioSource source = open(file, decoder)) {
            long frames = source.frames();
            if (frames == 0) {
                throw new LoaderException(file + ": no audio samples");
            }
            if (frames > Integer.MAX_VALUE - 8) {
                throw new LoaderException(file + ": " + frames + " samples a channel are too many to hold at once");
            }
            return new Waveform(source.read(0, (int) frames), source.sampleRate());
        } catch (IOException e) {
            throw new LoaderException(file + ": cannot be read (" + describe(e) + ")", e);
        }
    }

    /**
     * Whether the file has sound to load: true for a WAV file, whether a sound track exists for MP4/MOV.
     *
     * @throws LoaderException naming the file when it is missing or neither WAV nor a readable MP4
     */
    public static boolean hasAudio(Path file) {
        return hasAudio(file, MediaDecoder.preferred());
    }

    /** {@link #hasAudio(Path)} with the given decoders. */
    public static boolean hasAudio(Path file, MediaDecoder decoder) {
        try {
            if (readByFfmpeg(file, decoder)) {
                return FfmpegAudioSource.hasAudio(file);
            }
            refuseWhatJavaCannotRead(file);
            return switch (Container.sniff(file)) {
                case WAV -> true;
                case MP4 -> Mp4AacSource.hasAudio(file);
                case ADTS -> true;
                case MATROSKA, UNKNOWN -> throw unsupported(file);
            };
        } catch (IOException e) {
            throw new LoaderException(file + ": cannot be read (" + describe(e) + ")", e);
        }
    }

    /** Opens a sound for reading with the given decoders; the caller closes it. */
    static AudioSource open(Path file, MediaDecoder decoder) throws IOException {
        if (readByFfmpeg(file, decoder)) {
            return FfmpegAudioSource.open(file);
        }
        refuseWhatJavaCannotRead(file);
        return open(file);
    }

    /** FFmpeg reads everything but WAV files (and missing ones, which the Java path names). */
    private static boolean readByFfmpeg(Path file, MediaDecoder decoder) throws IOException {
        return decoder == MediaDecoder.FFMPEG && Files.isRegularFile(file) && !"WAV".equals(MediaKind.of(file).container());
    }

    /** Opens a sound for reading with the Java decoders; the caller closes it. */
    static AudioSource open(Path file) throws IOException {
        return switch (Container.sniff(file)) {
            case WAV -> WavSource.open(file);
            case MP4 -> Mp4AacSource.open(file);
            case ADTS -> AdtsAacSource.open(file);
            case MATROSKA, UNKNOWN -> throw unsupported(file);
        };
    }

    private static LoaderException unsupported(Path file) {
        return new LoaderException(file + ": unsupported sound format (only WAV, AAC-LC in MP4/MOV and ADTS AAC are supported)");
    }

    /**
     * Containers FFmpeg reads that hold no sound the Java decoders read, and codecs other than AAC in MP4/MOV, named
     * with the decoder that reads them; unrecognised files are left to the container check.
     */
    private static void refuseWhatJavaCannotRead(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return;
        }
        MediaKind kind = MediaKind.of(file);
        String reads = " (the Java decoders read WAV and AAC-LC in MP4/MOV or ADTS; --decoder ffmpeg reads it)";
        switch (kind.container() == null ? "" : kind.container()) {
            case "", "WAV", "AAC (ADTS)" -> { }
            case "MP4/MOV" -> {
                if (kind.sound() != null && !kind.sound().equals("AAC")) {
                    throw new LoaderException(file + ": unsupported audio codec " + kind.sound() + " in MP4/MOV" + reads);
                }
            }
            default -> throw new LoaderException(file + ": unsupported sound format " + kind.describe(false, true) + reads);
        }
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName()
                : message.lines().findFirst().orElse("");
    }

    /** Containers told apart by their first bytes. */
    enum Container {
        WAV, MP4, ADTS, MATROSKA, UNKNOWN;

        static Container sniff(Path file) throws IOException {
            if (!Files.isRegularFile(file)) {
                throw new LoaderException(file + (Files.exists(file) ? ": not a regular file" : ": no such file"));
            }
            byte[] head = new byte[12];
            int n;
            try (InputStream in = Files.newInputStream(file)) {
                n = in.readNBytes(head, 0, head.length);
            }
            if (n == 0) {
                throw new LoaderException(file + ": empty file");
            }
            String first = new String(head, 0, Math.min(n, 4), StandardCharsets.ISO_8859_1);
            if (n >= 12 && first.equals("RIFF") && new String(head, 8, 4, StandardCharsets.ISO_8859_1).equals("WAVE")) {
                return WAV;
            }
            if (first.equals("RIFF") || first.equals("RIFX")) {
                throw new LoaderException(file + ": corrupt WAV header (no 'WAVE' after 'RIFF')");
            }
            if (n >= 4 && (head[0] & 0xff) == 0x1a && (head[1] & 0xff) == 0x45 && (head[2] & 0xff) == 0xdf
                    && (head[3] & 0xff) == 0xa3) {
                return MATROSKA;
            }
            if (AdtsAacSource.sniff(file, head, n)) {
                return ADTS;
            }
            if (n >= 8) {
                String box = new String(head, 4, 4, StandardCharsets.ISO_8859_1);
                if (switch (box) {
                    case "ftyp", "moov", "mdat", "free", "skip", "wide", "pnot" -> true;
                    default -> false;
                }) {
                    return MP4;
                }
            }
            return UNKNOWN;
        }
    }
}
