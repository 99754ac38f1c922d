package videollama.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    @ParameterizedTest(name = "round({0}, {1}) = {2}")
    @CsvSource({
        "0.25,  1, 0.2", // 0.25 is exact: tie, to even
        "0.75,  1, 0.8",
        "2.65,  1, 2.6", // 2.65 is 2.6499999...
        "2.675, 2, 2.67", // 2.675 is 2.67499999...
        "0.04,  1, 0.0",
    })
    void roundIsHalfEvenOnTheExactBinaryValue(double x, int digits, double expected) {
        assertEquals(expected, PythonFloats.round(x, digits));
    }

    @ParameterizedTest(name = "repr({0}) = {1}")
    @CsvSource({
        "0.0,                 0.0",
        "-0.0,                -0.0",
        "1.2,                 1.2",
        "10.0,                10.0",
        "59940.1,             59940.1",
        "12345678.9,          12345678.9",
        "1e16,                1e+16",
        "1234567890123456.8,  1234567890123456.8",
        "1.5e20,              1.5e+20",
        "0.0001,              0.0001",
        "0.00001,             1e-05",
        "0.30000000000000004, 0.30000000000000004", // 0.1 + 0.2
        "-3.5,                -3.5",
    })
    void reprLikePython(double x, String expected) {
        assertEquals(expected, PythonFloats.repr(x));
    }

    @Test
    void sentenceHasTheDemoWordingAndTrailingSpace() {
        assertEquals("The video contains 3 frames sampled at 0.0, 1.2, 10.0 seconds. ",
                TimestampSentence.of(new int[] {0, 36, 300}, 30.0));
    }
}
