package videollama.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float NEG = Float.NEGATIVE_INFINITY;

    private static float[] logitsOf(double... probabilities) {
        float[] l = new float[probabilities.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = (float) Math.log(probabilities[i]);
        }
        return l;
    }

    @Test
    void greedyTakesTheFirstLargest() {
        Sampler greedy = new Sampler(SamplingSettings.greedy());
        assertEquals(2, greedy.sample(new float[] {0.1f, 3f, 7f, 7f, -1f}));
        assertEquals(0, Sampler.argmax(new float[] {5f, 5f}, 0, 2));
    }

    @Test
    void topKKeepsTiesWithTheKth() {
        float[] l = {1f, 4f, 3f, 3f, 0f};
        Sampler.keepTopK(l, 2);
        assertArrayEquals(new float[] {NEG, 4f, 3f, 3f, NEG}, l);
        float[] all = {1f, 2f};
        Sampler.keepTopK(all, 0);
        assertArrayEquals(new float[] {1f, 2f}, all);
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // probabilities 0.5, 0.3, 0.15, 0.05: p = 0.75 drops the two least likely (cumulative 0.2 <= 0.25)
        float[] l = logitsOf(0.5, 0.3, 0.15, 0.05);
        float[] expected = {l[0], l[1], NEG, NEG};
        Sampler.keepTopP(l, 0.75f);
        assertArrayEquals(expected, l);
        // p = 0.9 drops only the last (cumulative 0.05 <= 0.1, then 0.2 > 0.1)
        float[] l2 = logitsOf(0.5, 0.3, 0.15, 0.05);
        Sampler.keepTopP(l2, 0.9f);
        assertEquals(NEG, l2[3]);
        assertNotEquals(NEG, l2[2]);
        // a tiny p still keeps the most likely token
        float[] l3 = logitsOf(0.4, 0.6);
        Sampler.keepTopP(l3, 0.01f);
        assertEquals(NEG, l3[0]);
        assertNotEquals(NEG, l3[1]);
    }

    @Test
    void samplingFollowsTheTemperedDistribution() {
        double[] p = {0.1, 0.2, 0.3, 0.4};
        float[] logits = logitsOf(p);
        float temperature = 0.5f;
        // softmax(log p / T) = p^(1/T) / Σ p^(1/T)
        double z = 0;
        for (double v : p) {
            z += Math.pow(v, 1 / temperature);
        }
        Sampler sampler = new Sampler(new SamplingSettings(temperature, 0, 1f, 42));
        int draws = 40000;
        int[] counts = new int[p.length];
        for (int i = 0; i < draws; i++) {
            counts[sampler.sample(logits)]++;
        }
        for (int i = 0; i < p.length; i++) {
            assertEquals(Math.pow(p[i], 1 / temperature) / z, counts[i] / (double) draws, 0.01, "token " + i);
        }
    }

    @Test
    void topKAndTopPNeverEmitFilteredTokens() {
        float[] logits = logitsOf(0.05, 0.5, 0.3, 0.15);
        Sampler sampler = new Sampler(new SamplingSettings(1f, 3, 0.75f, 7));
        for (int i = 0; i < 2000; i++) {
            int t = sampler.sample(logits);
            assertEquals(true, t == 1 || t == 2, "token " + t);
        }
    }

    @Test
    void aSeedRepeatsARunAndAnotherSeedDoesNot() {
        float[] logits = new float[50];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) Math.sin(i);
        }
        int[] a = run(new Sampler(new SamplingSettings(1f, 0, 1f, 123)), logits);
        int[] b = run(new Sampler(new SamplingSettings(1f, 0, 1f, 123)), logits);
        int[] c = run(new Sampler(new SamplingSettings(1f, 0, 1f, 124)), logits);
        assertArrayEquals(a, b);
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(c));
    }

    private static int[] run(Sampler s, float[] logits) {
        int[] out = new int[40];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.sample(logits);
        }
        return out;
    }

    @Test
    void rejectsNaNAndBadSettings() {
        assertThrows(NonFiniteLogitsException.class, () -> new Sampler(SamplingSettings.greedy()).sample(new float[] {1f, Float.NaN}));
        assertThrows(IllegalArgumentException.class, () -> new SamplingSettings(-1f, 0, 1f, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingSettings(1f, -1, 1f, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingSettings(1f, 0, 0f, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingSettings(1f, 0, 1.5f, 0));
    }
}
