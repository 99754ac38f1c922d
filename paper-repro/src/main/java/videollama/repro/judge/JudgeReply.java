package videollama.repro.judge;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a judge's reply says, read as Video-ChatGPT's scripts read it: {@code ast.literal_eval} of the whole reply,
 * then {@code int(reply['score'])} and, for QA, "yes" if {@code 'yes' in reply['pred'].lower()}, else "no" if
 * {@code 'no'} is in it, else neither (such a reply counts in the mean score but not in the accuracy). Where those
 * scripts would stop with an exception (no dict, no key, a score {@code int()} cannot read) or count a score outside
 * the 0–5 they asked for, the reply is unparseable here: kept with the reason, left out of every metric.
 *
 * @param verdict   "yes", "no", "neither" (QA), null (the benchmark's dimensions, or unparseable)
 * @param score     0..5, null when unparseable
 * @param problem   why the reply is unparseable, null when it is not
 * @param extracted the dict was found inside other text ({@code --extract-dict}), not the whole reply
 */
public record JudgeReply(String verdict, Integer score, String problem, boolean extracted) {
    // Python's int() of a string: optional white space and sign, decimal digits with single underscores between them
    private static final Pattern PYTHON_INT = Pattern.compile("\\s*[+-]?\\d+(_\\d+)*\\s*");

    public boolean parsed() {
        return problem == null;
    }

    static JudgeReply unparseable(String problem) {
        return new JudgeReply(null, null, problem, false);
    }

    /** Reads {@code content}, the message the judge wrote; {@code extractDict} also takes a dict inside other text. */
    public static JudgeReply read(String content, JudgeKind kind, boolean extractDict) {
        Object literal;
        boolean extracted = false;
        try {
            literal = PythonLiteral.parse(content);
        } catch (PythonLiteral.NotALiteral e) {
            literal = extractDict ? PythonLiteral.firstDict(content) : null;
            if (literal == null) {
                return unparseable(extractDict ? "no Python dict in the reply" : "not a Python literal (" + e.getMessage() + ")");
            }
            extracted = true;
        }
        if (!(literal instanceof Map<?, ?> dict)) {
            return unparseable("a Python " + typeName(literal) + ", not a dict");
        }
        if (!dict.containsKey("score")) {
            return unparseable("no 'score' key");
        }
        Object rawScore = dict.get("score");
        Integer score = pythonInt(rawScore);
        if (score == null) {
            return unparseable("the score " + pythonRepr(rawScore) + " is not an integer");
        }
        if (score < 0 || score > 5) {
            return unparseable("the score " + score + " is outside 0..5");
        }
        String verdict = null;
        if (kind.asksYesNo()) {
            if (!dict.containsKey("pred")) {
                return unparseable("no 'pred' key");
            }
            if (!(dict.get("pred") instanceof String pred)) {
                return unparseable("'pred' is " + pythonRepr(dict.get("pred")) + ", not a string");
            }
            String lower = pred.toLowerCase(Locale.ROOT);
            // the order matters as in the original: "yes, not quite" is a yes, "unknown" a no
            verdict = lower.contains("yes") ? "yes" : lower.contains("no") ? "no" : "neither";
        }
        return new JudgeReply(verdict, score, null, extracted);
    }

    /** Python's {@code int(x)} for the values a literal can hold; null where Python raises or the value is no number. */
    private static Integer pythonInt(Object value) {
        BigInteger i = switch (value) {
            case BigInteger b -> b;
            // int() of a float truncates toward zero: 4.8 -> 4
            case Double d when Double.isFinite(d) -> new BigDecimal(d).toBigInteger();
            case String s when PYTHON_INT.matcher(s).matches() -> new BigInteger(s.strip().replace("_", ""));
            case null, default -> null; // True/False are ints to Python, but no judge means a score by them
        };
        if (i == null) {
            return null;
        }
        // a huge number is as far outside 0..5 as the int's limit
        return i.bitLength() <= 31 ? i.intValue() : i.signum() > 0 ? Integer.MAX_VALUE : Integer.MIN_VALUE;
    }

    private static String typeName(Object value) {
        return switch (value) {
            case null -> "None";
            case String s -> "string";
            case BigInteger b -> "int";
            case Double d -> "float";
            case Boolean b -> "bool";
            case java.util.List<?> l -> "list or tuple";
            default -> value.getClass().getSimpleName();
        };
    }

    private static String pythonRepr(Object value) {
        return switch (value) {
            case null -> "None";
            case String s -> "'" + s + "'";
            case Boolean b -> b ? "True" : "False";
            default -> value.toString();
        };
    }
}
