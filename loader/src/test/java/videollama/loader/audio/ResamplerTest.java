package videollama.loader.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import videollama.testing.SeededRandom;

/** The resampler's own properties; the values against torchaudio are in AudioGoldenTest. */
class ResamplerTest {
    @RegisterExtension
    final SeededRandom random = new SeededRandom();

    @Test
    void piecesGiveTheSamplesOfTheWhole() {
        int[] rates = {8000, 11025, 22050, 32000, 44100, 48000, 96000};
        for (int rate : rates) {
            Resampler r = Resampler.of(rate, 16000);
            float[] x = noise(rate / 2 + random.nextInt(rate));
            float[] whole = r.resample(x);
            for (int trial = 0; trial < 5; trial++) {
                long from = random.nextInt(whole.length);
                int count = 1 + random.nextInt((int) (whole.length - from));
                long inFrom = r.inputFrom(from);
                long inTo = r.inputTo(from + count, x.length);
                float[] out = new float[count];
                r.resample(Arrays.copyOfRange(x, (int) inFrom, (int) inTo), inFrom, x.length, from, out);
                assertArrayEquals(Arrays.copyOfRange(whole, (int) from, (int) from + count), out,
                        rate + " Hz, outputs [" + from + ", +" + count + ")");
            }
        }
    }

    @Test
    void lengthsAndWidthsAreTorchaudios() {
        // ceil(new * n / orig) with gcd-reduced rates; width = ceil(6 * orig / (min(orig, new) * 0.99)).
        assertEquals(160, Resampler.of(44100, 16000).outputLength(441));
        assertEquals(161, Resampler.of(44100, 16000).outputLength(442));
        assertEquals(17, Resampler.of(44100, 16000).width()); // 441/160: ceil(6 * 441 / 158.4)
        assertEquals(19, Resampler.of(48000, 16000).width()); // 3/1: ceil(6 * 3 / 0.99)
        assertEquals(7, Resampler.of(8000, 16000).width()); // 1/2: ceil(6 / 0.99)
        assertEquals(2 * 8000 + 1, Resampler.of(8000, 16000).outputLength(8000) + 1);
        assertEquals(115_200_000L, Resampler.of(48000, 16000).outputLength(345_600_000L));
    }

    @Test
    void sameRateIsIdentity() {
        float[] x = noise(1000);
        Resampler r = Resampler.of(16000, 16000);
        assertArrayEquals(x, r.resample(x));
        assertEquals(16000, r.targetRate());
    }

    /** A slow tone passes unchanged (gain 0.99 band edge far away), a tone above the new Nyquist is removed. */
    @Test
    void passesTheBandAndStopsAliases() {
        int rate = 48000;
        int n = rate;
        float[] low = new float[n];
        float[] high = new float[n];
        for (int i = 0; i < n; i++) {
            low[i] = (float) Math.sin(2 * Math.PI * 1000 * i / rate);
            high[i] = (float) Math.sin(2 * Math.PI * 12000 * i / rate);
        }
        Resampler r = Resampler.of(rate, 16000);
        float[] y = r.resample(low);
        float[] z = r.resample(high);
        double worst = 0;
        double leak = 0;
        for (int i = 1000; i < y.length - 1000; i++) {
            worst = Math.max(worst, Math.abs(y[i] - Math.sin(2 * Math.PI * 1000 * i / 16000.0)));
            leak = Math.max(leak, Math.abs(z[i]));
        }
        assertTrue(worst < 2e-3, "1 kHz tone changed by " + worst);
        assertTrue(leak < 2e-3, "12 kHz tone leaks " + leak);
    }

    /** Kernel rows are the Hann-windowed sinc: symmetric in time, phase 0 has its peak base/orig at tap width. */
    @Test
    void kernelIsTheWindowedSinc() {
        Resampler r = Resampler.of(8000, 16000); // orig 1, new 2
        float[] row0 = r.kernelRow(0);
        assertEquals(2 * r.width() + 1, row0.length);
        assertEquals(0.99f, row0[r.width()], 1e-7f); // sinc(0) * window(0) * base / orig
        for (int i = 0; i < r.width(); i++) {
            assertEquals(row0[i], row0[row0.length - 1 - i], 1e-7f, "tap " + i);
        }
    }

