package videollama.repro.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Replies a judge writes, read as Python 3.11's {@code ast.literal_eval} reads them (each value checked there). */
class PythonLiteralTest {
    private static Map<Object, Object> dict(Object... kv) {
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static BigInteger i(long v) {
        return BigInteger.valueOf(v);
    }

    @Test
    void dictsAsJudgesWriteThem() throws Exception {
        assertEquals(dict("pred", "yes", "score", i(4)), PythonLiteral.parse("\n{'pred': 'yes', 'score': 4}"));
        assertEquals(dict("pred", "yes", "score", 4.8), PythonLiteral.parse("{\"pred\": \"yes\", \"score\": 4.8}"));
        assertEquals(dict("pred", "yes", "score", i(4)), PythonLiteral.parse("  {'pred': 'yes', 'score': 4,}\n\n"));
        assertEquals(dict("a", i(1)), PythonLiteral.parse("{'a': 1} # a comment"));
        assertEquals(dict("score", i(-1)), PythonLiteral.parse("{'score': -1}"));
        assertEquals(dict("ab", i(1)), PythonLiteral.parse("{'a' 'b': 1}"));
        assertEquals(dict("score", 10.0), PythonLiteral.parse("{'score': 1e1}"));
        assertEquals(dict("score", i(40)), PythonLiteral.parse("{'score': 4_0}"));
        assertEquals(dict("s", "it's \"so\"\n"), PythonLiteral.parse("{'s': 'it\\'s \"so\"\\n'}"));
        assertEquals(dict("a", true, "b", null, "c", List.of(i(1), List.of(i(2), i(3)))),
                PythonLiteral.parse("{'a': True, 'b': None, 'c': [1, (2, 3)]}"));
        assertEquals(Arrays.asList(i(1), "x"), PythonLiteral.parse("[1, 'x']"));
        assertEquals(i(3), PythonLiteral.parse("3"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"```python\n{'pred': 'yes', 'score': 5}\n```", "{'a': 1", "{'a' 1}", "yes", "{'a': 1} and more",
            "", "{'a': 'open}", "Sure! {'score': 3}", "{'a': yes}", "{'score': 1.2.3}"})
    void whatPythonRefusesIsRefused(String text) {
        assertThrows(PythonLiteral.NotALiteral.class, () -> PythonLiteral.parse(text));
    }

    @Test
    void theFirstDictInsideOtherText() {
        assertEquals(dict("pred", "no", "score", i(1)), PythonLiteral.firstDict("Sure: {'pred': 'no', 'score': 1}. Done."));
        assertEquals(dict("score", i(2)), PythonLiteral.firstDict("{not a dict} then ```{'score': 2}```"));
        assertNull(PythonLiteral.firstDict("no braces here"));
        assertNull(PythonLiteral.firstDict("{'a': }"));
    }
}
