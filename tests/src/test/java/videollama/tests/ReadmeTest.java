package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README stays short and current: at most {@link #MAX_LINES} lines of at most {@link #MAX_WIDTH} characters, the two
 * commands, and a table row for every command {@code videollama --help} lists; the long detail lives in docs/.
 */
class ReadmeTest {
    static final int MAX_LINES = 150;
    static final int MAX_WIDTH = 120;
    private static final Pattern TABLE_COMMAND = Pattern.compile("^\\| `videollama (\\w+)` \\|");
    /** A command in picocli's usage: "  chat      Ask Video-LLaMA ...". */
    private static final Pattern USAGE_COMMAND = Pattern.compile("^  (\\w+)\\s{2,}\\S");

    @Test
    void isShortWithShortLines() throws IOException {
        List<String> lines = Files.readAllLines(RepositoryTextTest.root().resolve("README.md"));
        assertTrue(lines.size() <= MAX_LINES, "README.md: " + lines.size() + " lines, more than " + MAX_LINES);
        List<String> wide = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).length() > MAX_WIDTH) {
                wide.add("README.md:" + (i + 1) + ": " + lines.get(i).length() + " characters");
            }
        }
        assertTrue(wide.isEmpty(), "lines over " + MAX_WIDTH + " characters:\n" + String.join("\n", wide));
        String text = String.join("\n", lines);
        assertTrue(text.contains("./videollama demo") && text.contains("./run-tests"), "the two commands");
    }

    @Test
    void theCommandTableListsEveryCommand() throws IOException {
        Set<String> table = new TreeSet<>();
        for (String line : Files.readAllLines(RepositoryTextTest.root().resolve("README.md"))) {
            Matcher m = TABLE_COMMAND.matcher(line);
            if (m.find()) {
                table.add(m.group(1));
            }
        }
        Cli help = Cli.run("--help");
        assertEquals(0, help.exitCode(), help.toString());
        Set<String> commands = new TreeSet<>();
        boolean listing = false;
        for (String line : help.out().split("\n")) {
            listing |= line.startsWith("Commands:");
            Matcher m = USAGE_COMMAND.matcher(line);
            if (listing && m.find() && !m.group(1).equals("help")) {
                commands.add(m.group(1));
            }
        }
        assertTrue(commands.containsAll(Set.of("chat", "convert", "demo")), "videollama --help lists: " + commands);
        assertTrue(table.containsAll(commands), "README's command table " + table + " lacks some of " + commands);
    }
}
