package videollama.loader.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.loader.MediaDecoder;
import videollama.loader.audio.aac.AacTool;
import videollama.loader.audio.aac.AacToolCounts;

/**
 * Our AAC decoder against FFmpeg's (PyAV 18.1, FFmpeg 8.1.2, float output) on every stream of testdata/golden/aac:
 * the test fixtures (each made for some coding tools), the MDN videos' sound tracks and the older AAC test files,
 * whole, through the sound sources ({@link AudioLoader}), so that the MP4 edit list and the ADTS framing are
 * checked too.
 *
 * <p>The bound is 120 dB SNR in every 1024-sample block of every channel. FFmpeg decodes in float32 and this
 * decoder in double, so the difference is FFmpeg's rounding, about 138 dB below the signal overall. A float
 * inverse transform rounds relative to its whole output, though, so a block far quieter than the block next to it
 * carries rounding relative to that neighbour: friday.mp4's second block (rms 9e-6, next to rms 0.024) is 92-95 dB
 * from FFmpeg, and there faad 2.10 is 87-89 dB from FFmpeg and 86-90 dB from this decoder, three decoders
 * disagreeing at float rounding. So a block at least 20 dB quieter than its two neighbours together
 * passes when its error is 120 dB below the energy of the block and its neighbours (the two inverse transforms that
 * overlap in it); such blocks are counted and printed. A block of exact silence between silent blocks must come out
 * exactly silent.
 */
class AacGoldenTest {
    static final double BOUND = 1e-12; // 120 dB as an energy ratio
    static final double QUIET = 1e-2; // 20 dB

    @ParameterizedTest(name = "{0}")
    @MethodSource("videollama.loader.audio.AacGolden#all")
    void decodesAsFfmpeg(AacGolden g) {
        Waveform w = AudioLoader.load(g.file(), MediaDecoder.JAVA);
        assertEquals(g.sampleRate(), w.sampleRate(), "sample rate");
        assertEquals(g.channels(), w.channelCount(), "channels");
        assertEquals(g.samples(), w.frames(), "samples a channel");
        Blocks blocks = Blocks.compare(g.pcm(), w.channels());
        System.out.printf("%s: %s; %s%n", g, blocks, g.crosscheck().isEmpty() ? "" : "others vs FFmpeg " + g.crosscheck());
        assertTrue(blocks.failed().isEmpty(), g + ": blocks below 120 dB: " + blocks.failed());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("videollama.loader.audio.AacGolden#all")
    void countsTheToolsItIsMadeFor(AacGolden g) throws Exception {
        AacToolCounts counts;
        try (AudioSource source = AudioLoader.open(g.file())) {
            source.read(0, (int) source.frames());
            counts = ((AacSource) source).counts();
        }
        Map<String, Long> ours = new TreeMap<>();
        for (AacTool t : AacTool.values()) {
            ours.put(t.key(), counts.get(t));
        }
        assertEquals(new TreeMap<>(g.tools()), ours, g + ": tool counts against aac_bitstream.py's walk");
        for (String tool : g.madeFor()) {
            assertTrue(ours.get(tool) > 0, g + " is made for " + tool + " but does not use it");
        }
    }

    /** Per-block comparison of a decode with FFmpeg's. */
    record Blocks(double total, double worst, int quietPassed, int blocks, List<String> failed) {
        static Blocks compare(float[][] expected, float[][] actual) {
            double signal = 0;
            double noise = 0;
            double worst = Double.POSITIVE_INFINITY;
            int quiet = 0;
            int count = 0;
            List<String> failed = new ArrayList<>();
            for (int c = 0; c < expected.length; c++) {
                int n = (expected[c].length + 1023) / 1024;
                double[] s = new double[n];
                double[] e = new double[n];
                for (int i = 0; i < expected[c].length; i++) {
                    double d = (double) actual[c][i] - expected[c][i];
                    s[i / 1024] += (double) expected[c][i] * expected[c][i];
                    e[i / 1024] += d * d;
                }
                for (int b = 0; b < n; b++) {
                    count++;
                    signal += s[b];
                    noise += e[b];
                    if (e[b] <= BOUND * s[b]) {
                        worst = Math.min(worst, snr(s[b], e[b]));
                        continue;
                    }
                    double neighbours = (b > 0 ? s[b - 1] : 0) + (b + 1 < n ? s[b + 1] : 0);
                    if (s[b] <= QUIET * neighbours && e[b] <= BOUND * (s[b] + neighbours)) {
                        quiet++;
                    } else {
                        failed.add(String.format("channel %d block %d: %.1f dB", c, b, snr(s[b], e[b])));
                    }
                }
            }
            return new Blocks(snr(signal, noise), worst, quiet, count, failed);
        }

        @Override
        public String toString() {
            return String.format("SNR %.1f dB overall, %.1f dB in the worst of %d blocks; %d quiet block(s) passed "
                    + "against their neighbours", total, worst, blocks, quietPassed);
        }
    }

    static double snr(double signal, double noise) {
        return noise == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal / noise);
    }
}
