package videollama.loader.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.loader.MediaDecoder;
import videollama.loader.TestMedia;

/**
 * javasound-aac's decode of the AAC tracks against FFmpeg's (torchaudio.load), as signal-to-noise ratios over six
 * 1024-sample blocks of channel 0 spread over each track.
 *
 * <p>The synthetic tracks (FFmpeg's encoder with {@code -aac_pns 0}) match to float rounding. The MDN tracks
 * (friday.mp4, stream-of-water.mp4) code some bands with perceptual noise substitution: the decoder fills them with
 * random noise of the coded energy, and no two decoders draw the same noise, so blocks with such bands differ
 * (encoding the same signal with and without {@code -aac_pns} gives 6 dB and 103 dB against FFmpeg); the other
 * blocks still match to about 100 dB.
 */
class AacDecodeTest {
    static Stream<AudioGolden> aacCases() {
        return AudioGolden.all().filter(AudioGolden::isAac);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("aacCases")
    void matchesFfmpegDecode(AudioGolden g) {
        Waveform w = AudioLoader.load(g.file(), MediaDecoder.JAVA);
        float[] blocks = g.floats().get("decode.blocks");
        long[] starts = g.longs().get("decode.block_starts");
        double signal = 0;
        double noise = 0;
        double[] perBlock = new double[starts.length];
        for (int b = 0; b < starts.length; b++) {
            double s = 0;
            double n = 0;
            for (int i = 0; i < 1024; i++) {
                double expected = blocks[b * 1024 + i];
                double e = w.channels()[0][(int) starts[b] + i] - expected;
                s += expected * expected;
                n += e * e;
            }
            perBlock[b] = snr(s, n);
            signal += s;
            noise += n;
        }
        double total = snr(signal, noise);
        System.out.printf("%s: AAC decode vs FFmpeg SNR %.1f dB (blocks %s)%n", g, total,
                Arrays.stream(perBlock).mapToObj(v -> String.format("%.1f", v)).toList());
        switch (g.name()) {
            case "flower" -> assertEquals(0.0, noise, "the silent track decodes to exact zeros");
            case "aac-mono-44k", "aac-stereo-48k" -> assertTrue(total >= 90, g + ": SNR " + total + " dB");
            default -> {
                long clean = Arrays.stream(perBlock).filter(v -> v >= 90).count();
                assertTrue(clean >= 3, g + ": only " + clean + " blocks at 90 dB or more: " + Arrays.toString(perBlock));
            }
        }
    }

    /** A read far into the track (fresh decoder, one packet of warm-up) gives the samples of a decode from the start. */
    @Test
    void jumpingAheadGivesTheSamplesOfAFullDecode() throws Exception {
        Waveform whole = AudioLoader.load(TestMedia.root().resolve("testdata/audio/aac-stereo-48k.mp4"), MediaDecoder.JAVA);
        Random random = new Random(System.nanoTime());
        for (int trial = 0; trial < 4; trial++) {
            try (Mp4AacSource source = Mp4AacSource.open(TestMedia.root().resolve("testdata/audio/aac-stereo-48k.mp4"))) {
                int start = 20_000 + random.nextInt(whole.frames() - 30_000);
                int count = 1 + random.nextInt(5000);
                float[][] part = source.read(start, count);
                for (int c = 0; c < 2; c++) {
                    assertArrayEquals(Arrays.copyOfRange(whole.channels()[c], start, start + count), part[c],
                            "channel " + c + " from " + start);
                }
                // Warm-up packet plus the packets under the read, not the ones before.
                long packets = (start + 1024 + count - 1) / 1024 - (start + 1024) / 1024 + 2;
                assertEquals(packets, source.packetsDecoded(), "packets decoded for [" + start + ", +" + count + ")");
                // A second read a little further on decodes forward without a new warm-up.
                float[][] next = source.read(start + count + 100, 100);
                assertArrayEquals(Arrays.copyOfRange(whole.channels()[0], start + count + 100, start + count + 200), next[0]);
            }
        }
    }

    static double snr(double signal, double noise) {
        return noise == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal / noise);
    }
}
