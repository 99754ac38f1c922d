package videollama.benchmarks;

import java.nio.file.Path;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import videollama.loader.MediaDecoder;
import videollama.loader.SampledFrames;
import videollama.loader.video.VideoLoader;

/**
 * What {@link FrameDecodeBenchmark} and {@link MediaDecodeBenchmark} share: a file of the repository's testdata
 * ({@code -Dvideollama.root=DIR}), whose frames a call loads as {@code videollama chat --video} does, counting every
 * picture the decoder was given.
 */
public abstract class FileDecodeBenchmark extends ForkedBenchmark {
    private final String folder;
    Path file;

    /** {@code folder}: the testdata folder the file's name ({@link #fileName}) is in, with its trailing slash. */
    FileDecodeBenchmark(String folder) {
        this.folder = folder;
    }

    /** The file's name: the benchmark's {@code @Param}. */
    abstract String fileName();

    /** Pictures given to the decoder, per second in JMH's output: the decoder's throughput. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Decoded {
        public long framesDecoded;

        @Setup(Level.Iteration)
        public void reset() {
            framesDecoded = 0;
        }
    }

    @Setup
    public void setup() {
        file = BenchSupport.repositoryFile(folder + fileName());
    }

    /** {@code count} frames of the file sampled, decoded with {@code decoder}, resized and normalised; counted in {@code decoded}. */
    SampledFrames loadFrames(MediaDecoder decoder, int count, Decoded decoded) {
        VideoLoader loader = new VideoLoader(decoder);
        SampledFrames frames = loader.loadFrames(file, count);
        decoded.framesDecoded += loader.framesDecoded();
        return frames;
    }
}
