package videollama.loader.audio;

import java.io.Closeable;
import java.io.IOException;
import videollama.loader.audio.aac.AacToolCounts;

/** An AAC sound track read through {@link AacTrack}: what the MP4 and ADTS sources share once their file is open. */
abstract sealed class AacSource implements AudioSource permits Mp4AacSource, AdtsAacSource {
    private final Closeable input;
    private final AacTrack track;
    private final int sampleRate;

    AacSource(Closeable input, AacTrack track, int sampleRate) {
        this.input = input;
        this.track = track;
        this.sampleRate = sampleRate;
    }

    @Override
    public int sampleRate() {
        return sampleRate;
    }

    @Override
    public int channels() {
        return track.channels();
    }

    @Override
    public long frames() {
        return track.frames();
    }

    /** Packets decoded so far, warm-up included (for tests and benchmarks). */
    long packetsDecoded() {
        return track.packetsDecoded();
    }

    /** Packets only parsed so far, to keep the noise generator in step across a jump. */
    long packetsSkipped() {
        return track.packetsSkipped();
    }

    AacToolCounts counts() {
        return track.counts();
    }

    @Override
    public float[][] read(long start, int count) throws IOException {
        return track.read(start, count);
    }

    @Override
    public void close() throws IOException {
        input.close();
    }
}
