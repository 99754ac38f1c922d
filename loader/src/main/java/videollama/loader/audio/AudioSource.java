package videollama.loader.audio;

import java.io.Closeable;
import java.io.IOException;

/** A decoded sound: WAV through {@code javax.sound.sampled}, AAC in an MP4 or ADTS file, or any sound track FFmpeg reads. */
sealed interface AudioSource extends Closeable permits WavSource, AacSource, FfmpegAudioSource {
    int sampleRate();

    int channels();

    /** Samples a channel, what {@code torchaudio.load} would return. */
    long frames();

    /**
     * Samples {@code [start, start + count)} of every channel as floats in [-1, 1] ({@code [channels][count]});
     * reading at increasing positions is cheapest.
     *
     * @throws videollama.loader.LoaderException naming the file when the data is truncated or corrupt
     */
    float[][] read(long start, int count) throws IOException;

    @Override
    void close() throws IOException;
}
