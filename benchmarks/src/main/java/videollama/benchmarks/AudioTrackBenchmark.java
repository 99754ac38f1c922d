package videollama.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the sound benchmarks share: a track of a minute or more written in setup into a temporary folder (nothing
 * is committed) and deleted after the trial, and the JMH settings of calls that take tens of milliseconds or more.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
public abstract class AudioTrackBenchmark extends ForkedBenchmark {
    Path dir;
    /** The track the benchmark methods read. */
    Path file;

    /** Writes the benchmark's track into {@code dir}; returns its path. */
    protected abstract Path writeTrack(Path dir) throws IOException;

    @Setup(Level.Trial)
    public void setup() {
        try {
            dir = Files.createTempDirectory("audio-bench");
            file = writeTrack(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
