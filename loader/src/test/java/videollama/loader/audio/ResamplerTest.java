package videollama.loader.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
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

    private float[] noise(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextGaussian() * 0.3);
        }
        return x;
    }
}
