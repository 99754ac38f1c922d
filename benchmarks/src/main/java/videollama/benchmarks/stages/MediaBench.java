package videollama.benchmarks.stages;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Stream;
import videollama.loader.LoaderException;
import videollama.loader.MediaDecoder;
import videollama.loader.MediaKind;
import videollama.loader.audio.AudioClips;
import videollama.loader.audio.AudioLoader;
import videollama.loader.audio.ClipOptions;
import videollama.loader.audio.NoAudioTrackException;
import videollama.loader.audio.Waveform;
import videollama.loader.video.VideoLoader;

/**
 * {@code videollama bench --stage media}: how fast each decoder path reads media, file by file, as chat reads it.
 * Pictures: a load of {@code frames} sampled frames (demux, decode from the keyframe before each, resize to 224×224,
 * normalise): ms a load and the decoder's frames a second (every picture it decoded, keyframe runs included). Sound:
 * the whole track decoded ({@code AudioLoader.load}, what {@code torchaudio.load} returns): seconds of sound a second;
 * and the 8 fbank clips chat makes of it ({@code AudioClips.prepare}, which decodes only under the clips where the
 * codec allows it). Medians of {@code runs} timed runs after {@code warmup} untimed ones, both decoders in turn on each
 * file, so that their ratio compares like with like. A decoder that cannot read a file says so in its row.
 *
 * @param files    the media to time; by default the repository's bundled videos and codec fixtures ({@link #bundled})
 * @param decoders the paths to time, in this order
 */
public record MediaBench(List<Path> files, List<MediaDecoder> decoders, int frames, int warmup, int runs) {

    /**
     * The bundled MDN videos and the container/codec fixtures of {@code testdata/media}, sorted by name.
     *
     * @param testdata the repository's {@code testdata} folder
     * @throws UncheckedIOException if {@code testdata/media} cannot be listed
     */
    public static List<Path> bundled(Path testdata) {
        List<Path> files = new ArrayList<>();
        for (String video : List.of("flower.mp4", "friday.mp4", "stream-of-water.mp4")) {
            files.add(testdata.resolve("video").resolve(video));
        }
        try (Stream<Path> media = Files.list(testdata.resolve("media"))) {
            media.filter(Files::isRegularFile).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** One decoder's figures for one file; a null field was not measured (no such track, or the decoder refused). */
    private record Row(Double framesMs, Integer decoded, Double trackMs, Double soundSeconds, Double clipsMs, String note) {}

    public void run(PrintWriter out, PrintWriter err) {
        out.println(String.format(Locale.ROOT, "media stage: %d frames a load, %d timed runs after %d warm-up, medians; decoders: %s",
                frames, runs, warmup, String.join(", ", decoders.stream().map(MediaDecoder::describe).toList())));
        out.println(String.format(Locale.ROOT, "%-26s %-36s %-7s %9s %8s %9s %9s %9s %9s", "file", "kind", "decoder", "load ms",
                "decoded", "frames/s", "track ms", "sound x", "clips ms"));
        for (Path file : files) {
            MediaKind kind = kind(file);
            for (MediaDecoder decoder : decoders) {
                err.println("timing " + file.getFileName() + " on " + decoder.id() + " ...");
                Row row = measure(file, kind, decoder);
                out.println(String.format(Locale.ROOT, "%-26s %-36s %-7s %9s %8s %9s %9s %9s %9s%s", file.getFileName(), name(kind),
                        decoder.id(), number(row.framesMs(), "%.1f"), row.decoded() == null ? "-" : row.decoded().toString(),
                        row.framesMs() == null ? "-" : String.format(Locale.ROOT, "%.0f", row.decoded() / (row.framesMs() / 1e3)),
                        number(row.trackMs(), "%.1f"),
                        row.trackMs() == null ? "-" : String.format(Locale.ROOT, "%.0f", row.soundSeconds() / (row.trackMs() / 1e3)),
                        number(row.clipsMs(), "%.1f"), row.note().isEmpty() ? "" : "  " + row.note()));
                out.flush();
            }
        }
        out.println("decoded: pictures the decoder made for one load; frames/s: decoded / load time; sound x: seconds of sound"
                + " decoded a second of wall time (whole track); clips ms: the 8 fbank clips of chat --audio.");
    }

    private Row measure(Path file, MediaKind kind, MediaDecoder decoder) {
        List<String> notes = new ArrayList<>();
        Double framesMs = null;
        Integer decoded = null;
        boolean soundOnly = kind.recognised() && kind.video() == null && kind.sound() != null;
        try {
            if (!soundOnly) {
                VideoLoader loader = new VideoLoader(decoder);
                framesMs = medianMs(() -> loader.loadFrames(file, frames));
                decoded = loader.framesDecoded();
            }
        } catch (LoaderException e) {
            notes.add("pictures: " + shortReason(file, e));
        }
        Double trackMs = null;
        Double seconds = null;
        Double clipsMs = null;
        try {
            Waveform[] last = new Waveform[1];
            trackMs = medianMs(() -> last[0] = AudioLoader.load(file, decoder));
            seconds = last[0].seconds();
            clipsMs = medianMs(() -> AudioClips.prepare(file, ClipOptions.REFERENCE, decoder));
        } catch (NoAudioTrackException e) {
            // a silent video: nothing to time, nothing to say
        } catch (LoaderException e) {
            notes.add("sound: " + shortReason(file, e));
        }
        return new Row(framesMs, decoded, trackMs, seconds, clipsMs, String.join("; ", notes));
    }

    /** The median wall time of {@code runs} calls after {@code warmup} untimed ones, in ms. */
    private double medianMs(Supplier<?> call) {
        for (int i = 0; i < warmup; i++) {
            call.get();
        }
        long[] nanos = new long[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            call.get();
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        return nanos[runs / 2] / 1e6;
    }

    /** What the file's first bytes say it holds ({@link MediaKind}). */
    private static MediaKind kind(Path file) {
        try {
            return MediaKind.of(file);
        } catch (IOException e) {
            throw new LoaderException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** "MP4/MOV H.264 + AAC". */
    private static String name(MediaKind k) {
        String name = k.container() == null ? "?" : k.container();
        String codecs = Stream.of(k.video(), k.sound()).filter(c -> c != null && !c.equals(k.container()))
                .reduce((a, b) -> a + " + " + b).orElse("");
        return codecs.isEmpty() ? name : name + " " + codecs;
    }

    /** The loader's one-line message without the file name it starts with. */
    private static String shortReason(Path file, LoaderException e) {
        String message = e.getMessage();
        String prefix = file + ": ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    private static String number(Double value, String format) {
        return value == null ? "-" : String.format(Locale.ROOT, format, value);
    }
}
