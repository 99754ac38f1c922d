package videollama.loader.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import videollama.loader.LoaderException;
import videollama.loader.MediaDecoder;
import videollama.loader.TestMedia;
import videollama.loader.video.Mp4Boxes;
import videollama.testing.SeededRandom;

/**
 * The AAC sources beyond a decode from start to end (AacGoldenTest): against a second FFmpeg build (torchaudio's),
 * the same samples from two decodes in one JVM and from reads that jump (perceptual noise included), and one-line
 * errors for corrupt packets.
 */
class AacDecodeTest {
    @RegisterExtension
    final SeededRandom random = new SeededRandom();

    static Path aac(String name) {
        return TestMedia.root().resolve("testdata/audio/aac").resolve(name);
    }

    static Stream<AudioGolden> torchaudioCases() {
        return AudioGolden.all().filter(AudioGolden::isAac);
    }

    /**
     * Six blocks of channel 0 against torchaudio 0.13.1's decode (make_audio_golden.py; FFmpeg 5.1's libraries, not
     * PyAV's 8.1.2): at least 120 dB each, flower.mp4's silent track exactly silent.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("torchaudioCases")
    void matchesTorchaudiosDecode(AudioGolden g) {
        Waveform w = AudioLoader.load(g.file(), MediaDecoder.JAVA);
        float[] blocks = g.floats().get("decode.blocks");
        long[] starts = g.longs().get("decode.block_starts");
        double[] snr = new double[starts.length];
        for (int b = 0; b < starts.length; b++) {
            double s = 0;
            double n = 0;
            for (int i = 0; i < 1024; i++) {
                double expected = blocks[b * 1024 + i];
                double e = w.channels()[0][(int) starts[b] + i] - expected;
                s += expected * expected;
                n += e * e;
            }
            snr[b] = s == 0 && n == 0 ? Double.POSITIVE_INFINITY : AacGoldenTest.snr(s, n);
        }
        System.out.printf("%s: against torchaudio's decode, blocks %s dB%n", g,
                Arrays.stream(snr).mapToObj(v -> String.format("%.1f", v)).toList());
        for (double v : snr) {
            assertTrue(v >= 120, g + ": " + Arrays.toString(snr));
        }
    }

    /** Two decodes, one after the other and two at once, interleaved: the noise generator is each decoder's own. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pns-48k-mono.mp4", "ms-noise-44k-stereo.aac"})
    void twoDecodesGiveTheSameSamples(String name) throws Exception {
        Waveform first = AudioLoader.load(aac(name), MediaDecoder.JAVA);
        Waveform second = AudioLoader.load(aac(name), MediaDecoder.JAVA);
        assertArrayEquals(first.channels(), second.channels());
        try (AudioSource a = AudioLoader.open(aac(name)); AudioSource b = AudioLoader.open(aac(name))) {
            for (int at = 0; at + 1000 <= first.frames(); at += 1000) {
                float[][] x = a.read(at, 1000);
                float[][] y = b.read(at, 1000);
                assertArrayEquals(x, y, "at " + at);
                assertArrayEquals(Arrays.copyOfRange(first.channels()[0], at, at + 1000), x[0], "at " + at);
            }
        }
    }

    /**
     * Reads far ahead and back give the samples of a decode from the start, noise bands included: the streams are a
     * PNS stream and friday.mp4's track repeated (1920 and 2650 packets, so that jumps cross the noise generator's
     * checkpoints), the ADTS stereo PNS fixture, and the 4-channel ADTS stream repeated (180 packets), whose program
     * config element comes in every sixth packet only.
     */
    @Test
    void jumpsGiveTheSamplesOfAFullDecode(@TempDir Path dir) throws Exception {
        Path pns = Mp4Boxes.repeatAudio(aac("pns-48k-mono.mp4"), 40, dir.resolve("pns-x40.mp4"));
        Path friday = Mp4Boxes.repeatAudio(TestMedia.root().resolve("testdata/video/friday.mp4"), 10,
                dir.resolve("friday-x10.mp4"));
        byte[] quad = Files.readAllBytes(aac("quad-16k-pce.aac"));
        java.io.ByteArrayOutputStream repeated = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 30; i++) {
            repeated.write(quad);
        }
        Path quads = Files.write(dir.resolve("quad-x30.aac"), repeated.toByteArray());
        for (Path file : new Path[] {pns, friday, aac("ms-noise-44k-stereo.aac"), quads}) {
            Waveform whole = AudioLoader.load(file, MediaDecoder.JAVA);
            long skipped = 0;
            try (AudioSource source = AudioLoader.open(file, MediaDecoder.JAVA)) {
                for (int trial = 0; trial < 14; trial++) {
                    int count = 1 + random.nextInt(5000);
                    // The last two: near the end, then back past the first noise checkpoint (packet 64).
                    int start = trial == 12 ? whole.frames() - count : trial == 13 ? Math.min(70 * 1024, whole.frames() / 2)
                            : random.nextInt(whole.frames() - count);
                    float[][] part = source.read(start, count);
                    for (int c = 0; c < whole.channelCount(); c++) {
                        assertArrayEquals(Arrays.copyOfRange(whole.channels()[c], start, start + count), part[c],
                                file.getFileName() + " channel " + c + " [" + start + ", +" + count + ")");
                    }
                }
                skipped = ((AacSource) source).packetsSkipped();
            }
            System.out.printf("%s: 14 reads, %d packets parsed without decoding%n", file.getFileName(), skipped);
            assertTrue(skipped > 0, "the jumps skipped no packet");
        }
    }

    /** A jump from a fresh source decodes the packet before the read as warm-up and parses the ones before it. */
    @Test
    void aJumpDecodesOnlyItsWarmUpPacketAndTheReadsPackets() throws Exception {
        Path file = TestMedia.root().resolve("testdata/audio/aac-stereo-48k.mp4");
        Waveform whole = AudioLoader.load(file, MediaDecoder.JAVA);
        for (int trial = 0; trial < 4; trial++) {
            try (Mp4AacSource source = Mp4AacSource.open(file)) {
                int start = 20_000 + random.nextInt(whole.frames() - 30_000);
                int count = 1 + random.nextInt(5000);
                float[][] part = source.read(start, count);
                for (int c = 0; c < 2; c++) {
                    assertArrayEquals(Arrays.copyOfRange(whole.channels()[c], start, start + count), part[c]);
                }
                // The edit list drops 1024 samples: packet p holds samples [1024 p - 1024, 1024 p).
                long first = (start + 1024) / 1024;
                long last = (start + 1024 + count - 1) / 1024;
                assertEquals(last - first + 2, source.packetsDecoded(), "packets decoded for [" + start + ", +" + count + ")");
                assertEquals(first - 1, source.packetsSkipped(), "packets parsed before the warm-up packet");
                float[][] next = source.read(start + count + 100, 100); // a little further on: decoded forward
                assertArrayEquals(Arrays.copyOfRange(whole.channels()[0], start + count + 100, start + count + 200), next[0]);
                assertEquals(first - 1, source.packetsSkipped());
            }
        }
    }

    /**
     * Damaged packets: bits flipped, packets cut short, packets of random bytes, in an ADTS and an MP4 stream. Each
     * load either decodes (the damage can leave valid syntax) or fails with one line that names the file and the
     * packet; nothing else escapes.
     */
    @Test
    void damagedPacketsGiveOneLineErrors(@TempDir Path dir) throws Exception {
        for (String name : new String[] {"ms-noise-44k-stereo.aac", "tns-44k-mono.mp4"}) {
            byte[] clean = Files.readAllBytes(aac(name));
            int[] frame = AdtsFrames.raw(clean, name);
            int decoded = 0;
            int failed = 0;
            for (int trial = 0; trial < 120; trial++) {
                byte[] damaged = clean.clone();
                int from = frame[0] + random.nextInt(frame[1] - frame[0] - 16);
                switch (trial % 3) {
                    case 0 -> {
                        for (int k = 0; k <= random.nextInt(8); k++) {
                            int bit = random.nextInt(16 * 8);
                            damaged[from + bit / 8] ^= (byte) (0x80 >>> (bit % 8));
                        }
                    }
                    case 1 -> {
                        byte[] noise = new byte[16 + random.nextInt(64)];
                        random.nextBytes(noise);
                        System.arraycopy(noise, 0, damaged, from, Math.min(noise.length, frame[1] - from));
                    }
                    default -> Arrays.fill(damaged, from, Math.min(from + 40, frame[1]), (byte) 0xff);
                }
                Path file = Files.write(dir.resolve(trial + "-" + name), damaged);
                try {
                    AudioLoader.load(file, MediaDecoder.JAVA);
                    decoded++;
                } catch (LoaderException e) {
                    failed++;
                    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
                    assertFalse(e.getMessage().contains("\n"), e.getMessage());
                    assertTrue(e.getMessage().matches(".*(packet|frame|header|ADTS|MP4).*"), e.getMessage());
                }
            }
            System.out.printf("%s: 120 damaged copies (%s): %d decoded, %d one-line errors%n", name, random,
                    decoded, failed);
            assertTrue(failed > 0, "no damage was noticed");
        }
    }

    /** Cut ADTS frames: a raw block shortened (its header says so) or the file cut in the middle of a frame. */
    @Test
    void truncatedAdts(@TempDir Path dir) throws Exception {
        byte[] clean = Files.readAllBytes(aac("pulse-44k-mono.aac"));
        int length = AdtsFrames.length(clean, 0);
        int second = AdtsFrames.length(clean, length);
        // Frame 1 keeps its first 20 bytes of raw data: its header's frame_length says 27.
        byte[] cut = new byte[clean.length - (second - 27)];
        System.arraycopy(clean, 0, cut, 0, length + 27);
        System.arraycopy(clean, length + second, cut, length + 27, clean.length - length - second);
        AdtsFrames.setLength(cut, length, 27);
        Path file = Files.write(dir.resolve("cut-packet.aac"), cut);
        LoaderException e = assertThrows(LoaderException.class, () -> AudioLoader.load(file, MediaDecoder.JAVA));
        assertEquals(file + ": corrupt AAC data in packet 1 (the packet ends inside an element ("
                + e.getMessage().replaceAll(".*\\(the packet ends inside an element \\(", ""), e.getMessage());
        Path half = Files.write(dir.resolve("half.aac"), Arrays.copyOf(clean, clean.length / 2));
        LoaderException h = assertThrows(LoaderException.class, () -> AudioLoader.load(half, MediaDecoder.JAVA));
        assertTrue(h.getMessage().startsWith(half + ": truncated ADTS frame at byte "), h.getMessage());
        byte[] empty = Arrays.copyOf(clean, length);
        AdtsFrames.setLength(empty, 0, 7);
        Path zero = Files.write(dir.resolve("zero.aac"), Arrays.copyOf(empty, 7));
        LoaderException z = assertThrows(LoaderException.class, () -> AudioLoader.load(zero, MediaDecoder.JAVA));
        assertEquals(zero + ": corrupt ADTS header at byte 0 (frame length 7)", z.getMessage());
    }

    /** Where ADTS frames lie, for damaging them. */
    static final class AdtsFrames {
        static int length(byte[] b, int at) {
            return (b[at + 3] & 3) << 11 | (b[at + 4] & 0xff) << 3 | (b[at + 5] & 0xff) >> 5;
        }

        static void setLength(byte[] b, int at, int length) {
            b[at + 3] = (byte) ((b[at + 3] & 0xfc) | length >> 11);
            b[at + 4] = (byte) (length >> 3);
            b[at + 5] = (byte) ((length & 7) << 5 | (b[at + 5] & 0x1f));
        }

        /** Bytes [from, to) of packet data to damage: an ADTS file's frames after the first; an MP4's media data. */
        static int[] raw(byte[] b, String name) {
            if (name.endsWith(".aac")) {
                return new int[] {length(b, 0) + 7, b.length};
            }
            for (int at = 0; at + 8 <= b.length; ) {
                int size = java.nio.ByteBuffer.wrap(b, at, 4).getInt();
                if (new String(b, at + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1).equals("mdat")) {
                    return new int[] {at + 8 + 400, at + size};
                }
                at += size;
            }
            throw new IllegalArgumentException("no mdat in " + name);
        }
    }
}
