package videollama.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import videollama.loader.MediaDecoder;
import videollama.loader.audio.AudioClips;
import videollama.loader.audio.AudioInput;
import videollama.loader.audio.AudioLoader;
import videollama.loader.audio.ClipOptions;
import videollama.loader.audio.KaldiFbank;
import videollama.loader.audio.Resampler;
import videollama.loader.audio.Waveform;
import videollama.loader.video.Mp4Boxes;

/**
 * The sound path on a 60-second track, made in setup (nothing is committed): {@code aac-44k-stereo} is the AAC
 * track of the bundled friday.mp4 (44.1 kHz stereo, 6.2 s) played 10 times in a row (61.6 s; {@code -Dvideollama.root=DIR}
 * names the repository), {@code wav-48k-stereo} and {@code wav-16k-mono} are 60 s of a sweep plus noise as 16-bit WAV.
 *
 * <p>{@code clips}: what {@code videollama chat --audio} does, {@link AudioClips#prepare}: the 8 clips of 2 s that
 * the model hears (the file is decoded only under them), resampled to 16 kHz, fbank, padded, normalised.
 * {@code wholeTrack}: every sample decoded, all channels resampled to 16 kHz and channel 0's fbank over all 60 s
 * (5,998 frames), the cost of the sound itself. Average time per call, in milliseconds.
 */
public class AudioFbankBenchmark extends AudioTrackBenchmark {
    static final int SECONDS = 60;

    @Param({"aac-44k-stereo", "wav-48k-stereo", "wav-16k-mono"})
    public String track;

    /** Who decodes the AAC track: FFmpeg or our AAC decoder (WAV is read by the same Java reader on both paths). */
    @Param({"ffmpeg", "java"})
    public String decoder;

    @Override
    protected Path writeTrack(Path dir) throws IOException {
        return switch (track) {
            case "aac-44k-stereo" -> repeatedFridayTrack(dir.resolve("friday-x10.mp4"), 10);
            case "wav-48k-stereo" -> syntheticWav(dir.resolve("60s-48k.wav"), 48000, 2);
            case "wav-16k-mono" -> syntheticWav(dir.resolve("60s-16k.wav"), 16000, 1);
            default -> throw new IllegalArgumentException("unknown track " + track);
        };
    }

    @Benchmark
    public AudioInput clips() {
        return AudioClips.prepare(file, ClipOptions.REFERENCE, MediaDecoder.parse(decoder));
    }

    @Benchmark
    public float[] wholeTrack() {
        Waveform w = AudioLoader.load(file, MediaDecoder.parse(decoder));
        float[][] at16k = new float[w.channelCount()][];
        Resampler resampler = w.sampleRate() == 16000 ? null : Resampler.of(w.sampleRate(), 16000);
        for (int c = 0; c < w.channelCount(); c++) {
            at16k[c] = resampler == null ? w.channels()[c] : resampler.resample(w.channels()[c]);
        }
        return KaldiFbank.compute(at16k[0], 0, at16k[0].length);
    }

    /** 60 s of 16-bit PCM: a slow sweep 100 Hz to 7 kHz (per channel a different start), plus noise. */
    static Path syntheticWav(Path target, int rate, int channels) throws IOException {
        int frames = SECONDS * rate;
        ByteBuffer b = ByteBuffer.allocate(44 + frames * channels * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + frames * channels * 2).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) channels).putInt(rate)
                .putInt(rate * channels * 2).putShort((short) (channels * 2)).putShort((short) 16);
        b.put("data".getBytes()).putInt(frames * channels * 2);
        Random random = new Random(42);
        for (int i = 0; i < frames; i++) {
            double t = (double) i / rate;
            for (int c = 0; c < channels; c++) {
                double f0 = 100 + 300 * c;
                double phase = 2 * Math.PI * (f0 * t + (7000 - f0) * t * t / (2 * SECONDS));
                double v = 0.4 * Math.sin(phase) + 0.05 * random.nextGaussian();
                b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
            }
        }
        return Files.write(target, b.array());
    }

    /** friday.mp4's AAC track alone, its packets played {@code times} times in a row (one copy of the data). */
    static Path repeatedFridayTrack(Path target, int times) throws IOException {
        return Mp4Boxes.repeatAudioAlone(BenchSupport.repositoryFile("testdata/video/friday.mp4"), times, target);
    }
}
