package videollama.loader.audio;

import java.io.IOException;
import java.nio.file.Path;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;
import videollama.loader.LoaderException;

/**
 * A WAV file through {@code javax.sound.sampled}: 8-bit unsigned, 16/24/32-bit signed PCM and 32/64-bit float,
 * any number of channels, converted to float as {@code torchaudio.load} does ({@code (u - 128)/128}, {@code s/2^15},
 * {@code s/2^23}, {@code s/2^31}, floats as they are). Only the samples asked for are read: the stream skips ahead,
 * and is opened again when a read goes back.
 */
final class WavSource implements AudioSource {
    private final Path file;
    private final AudioFormat format;
    private final long frames;
    private final int frameSize;
    private AudioInputStream stream;
    private long position; // frame the stream will read next
    private long framesRead;

    private WavSource(Path file, AudioInputStream stream) {
        this.file = file;
        this.stream = stream;
        this.format = stream.getFormat();
        this.frames = stream.getFrameLength();
        this.frameSize = format.getFrameSize();
    }

    static WavSource open(Path file) {
        AudioInputStream stream = openStream(file);
        try {
            AudioFormat format = stream.getFormat();
            String encoding = format.getEncoding().toString();
            int bits = format.getSampleSizeInBits();
            boolean supported = switch (encoding) {
                case "PCM_UNSIGNED" -> bits == 8;
                case "PCM_SIGNED" -> bits == 8 || bits == 16 || bits == 24 || bits == 32;
                case "PCM_FLOAT" -> bits == 32 || bits == 64;
                default -> false;
            };
            if (!supported) {
                throw new LoaderException(file + ": unsupported WAV encoding " + encoding + " " + bits
                        + "-bit (8/16/24/32-bit PCM and 32/64-bit float are supported)");
            }
            if (format.getChannels() < 1 || format.getFrameSize() != format.getChannels() * ((bits + 7) / 8)) {
                throw new LoaderException(file + ": corrupt WAV header (" + format.getChannels() + " channels, "
                        + format.getFrameSize() + " bytes a frame)");
            }
            float rate = format.getSampleRate();
            if (!(rate >= 1) || rate != Math.rint(rate) || rate > Integer.MAX_VALUE) {
                throw new LoaderException(file + ": corrupt WAV header (sample rate " + rate + ")");
            }
            if (stream.getFrameLength() == AudioSystem.NOT_SPECIFIED) {
                throw new LoaderException(file + ": corrupt WAV header (the data chunk has no length)");
            }
            return new WavSource(file, stream);
        } catch (RuntimeException e) {
            closeQuietly(stream);
            throw e;
        }
    }

    private static AudioInputStream openStream(Path file) {
        try {
            return AudioSystem.getAudioInputStream(file.toFile());
        } catch (UnsupportedAudioFileException e) {
            throw new LoaderException(file + ": corrupt or unsupported WAV header", e);
        } catch (IOException | RuntimeException e) {
            throw new LoaderException(file + ": cannot be read as WAV (" + AudioLoader.describe(e) + ")", e);
        }
    }

    @Override
    public int sampleRate() {
        return (int) format.getSampleRate();
    }

    @Override
    public int channels() {
        return format.getChannels();
    }

    @Override
    public long frames() {
        return frames;
    }

    /** Frames read so far, not counting those skipped (for tests and benchmarks). */
    long framesRead() {
        return framesRead;
    }

    @Override
    public float[][] read(long start, int count) throws IOException {
        if (start < 0 || count < 0 || start + count > frames) {
            throw new IllegalArgumentException("frames [" + start + ", " + (start + count) + ") outside [0, " + frames + ")");
        }
        if (start < position) {
            stream.close();
            stream = openStream(file);
            position = 0;
        }
        skipFully(start - position);
        int channels = channels();
        float[][] out = new float[channels][count];
        byte[] buffer = new byte[Math.max(frameSize, (1 << 16) / frameSize * frameSize)];
        int done = 0;
        while (done < count) {
            int want = Math.min(count - done, buffer.length / frameSize);
            int got = stream.readNBytes(buffer, 0, want * frameSize);
            if (got < want * frameSize) {
                throw new LoaderException(file + ": truncated WAV: the header announces " + frames
                        + " frames, the data ends after " + (position + got / frameSize));
            }
            decode(buffer, want, out, done);
            done += want;
            position += want;
            framesRead += want;
        }
        return out;
    }

    private void skipFully(long frameCount) throws IOException {
        long bytes = frameCount * frameSize;
        while (bytes > 0) {
            long skipped = stream.skip(bytes);
            if (skipped <= 0) {
                if (stream.read() < 0) {
                    throw new LoaderException(file + ": truncated WAV: the header announces " + frames
                            + " frames, the data ends before frame " + (position + frameCount));
                }
                skipped = 1;
            }
            bytes -= skipped;
        }
        position += frameCount;
    }

    private void decode(byte[] buffer, int count, float[][] out, int at) {
        int channels = out.length;
        int bytes = frameSize / channels;
        boolean big = format.isBigEndian();
        boolean isFloat = format.getEncoding() == AudioFormat.Encoding.PCM_FLOAT;
        boolean unsigned = format.getEncoding() == AudioFormat.Encoding.PCM_UNSIGNED;
        int p = 0;
        for (int i = 0; i < count; i++) {
            for (int c = 0; c < channels; c++, p += bytes) {
                long v = 0;
                for (int b = 0; b < bytes; b++) {
                    int shift = 8 * (big ? bytes - 1 - b : b);
                    v |= (long) (buffer[p + b] & 0xff) << shift;
                }
                float sample;
                if (isFloat) {
                    sample = bytes == 4 ? Float.intBitsToFloat((int) v) : (float) Double.longBitsToDouble(v);
                } else if (unsigned) {
                    sample = (v - 128) / 128f;
                } else {
                    int bits = 8 * bytes;
                    long signed = (v << (64 - bits)) >> (64 - bits);
                    sample = (float) (signed / (double) (1L << (bits - 1)));
                }
                out[c][at + i] = sample;
            }
        }
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }

    private static void closeQuietly(AudioInputStream stream) {
        try {
            stream.close();
        } catch (IOException ignored) {
            // the open failed already; that error is the one to report
        }
    }
}