    /**
     * At rates whose gcd with 16 kHz is small, torchaudio's kernel has {@code 16000 × (2·width + orig)} taps (2.8 GB at
     * 44,101 Hz); each row made on demand must be exactly the whole row's span of taps above 1e-20, and every tap
     * outside it negligible.
     */
    @ParameterizedTest(name = "{0} Hz")
    @ValueSource(ints = {44101, 96001, 8001, 44100, 11025, 48000, 22050})
    void rowsAreTheWholeKernelsTaps(int rate) {
        Resampler r = Resampler.of(rate, 16000);
        int phases = 16000 / gcd(rate, 16000);
        int[] rows = IntStream.of(0, 1, phases / 3, phases / 2, phases - 2, phases - 1).filter(j -> j >= 0 && j < phases)
                .distinct().toArray();
        for (int j : rows) {
            float[] whole = r.kernelRow(j);
            float[] used = r.usedTaps(j);
            long first = r.firstTap(j);
            for (int i = 0; i < whole.length; i++) {
                if (i >= first && i < first + used.length) {
                    assertEquals(Float.floatToIntBits(whole[i]), Float.floatToIntBits(used[(int) (i - first)]),
                            rate + " Hz, row " + j + ", tap " + i);
                } else {
                    assertTrue(Math.abs(whole[i]) <= 1e-20f, rate + " Hz, row " + j + ", tap " + i + " = " + whole[i]);
                }
            }
            assertTrue(Math.abs(used[0]) > 1e-20f && Math.abs(used[used.length - 1]) > 1e-20f, "row " + j + " trimmed");
        }
    }

    /**
     * The outputs are those of the whole kernel row by row (the sum over the span of taps above 1e-20, in the same
     * order, in double), bit for bit, at a rate whose whole kernel would take 2.8 GB.
     */
    @Test
    void outputsAreThoseOfTheWholeKernel() {
        int rate = 44101;
        Resampler r = Resampler.of(rate, 16000);
        float[] x = lcgNoise(rate, rate / 10);
        float[] y = r.resample(x);
        for (int o = 0; o < y.length; o += 37) {
            int j = o % 16000;
            float[] row = r.kernelRow(j);
            int first = 0;
            while (Math.abs(row[first]) <= 1e-20f) {
                first++;
            }
            int end = row.length;
            while (Math.abs(row[end - 1]) <= 1e-20f) {
                end--;
            }
            long x0 = (long) (o / 16000) * rate - r.width();
            double sum = 0;
            for (int i = first; i < end; i++) {
                long at = x0 + i;
                if (at >= 0 && at < x.length) {
                    sum += row[i] * x[(int) at];
                }
            }
            assertEquals(Float.floatToIntBits((float) sum), Float.floatToIntBits(y[o]), "output " + o);
        }
    }

    /**
     * torchaudio 0.13.1's own output at rates whose gcd with 16 kHz is 1 (its whole kernel: 2.8 GB at 44,101 Hz; at
     * 96,001 Hz torchaudio did not finish in 21 GB), from scripts/reference/make_resample_golden.py. torchaudio sums in float32 (conv1d),
     * this class in double: the bound is AudioGoldenTest's for the usual rates.
     */
    @ParameterizedTest(name = "{0} Hz")
    @ValueSource(ints = {44101, 8001})
    void coprimeRatesAsTorchaudio(int rate) throws IOException {
        byte[] bytes = Files.readAllBytes(videollama.loader.TestMedia.root().resolve("testdata/golden/resample/" + rate + ".f32"));
        float[] expected = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(expected);
        float[] y = Resampler.of(rate, 16000).resample(lcgNoise(rate, rate / 10));
        assertEquals(expected.length, y.length, "length");
        double worst = 0;
        for (int i = 0; i < y.length; i++) {
            worst = Math.max(worst, Math.abs(y[i] - expected[i]));
        }
        System.out.printf("%d -> 16000 Hz: max |error| against torchaudio %.3g%n", rate, worst);
        assertTrue(worst < 2e-6, rate + " Hz: differs from torchaudio by " + worst);
    }

    /** make_resample_golden.py's input: 16-bit samples of an LCG seeded with the rate, scaled by 1/32768. */
    private static float[] lcgNoise(int rate, int n) {
        float[] x = new float[n];
        long s = rate;
        for (int i = 0; i < n; i++) {
            s = (1103515245L * s + 12345) % (1L << 31);
            x[i] = (float) ((((s >> 15) & 0xFFFF) - 32768) / 32768.0);
        }
        return x;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private float[] noise(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextGaussian() * 0.3);
        }
        return x;
    }
}
