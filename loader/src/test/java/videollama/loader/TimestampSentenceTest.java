package videollama.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class TimestampSentenceTest {
    @Test
    void roundAndReprMatchPythonOnReferenceCases() {
        JsonNode cases = TestMedia.json("timestamps.json");
        assertTrue(cases.size() > 700);
        for (JsonNode c : cases) {
            int index = c.get(0).asInt();
            double fps = Double.parseDouble(c.get(2).asText()); // Python's repr of the fps: exact
            String expected = c.get(3).asText();
            assertEquals(expected, PythonFloats.repr(PythonFloats.round(index / fps, 1)),
                    "str(round(" + index + " / " + c.get(2).asText() + ", 1))");
        }
    }

    @Test
    void roundIsHalfEvenOnTheExactBinaryValue() {
        assertEquals(0.2, PythonFloats.round(0.25, 1)); // 0.25 is exact: tie, to even
        assertEquals(0.8, PythonFloats.round(0.75, 1));
        assertEquals(2.6, PythonFloats.round(2.65, 1)); // 2.65 is 2.6499999...
        assertEquals(2.67, PythonFloats.round(2.675, 2)); // 2.675 is 2.67499999...
        assertEquals(0.0, PythonFloats.round(0.04, 1));
    }

    @Test
    void reprLikePython() {
        assertEquals("0.0", PythonFloats.repr(0.0));
        assertEquals("-0.0", PythonFloats.repr(-0.0));
        assertEquals("1.2", PythonFloats.repr(1.2));
        assertEquals("10.0", PythonFloats.repr(10.0));
        assertEquals("59940.1", PythonFloats.repr(59940.1));
        assertEquals("12345678.9", PythonFloats.repr(12345678.9));
        assertEquals("1e+16", PythonFloats.repr(1e16));
        assertEquals("1234567890123456.8", PythonFloats.repr(1234567890123456.8));
        assertEquals("1.5e+20", PythonFloats.repr(1.5e20));
        assertEquals("0.0001", PythonFloats.repr(0.0001));
        assertEquals("1e-05", PythonFloats.repr(0.00001));
        assertEquals("0.30000000000000004", PythonFloats.repr(0.1 + 0.2));
        assertEquals("-3.5", PythonFloats.repr(-3.5));
    }

    @Test
    void sentenceHasTheDemoWordingAndTrailingSpace() {
        assertEquals("The video contains 3 frames sampled at 0.0, 1.2, 10.0 seconds. ",
                TimestampSentence.of(new int[] {0, 36, 300}, 30.0));
    }
}
