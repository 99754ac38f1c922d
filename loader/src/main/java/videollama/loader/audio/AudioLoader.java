package videollama.loader.audio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import videollama.loader.LoaderException;

/**
 * Sound files in: WAV (through {@code javax.sound.sampled}), the AAC-LC sound track of MP4/MOV files (JCodec's
 * demuxer) and raw AAC-LC in ADTS framing, both through our own decoder ({@code aac}), told apart by their first
 * bytes (spec §5.3 step 1).
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
        try (AudioSource source = open(file)) {
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
        try {
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

    /** Opens a sound for reading; the caller closes it. */
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
