package videollama.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import org.openjdk.jmh.annotations.Benchmark;
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
public class AacDecodeBenchmark extends AudioTrackBenchmark {
    static final int TIMES = 100;

    @Override
    protected Path writeTrack(Path dir) throws IOException {
        return AudioFbankBenchmark.repeatedFridayTrack(dir.resolve("friday-x100.mp4"), TIMES);
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
