package videollama.repro.judge;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a judge's reply the way Video-ChatGPT's scripts do, with Python's {@code ast.literal_eval}: the whole reply
 * must be one Python literal ({@code {'pred': 'yes', 'score': 4}}; JSON is one too). Hand-written because only the
 * part of Python's literal grammar a judge writes is needed: dicts, lists, tuples, strings in single or double quotes
 * (with backslash escapes, adjacent ones joined), decimal integers and floats (underscores allowed, a sign in front),
 * {@code True}, {@code False}, {@code None}, and a trailing {@code #} comment. Values come back as Java
 * {@link Map} (insertion order), {@link List}, {@link String}, {@link BigInteger}, {@link Double}, {@link Boolean} or
 * {@code null}.
 */
public final class PythonLiteral {
    /** The text is not a literal of that grammar; {@code position} is where reading stopped (0-based). */
    public static final class NotALiteral extends Exception {
        final int position;

        NotALiteral(String message, int position) {
            super(message + " at character " + (position + 1));
            this.position = position;
        }
    }

    private final String text;
    private int pos;

    private PythonLiteral(String text, int pos) {
        this.text = text;
        this.pos = pos;
    }

    /** The literal that is the whole of {@code text}, white space and a comment around it allowed. */
    public static Object parse(String text) throws NotALiteral {
        PythonLiteral reader = new PythonLiteral(text, 0);
        Object value = reader.value();
        reader.skipSpace();
        if (reader.pos < text.length()) {
            throw new NotALiteral("text after the literal", reader.pos);
        }
        return value;
    }

    /**
     * The first dict literal inside {@code text} (a reply that wraps it in prose or a code fence), or {@code null} when
     * no '{' starts one.
     */
    public static Map<?, ?> firstDict(String text) {
        for (int start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
            try {
                return (Map<?, ?>) new PythonLiteral(text, start).value();
            } catch (NotALiteral e) {
                // not a literal from this brace: try the next one
            }
        }
        return null;
    }

    private Object value() throws NotALiteral {
        skipSpace();
        if (pos >= text.length()) {
            throw new NotALiteral("no value", pos);
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> dict();
            case '[' -> sequence('[', ']');
            case '(' -> sequence('(', ')');
            case '\'', '"' -> strings();
            default -> {
                if (c == '-' || c == '+' || c == '.' || Character.isDigit(c)) {
                    yield number();
                }
                yield name();
            }
        };
    }

    private Map<Object, Object> dict() throws NotALiteral {
        Map<Object, Object> map = new LinkedHashMap<>();
        pos++; // '{'
        while (true) {
            skipSpace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            Object key = value();
            skipSpace();
            expect(':');
            map.put(key, value());
            skipSpace();
            if (peek() == ',') {
                pos++;
            } else if (peek() != '}') {
                throw new NotALiteral("',' or '}' expected", pos);
            }
        }
    }

    private List<Object> sequence(char open, char close) throws NotALiteral {
        List<Object> items = new ArrayList<>();
        pos++; // open
        while (true) {
            skipSpace();
            if (peek() == close) {
                pos++;
                return items;
            }
            items.add(value());
            skipSpace();
            if (peek() == ',') {
                pos++;
            } else if (peek() != close) {
                throw new NotALiteral("',' or '" + close + "' expected after '" + open + "'", pos);
            }
        }
    }

    /** One string, or several in a row joined as Python joins adjacent literals. */
    private String strings() throws NotALiteral {
        StringBuilder out = new StringBuilder();
        do {
            string(out);
            skipSpace();
        } while (peek() == '\'' || peek() == '"');
        return out.toString();
    }

    private void string(StringBuilder out) throws NotALiteral {
        int start = pos;
        char quote = text.charAt(pos++);
        while (true) {
            if (pos >= text.length() || text.charAt(pos) == '\n') {
                throw new NotALiteral("unterminated string", start);
            }
            char c = text.charAt(pos++);
            if (c == quote) {
                return;
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw new NotALiteral("unterminated string", start);
            }
            char e = text.charAt(pos++);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case '\\', '\'', '"' -> out.append(e);
                case '\n' -> { } // a line continuation inside the string
                default -> out.append('\\').append(e); // Python keeps unknown escapes as written
            }
        }
    }

    private Object number() throws NotALiteral {
        int start = pos;
        boolean negative = false;
        while (peek() == '-' || peek() == '+') { // Python's unary signs; several are allowed and multiply
            negative ^= text.charAt(pos) == '-';
            pos++;
            skipSpace();
        }
        int digitsStart = pos;
        boolean isFloat = false;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (Character.isDigit(c) || c == '_') {
                pos++;
            } else if (c == '.' || c == 'e' || c == 'E') {
                isFloat = true;
                pos++;
                if ((c == 'e' || c == 'E') && (peek() == '-' || peek() == '+')) {
                    pos++;
                }
            } else {
                break;
            }
        }
        String digits = text.substring(digitsStart, pos).replace("_", "");
        try {
            if (isFloat) {
                double d = Double.parseDouble(digits);
                return negative ? -d : d;
            }
            BigInteger i = new BigInteger(digits);
            return negative ? i.negate() : i;
        } catch (NumberFormatException e) {
            throw new NotALiteral("not a number", start);
        }
    }

    private Object name() throws NotALiteral {
        int start = pos;
        while (pos < text.length() && Character.isLetterOrDigit(text.charAt(pos))) {
            pos++;
        }
        return switch (text.substring(start, pos)) {
            case "True" -> Boolean.TRUE;
            case "False" -> Boolean.FALSE;
            case "None" -> null;
            default -> throw new NotALiteral("not a literal", start);
        };
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '#') { // a comment runs to the end of its line
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (Character.isWhitespace(c)) {
                pos++;
            } else {
                return;
            }
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void expect(char c) throws NotALiteral {
        if (peek() != c) {
            throw new NotALiteral("'" + c + "' expected", pos);
        }
        pos++;
    }
}
