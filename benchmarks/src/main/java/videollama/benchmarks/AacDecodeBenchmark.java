package videollama.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import videollama.loader.MediaDecoder;
import videollama.loader.audio.AudioClips;
import videollama.loader.audio.ClipOptions;
import videollama.loader.audio.AudioInput;
import videollama.loader.audio.AudioLoader;
import videollama.loader.audio.Waveform;

/**
 * The AAC decoder on a 10-minute track made in setup: friday.mp4's AAC track (44.1 kHz stereo, 6.15 s) played 100
 * times (615 s; {@code -Dvideollama.root=DIR} names the repository). {@code decodeAll}: every packet decoded
 * ({@link AudioLoader#load}). {@code clips}: the model's input ({@link AudioClips#prepare}): the 8 clips' packets
 * decoded, the others between them parsed only (for the noise generator), plus resampling and fbank of the 16 s.
 * Seconds per call; sound-seconds per second is 615 divided by it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class AacDecodeBenchmark {
    static final int TIMES = 100;

    Path dir;
    Path file;

    @Setup(Level.Trial)
    public void setup() {
        try {
            dir = Files.createTempDirectory("aac-bench");
            file = AudioFbankBenchmark.repeatedFridayTrack(dir.resolve("friday-x100.mp4"), TIMES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        AudioFbankBenchmark.deleteTree(dir);
    }

    @Benchmark
    public Waveform decodeAll() {
        return AudioLoader.load(file, MediaDecoder.JAVA);
    }

    @Benchmark
    public AudioInput clips() {
        return AudioClips.prepare(file, ClipOptions.REFERENCE, MediaDecoder.JAVA);
    }
}
