package videollama.loader.audio;

/**
 * A decoded sound as {@code torchaudio.load} returns it: {@code channels[c][i]} in [-1, 1], all channels of equal
 * length.
 */
public record Waveform(float[][] channels, int sampleRate) {
    public Waveform {
        if (channels.length == 0) {
            throw new IllegalArgumentException("a waveform needs at least one channel");
        }
        for (float[] channel : channels) {
            if (channel.length != channels[0].length) {
                throw new IllegalArgumentException("channels of different lengths");
            }
        }
    }

    public int channelCount() {
        return channels.length;
    }

    /** Samples a channel. */
    public int frames() {
        return channels[0].length;
    }

    public double seconds() {
        return (double) frames() / sampleRate;
    }
}
