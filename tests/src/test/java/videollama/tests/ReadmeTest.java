package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README stays short and current: at most {@link #MAX_LINES} lines of at most {@link #MAX_WIDTH} characters, the two
 * commands, a table row for every command {@code videollama --help} lists, and a module table that names every package
 * of the modules; the long detail lives in docs/. And the folder READMEs name every folder: models/README.md each
 * bundled model, testdata/README.md each kind of test material and each golden set.
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
    void theModuleTableNamesEveryPackage() throws IOException {
        Path root = RepositoryTextTest.root();
        List<String> rows = Files.readAllLines(root.resolve("README.md")).stream().filter(l -> l.startsWith("| `")).toList();
        List<String> missing = new ArrayList<>();
        for (String module : List.of("weights", "kernels", "model", "loader", "app")) {
            Path packages = root.resolve(module + "/src/main/java/videollama/" + module);
            for (String p : folders(packages)) {
                boolean named = rows.stream().anyMatch(r -> r.startsWith("| `" + module + "/")
                        && (r.contains("`" + p + "/`") || r.contains("`" + module + "/" + p + "`") || r.contains(" `" + p + "/`")));
                if (!named) {
                    missing.add(module + "/" + p);
                }
            }
        }
        assertTrue(missing.isEmpty(), "packages the README's module table does not name: " + missing);
    }

    @Test
    void theFolderReadmesNameEveryFolder() throws IOException {
        Path root = RepositoryTextTest.root();
        List<String> missing = new ArrayList<>();
        String models = Files.readString(root.resolve("models/README.md"));
        folders(root.resolve("models")).stream().filter(f -> !models.contains(f)).forEach(f -> missing.add("models/" + f));
        String testdata = Files.readString(root.resolve("testdata/README.md"));
        folders(root.resolve("testdata")).stream().filter(f -> !testdata.contains(f)).forEach(f -> missing.add("testdata/" + f));
        folders(root.resolve("testdata/golden")).stream().filter(f -> !testdata.contains("golden/" + f))
                .forEach(f -> missing.add("testdata/golden/" + f));
        assertTrue(missing.isEmpty(), "folders their README does not name: " + missing);
    }

    private static List<String> folders(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
        }
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
