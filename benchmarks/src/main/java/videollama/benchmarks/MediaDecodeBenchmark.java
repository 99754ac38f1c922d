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
import videollama.loader.audio.AudioLoader;
import videollama.loader.audio.Waveform;

/**
 * The FFmpeg path per container and codec, on the fixtures of {@code testdata/media} ({@code -Dvideollama.root=DIR}):
 * {@code frames} loads 32 frames (for these 1–2 s clips: a decode of nearly every frame, each resized to 224×224),
 * {@code :framesDecoded} is the decoder's frames per second; {@code sound} loads the whole sound track
 * ({@code AudioLoader.load}: the counting decode and the reading decode), {@code :soundSeconds} is seconds of sound
 * a second. Files without a video ({@code frames}) or sound track ({@code sound}) fail in the call, which JMH reports
 * and leaves out: run {@code -p media=...} with the files of one kind.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class MediaDecodeBenchmark extends FileDecodeBenchmark {
    @Param({"mpeg4-mp3.avi", "vp9-opus.webm", "hevc-aac.mp4", "av1-vorbis.mkv", "phone-rotated.mov", "hevc-main10.mkv",
            "h264-yuv444.mp4", "tone-44k.mp3", "sweep-48k-s24.flac", "surround-5.1.m4a"})
    public String media;

    public MediaDecodeBenchmark() {
        super("testdata/media/");
    }

    /** Frames given to the decoder and seconds of sound decoded, per second in JMH's output. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Work {
        public long framesDecoded;
        public double soundSeconds;

        @Setup(Level.Iteration)
        public void reset() {
            framesDecoded = 0;
            soundSeconds = 0;
        }
    }

    @Override
    String fileName() {
        return media;
    }

    @Benchmark
    public SampledFrames frames(Work work) {
        return loadFrames(MediaDecoder.FFMPEG, 32, n -> work.framesDecoded += n);
    }

    @Benchmark
    public Waveform sound(Work work) {
        Waveform w = AudioLoader.load(file, MediaDecoder.FFMPEG);
        work.soundSeconds += w.seconds();
        return w;
    }
}
