package videollama.repro.judge;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import videollama.app.Errors;

/**
 * The judge's instructions for one {@link JudgeKind}: a system message and a user message with placeholders, read
 * from a text file the user can replace ({@code --template}). The file: comment lines starting with '#', a line
 * {@code kind: NAME}, then the sections {@code [system]} and {@code [user]}, each running to the next section or the
 * end (the blank lines around a section's text are dropped). {@code {question}}, {@code {answer}}, {@code
 * {prediction}} (and {@code {question2}}, {@code {prediction2}} for consistency pairs) are replaced in one pass, so
 * braces in the filled-in text, or a literal like {@code {'score': 2}} in the instructions, stay as they are.
 *
 * @param source  where it came from: "built-in" or the file's path
 * @param sha256  the hash of the file's bytes, to tell templates apart in a report
 */
public record JudgeTemplate(JudgeKind kind, String system, String user, String source, String sha256) {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z0-9_]+)}");
    private static final Set<String> PAIR_FIELDS = Set.of("question", "question2", "answer", "prediction", "prediction2");
    private static final Set<String> SINGLE_FIELDS = Set.of("question", "answer", "prediction");

    /** The template this project ships for {@code kind}. */
    public static JudgeTemplate builtIn(JudgeKind kind) {
        String name = kind.id() + ".txt";
        try (InputStream in = JudgeTemplate.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("built-in judge template " + name + " is missing from the jar");
            }
            return parse(in.readAllBytes(), "built-in", "built-in " + name);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A template file; a malformed one is a usage error naming the file. */
    public static JudgeTemplate read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new Errors.UsageFailure(file + ": cannot read the judge template (" + e.getMessage() + ")");
        }
        return parse(bytes, file.toString(), file.toString());
    }

    private static JudgeTemplate parse(byte[] bytes, String source, String where) {
        String text = new String(bytes, StandardCharsets.UTF_8).replace("\r\n", "\n");
        JudgeKind kind = null;
        StringBuilder system = null;
        StringBuilder user = null;
        StringBuilder section = null;
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.equals("[system]")) {
                section = system = new StringBuilder();
            } else if (trimmed.equals("[user]")) {
                section = user = new StringBuilder();
            } else if (section != null) {
                section.append(line).append('\n');
            } else if (trimmed.startsWith("kind:")) {
                String id = trimmed.substring("kind:".length()).strip();
                kind = JudgeKind.ofId(id);
                if (kind == null) {
                    throw new Errors.UsageFailure(where + ": unknown kind '" + id + "' (qa, correctness, detail, context, temporal, consistency)");
                }
            } else if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                throw new Errors.UsageFailure(where + ": '" + trimmed + "' before the [system] section (only comments and 'kind: NAME' go there)");
            }
        }
        if (kind == null) {
            throw new Errors.UsageFailure(where + ": no 'kind: NAME' line");
        }
        if (system == null || user == null) {
            throw new Errors.UsageFailure(where + ": needs a [system] and a [user] section");
        }
        JudgeTemplate t = new JudgeTemplate(kind, system.toString().strip(), user.toString().strip(), source,
                HexFormat.of().formatHex(Hashing.sha256(bytes)));
        t.checkPlaceholders(where);
        return t;
    }

    private void checkPlaceholders(String where) {
        Set<String> allowed = kind == JudgeKind.CONSISTENCY ? PAIR_FIELDS : SINGLE_FIELDS;
        Set<String> used = new LinkedHashSet<>();
        for (String part : new String[] {system, user}) {
            Matcher m = PLACEHOLDER.matcher(part);
            while (m.find()) {
                if (!allowed.contains(m.group(1))) {
                    throw new Errors.UsageFailure(where + ": unknown placeholder {" + m.group(1) + "} for kind " + kind.id()
                            + " (" + String.join(", ", allowed.stream().sorted().map(f -> "{" + f + "}").toList()) + ")");
                }
                used.add(m.group(1));
            }
        }
        for (String field : allowed) {
            if (!used.contains(field)) {
                throw new Errors.UsageFailure(where + ": the template never uses {" + field + "}");
            }
        }
    }

    /** The system and user message with the placeholders replaced by {@code values} (field name to text). */
    public String[] fill(Map<String, String> values) {
        return new String[] {fill(system, values), fill(user, values)};
    }

    private static String fill(String text, Map<String, String> values) {
        return PLACEHOLDER.matcher(text).replaceAll(m -> Matcher.quoteReplacement(values.get(m.group(1))));
    }
}
