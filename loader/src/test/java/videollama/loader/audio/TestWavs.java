package videollama.loader.audio;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** WAV files written byte by byte, for edge cases. */
final class TestWavs {
    private TestWavs() {}

    /** A RIFF/WAVE header for {@code dataBytes} of data: format tag, channels, rate, bits. */
    static byte[] header(int formatTag, int channels, int rate, int bits, long dataBytes) {
        int blockAlign = channels * bits / 8;
        ByteBuffer b = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt((int) Math.min(36 + dataBytes, 0xffff_ffffL)).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) formatTag).putShort((short) channels).putInt(rate)
                .putInt(rate * blockAlign).putShort((short) blockAlign).putShort((short) bits);
        b.put("data".getBytes()).putInt((int) dataBytes);
        return b.array();
    }

    /** 16-bit PCM. */
    static Path pcm16(Path file, int rate, int channels, short[] interleaved) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * interleaved.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header(1, channels, rate, 16, 2L * interleaved.length));
        for (short s : interleaved) {
            b.putShort(s);
        }
        return Files.write(file, b.array());
    }

    /** 32-bit float mono (format tag 3, IEEE float), which can hold NaN, infinities and values far above 1. */
    static Path float32(Path file, int rate, float[] samples) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(44 + 4 * samples.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header(3, 1, rate, 32, 4L * samples.length));
        for (float s : samples) {
            b.putFloat(s);
        }
        return Files.write(file, b.array());
    }

    /** {@code seconds} of a 440 Hz tone at amplitude {@code amplitude}, as floats. */
    static float[] tone(int rate, double seconds, double amplitude) {
        float[] x = new float[(int) Math.round(rate * seconds)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (amplitude * Math.sin(2 * Math.PI * 440 * i / rate));
        }
        return x;
    }

    /**
     * A 16-bit mono WAV of {@code frames} frames that is silent (a sparse file: no disk blocks) except for a 1 kHz tone
     * at half scale over frames {@code [toneFrom, toneTo)}.
     */
    static Path sparse16(Path file, int rate, long frames, long toneFrom, long toneTo) throws IOException {
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            out.write(header(1, 1, rate, 16, 2 * frames));
            out.setLength(44 + 2 * frames);
            ByteBuffer tone = ByteBuffer.allocate((int) (2 * (toneTo - toneFrom))).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = toneFrom; i < toneTo; i++) {
                tone.putShort((short) Math.round(16384 * Math.sin(2 * Math.PI * 1000 * i / rate)));
            }
            out.seek(44 + 2 * toneFrom);
            out.write(tone.array());
        }
        return file;
    }
}
