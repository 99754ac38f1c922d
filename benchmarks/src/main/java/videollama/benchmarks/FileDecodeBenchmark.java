package videollama.benchmarks;

import java.nio.file.Path;
import java.util.function.LongConsumer;
import org.openjdk.jmh.annotations.Setup;
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

    @Setup
    public void setup() {
        file = BenchSupport.repositoryFile(folder + fileName());
    }

    /**
     * {@code count} frames of the file sampled, decoded with {@code decoder}, resized and normalised; {@code decoded} is
     * given the number of pictures the decoder was given (the benchmark's {@code framesDecoded} counter: JMH reads a
     * counter only from the benchmark's own {@code @AuxCounters} class, not from a superclass of it).
     */
    SampledFrames loadFrames(MediaDecoder decoder, int count, LongConsumer decoded) {
        VideoLoader loader = new VideoLoader(decoder);
        SampledFrames frames = loader.loadFrames(file, count);
        decoded.accept(loader.framesDecoded());
        return frames;
    }
}
