package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile and damaged images and sounds through {@code chat}, in a child JVM with a 256 MB heap ({@link ChildCli}):
 * refused in one line naming the file, in bounded memory, or (sounds at rates with a small gcd with 16 kHz) answered in
 * bounded memory. Every file is made here, small.
 */
class BadImageAndSoundCliTest {
    @TempDir
    Path tmp;

    private static final Path DEMO = TestFiles.root().resolve("models/videollama-demo");

    private static ChildCli chat(String... media) {
        List<String> args = new ArrayList<>(List.of("chat", "--model", DEMO.toString(), "--question", "What is it?",
                "--temperature", "0", "--max-new-tokens", "4", "--backend", "reference"));
        args.addAll(List.of(media));
        ChildCli run = ChildCli.run(args.toArray(String[]::new));
        System.out.printf("%s: exit %d, %d ms, peak %d MiB: %s%n", String.join(" ", media), run.exitCode(), run.millis(),
                run.peakRssMiB(), run.err().strip().lines().reduce((a, b) -> b).orElse(""));
        return run;
    }

    // ---- images

    /** A PNG chunk: length, type, data, CRC-32 of type and data (ISO/IEC 15948 5.3). */
    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(type.getBytes());
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(type.getBytes());
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static byte[] ihdr(int width, int height) {
        return ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 0).array(); // 8-bit grey
    }

    /**
     * A black 8-bit grey PNG of {@code width × height} whose rows are all there, deflated at zlib's best ratio (20000²:
     * 400 MB of rows in 390 KB). {@code width × (height + 1)} stays below 2^31, which the streamed rows don't need.
     */
    private Path greyPng(String name, int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ihdr(width, height));
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        byte[] rows = new byte[(width + 1) * 64]; // 64 rows of filter byte 0 and black pixels
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] buffer = new byte[1 << 16];
        for (int y = 0; y < height; y += 64) {
            deflater.setInput(rows, 0, (width + 1) * Math.min(64, height - y));
            while (!deflater.needsInput()) {
                idat.write(buffer, 0, deflater.deflate(buffer));
            }
        }
        deflater.finish();
        while (!deflater.finished()) {
            idat.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return Files.write(tmp.resolve(name), out.toByteArray());
    }

    @ParameterizedTest(name = "{0}²")
    @ValueSource(ints = {20000, 30000})
    void decompressionBombPng(int side) throws IOException {
        Path png = greyPng("bomb-" + side + ".png", side, side);
        System.out.printf("%s: %d bytes%n", png, Files.size(png));
        chat("--image", png.toString()).assertRefusedAfterProgress(1, png.toString(),
                side + "×" + side + " = " + (long) side * side + " pixels, above the 178956970 Pillow opens");
    }

    /**
     * 69 bytes (signature, IHDR, 12 bytes of IDAT: the start of the zlib stream of black rows, IEND) that claim 20000²
     * (above the limit) or 13000² (under it, but with almost no data).
     */
    @ParameterizedTest(name = "{0}²")
    @CsvSource({"20000, pixels, above the 178956970", "13000, image file is truncated (69 bytes cannot hold"})
    void headerWithoutData(int side, String expected) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ihdr(side, side));
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(new byte[side + 1]);
        byte[] start = new byte[12];
        deflater.deflate(start, 0, start.length, Deflater.SYNC_FLUSH);
        deflater.end();
        chunk(out, "IDAT", start);
        chunk(out, "IEND", new byte[0]);
        assertEquals(69, out.size());
        Path png = Files.write(tmp.resolve("empty-" + side + ".png"), out.toByteArray());
        chat("--image", png.toString()).assertRefusedAfterProgress(1, png.toString(), expected);
    }

    /**
     * GIF and BMP headers (BMP: 54 bytes, 24-bit uncompressed or 8-bit run-length coded; GIF: screen and image
     * descriptor, an empty LZW stream) claiming {@code side}² pixels: above the limit, or under it with no data. The
     * JDK's BMP reader refuses uncompressed data larger than the file itself.
     */
    @ParameterizedTest(name = "{0} {1}²")
    @CsvSource({"gif, 30000, pixels, above the 178956970", "gif, 13000, image file is truncated",
            "bmp, 20000, corrupt image (Invalid width/height", "bmp, 13000, corrupt image (Invalid width/height",
            "rle.bmp, 20000, pixels, above the 178956970", "rle.bmp, 13000, image file is truncated"})
    void gifAndBmpHeadersWithoutData(String format, int side, String expected) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(2048).order(ByteOrder.LITTLE_ENDIAN);
        if (format.equals("gif")) {
            b.put("GIF89a".getBytes()).putShort((short) side).putShort((short) side).put(new byte[] {(byte) 0x80, 0, 0});
            b.put(new byte[6]); // a global colour table of 2 black entries
            b.put((byte) 0x2c).putShort((short) 0).putShort((short) 0).putShort((short) side).putShort((short) side)
                    .put((byte) 0);
            b.put(new byte[] {2, 0, 0x3b}); // LZW minimum code size 2, no data, trailer
        } else {
            boolean rle = format.startsWith("rle");
            int palette = rle ? 256 : 0; // RLE8: 256 black entries
            b.put("BM".getBytes()).putInt(54 + 4 * palette).putInt(0).putInt(54 + 4 * palette);
            b.putInt(40).putInt(side).putInt(side).putShort((short) 1).putShort((short) (rle ? 8 : 24)).putInt(rle ? 1 : 0)
                    .putInt(0).putInt(2835).putInt(2835).putInt(palette).putInt(0).put(new byte[4 * palette]);
        }
        Path file = Files.write(tmp.resolve("empty-" + side + "." + format), Arrays.copyOf(b.array(), b.position()));
        chat("--image", file.toString()).assertRefusedAfterProgress(1, file.toString(), expected);
    }

    private static byte[] noiseImage(String format) throws IOException {
        BufferedImage img = new BufferedImage(400, 300, BufferedImage.TYPE_3BYTE_BGR);
        Random random = new Random(7);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                img.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    /** Cut at half: the JPEG as Pillow refuses it ("image file is truncated"), the PNG where its image data ends. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"jpeg, image file is truncated", "png, Unexpected end of ZLIB input stream"})
    void truncatedAtHalf(String format, String expected) throws IOException {
        byte[] whole = noiseImage(format);
        Path cut = Files.write(tmp.resolve("half." + format), Arrays.copyOf(whole, whole.length / 2));
        chat("--image", cut.toString()).assertRefusedAfterProgress(1, cut.toString(), expected);
    }

    // ---- sounds

    /**
     * A mono 32-bit float sound: WAV (read by the Java decoder whatever {@code --decoder} says) or Sun AU (big-endian,
     * encoding 6, read by FFmpeg).
     */
    private Path floatSound(String name, int rate, float[] samples) throws IOException {
        boolean au = name.endsWith(".au");
        if (au) {
            TestFiles.ffmpegOrSkip();
        }
        ByteBuffer b = ByteBuffer.allocate((au ? 24 : 44) + 4 * samples.length)
                .order(au ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        if (au) {
            b.put(".snd".getBytes()).putInt(24).putInt(4 * samples.length).putInt(6).putInt(rate).putInt(1);
        } else {
            b.put("RIFF".getBytes()).putInt(36 + 4 * samples.length).put("WAVE".getBytes());
            b.put("fmt ".getBytes()).putInt(16).putShort((short) 3).putShort((short) 1).putInt(rate).putInt(4 * rate)
                    .putShort((short) 4).putShort((short) 32);
            b.put("data".getBytes()).putInt(4 * samples.length);
        }
        for (float s : samples) {
            b.putFloat(s);
        }
        return Files.write(tmp.resolve(name), b.array());
    }

    /** {@code seconds} of a 440 Hz tone at {@code amplitude}. */
    private static float[] tone(int rate, double seconds, double amplitude) {
        float[] x = new float[(int) Math.round(rate * seconds)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (amplitude * Math.sin(2 * Math.PI * 440 * i / rate));
        }
        return x;
    }

    /**
     * 2 s at rates whose gcd with 16 kHz is 1, where torchaudio's kernel has 16000 × (2·width + rate) taps (2.8 GB at
     * 44,101 Hz, 6.1 GB at 96,001 Hz): answered within the small heap.
     */
    @ParameterizedTest(name = "{0} Hz {1}")
    @CsvSource({"44101, wav", "96001, wav", "44101, au", "8001, au"})
    void rateWithASmallGcdIsAnswered(int rate, String container) throws IOException {
        Path sound = floatSound("tone-" + rate + "." + container, rate, tone(rate, 2, 0.5));
        ChildCli run = chat("--audio-only", sound.toString());
        assertEquals(0, run.exitCode(), run::toString);
        assertFalse(run.out().isBlank(), run::toString);
        assertTrue(run.peakRssMiB() <= ChildCli.DEFAULT_RSS_LIMIT_MIB, run::toString);
    }

    /** NaN and infinities, through the Java decoder (WAV) and FFmpeg (AU), resampled or not. */
    @ParameterizedTest(name = "{0} in {1} at {2} Hz")
    @CsvSource({"NaN, wav, 16000", "Infinity, wav, 44100", "-Infinity, au, 16000", "NaN, au, 44101"})
    void nonFiniteSamples(float bad, String container, int rate) throws IOException {
        float[] x = tone(rate, 2.5, 0.5);
        x[rate / 2] = bad;
        Path sound = floatSound("bad-" + rate + "." + container, rate, x);
        chat("--audio-only", sound.toString()).assertRefusedAfterProgress(1, sound.toString(),
                "sample " + rate / 2 + " of channel 0 (at 0.500 s) is " + bad);
    }

    /** 1e30 is finite: resampled as torchaudio does, then refused where torchaudio's fbank would be NaN. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"wav", "au"})
    void samplesTooLoudForTheFbank(String container) throws IOException {
        Path sound = floatSound("loud." + container, 44100, tone(44100, 2.5, 1e30));
        chat("--audio-only", sound.toString()).assertRefusedAfterProgress(1, sound.toString(), "the sound is too loud");
    }
}
