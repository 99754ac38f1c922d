package videollama.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import videollama.loader.MediaDecoder;
import videollama.loader.SampledFrames;

/**
 * A whole video load as {@code videollama chat --video} does it: demux, decode from the keyframe before each
 * sampled frame (FFmpeg, or JCodec with {@code -p decoder=java}), resize to 224×224 ({@code SwsScaler}, bilinear)
 * and normalise 8 frames of a bundled clip ({@code testdata/video} of the repository, {@code -Dvideollama.root=DIR}).
 * The score is loads/s; {@code :framesDecoded} counts every picture the decoder was given (per second in the output),
 * the decoder's throughput.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
public class FrameDecodeBenchmark extends FileDecodeBenchmark {
    @Param({"flower.mp4", "friday.mp4", "stream-of-water.mp4"})
    public String video;

    @Param({"ffmpeg", "java"})
    public String decoder;

    public FrameDecodeBenchmark() {
        super("testdata/video/");
    }

    /** Decoded pictures, per second in JMH's output. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Decoded {
        public long framesDecoded;

        @Setup(Level.Iteration)
        public void reset() {
            framesDecoded = 0;
        }
    }

    @Override
    String fileName() {
        return video;
    }

    @Benchmark
    public SampledFrames load(Decoded decoded) {
        return loadFrames(MediaDecoder.parse(decoder), 8, n -> decoded.framesDecoded += n);
    }
}
