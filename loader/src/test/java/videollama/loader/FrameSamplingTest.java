package videollama.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.testing.SeededRandom;

class FrameSamplingTest {
    @RegisterExtension
    final SeededRandom random = new SeededRandom();

    @Test
    void matchesNumpyArangeOnReferenceCases() {
        JsonNode cases = TestMedia.json("sampling.json");
        assertTrue(cases.size() >= 300);
        for (JsonNode c : cases) {
            int vlen = c.get(0).asInt();
            int n = c.get(1).asInt();
            int[] expected = new int[c.get(2).size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = c.get(2).get(i).asInt();
            }
            assertArrayEquals(expected, FrameSampling.indices(vlen, n), "vlen " + vlen + ", frames " + n);
        }
    }

    @Test
    void eightAndThirtyTwoFramesAreSegmentStarts() {
        for (int trial = 0; trial < 20000; trial++) {
            int vlen = trial < 5000 ? trial + 1 : 1 + random.nextInt(200_000);
            for (int n : new int[] {8, 32}) {
                int[] indices = FrameSampling.indices(vlen, n);
                int count = Math.min(n, vlen);
                assertEquals(count, indices.length, "vlen " + vlen);
                for (int k = 0; k < count; k++) {
                    assertEquals((int) ((long) k * vlen / count), indices[k], "vlen " + vlen + " k " + k);
                }
            }
        }
    }

    @Test
    void numpyCanYieldOneIndexMore() {
        // arange(0, 15, 15/13): 15 / (15/13) = 13.000000000000002 -> 14 elements.
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14}, FrameSampling.indices(15, 13));
    }

    @Test
    void shortVideosGiveEveryFrame() {
        assertArrayEquals(new int[] {0}, FrameSampling.indices(1, 8));
        assertArrayEquals(new int[] {0, 1, 2}, FrameSampling.indices(3, 8));
    }

    @Test
    void frameCountOutsideOneToThirtyTwoIsAnError() {
        LoaderException e = assertThrows(LoaderException.class, () -> FrameSampling.indices(100, 33));
        assertTrue(e.getMessage().contains("--frames 33"), e.getMessage());
        assertTrue(e.getMessage().contains("32"), e.getMessage());
        assertThrows(LoaderException.class, () -> FrameSampling.indices(100, 0));
    }
}
