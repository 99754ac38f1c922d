package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The repository explains itself: no comment or document points at a file a clone does not contain, every
 * relative Markdown link of the README and docs/ leads to a file (and heading) that exists, every
 * "docs/model.md section X.Y" or "docs/design.md section N" cited anywhere is a heading of that document, and the
 * paths docs/reading-order.md and docs/ops.md name exist. Each failure names file:line.
 */
class RepositoryTextTest {
    /** Citations of documents that live outside the repository, and paths into the machine it was written on. */
    private static final List<Pattern> OUTSIDE = List.of(
            Pattern.compile("DESIGN\\.md"),
            Pattern.compile("DESIGN section"),
            Pattern.compile("videollama-spec"),
            Pattern.compile("toolchain-notes|kernel-notes"),
            Pattern.compile("\\.\\./shared"),
            Pattern.compile("\\bspec (section|§)"),
            Pattern.compile("\\b[Ss]pec [0-9§]"),
            Pattern.compile("(^|[\\s\"'`(=])/work/"));
    /** A "spec" that ends a line and a "section" or "§" that begins the next: a citation wrapped in a comment. */
    private static final Pattern SPEC_AT_END = Pattern.compile("\\bspec\\s*$");
    private static final Pattern SECTION_AT_START = Pattern.compile("^[\\s*/#\"]*(section|§)");

    private static final String NUMBER = "\\d+(?:\\.\\d+)?";
    /** "docs/model.md section 5.3", "model.md sections 2.5, 2.6", "docs/design.md section 7", "sections 2.1–2.4". */
    private static final Pattern SECTION_CITATION = Pattern.compile(
            "\\b(model|design)\\.md,? sections? (" + NUMBER + "(?:(?:, | and | or |/|–|-)" + NUMBER + ")*)");
    private static final Pattern SECTION_NUMBER = Pattern.compile(NUMBER);
    /** "## 5. Preprocessing", "### 5.3 Audio". */
    private static final Pattern NUMBERED_HEADING = Pattern.compile("^#{2,4} (" + NUMBER + ")\\.? ");
    private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+?)\\s*#*\\s*$");
    private static final Pattern MARKDOWN_LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern BACKTICKS = Pattern.compile("`([^`\\s]+)`");

    /** Not scanned: this class, which spells out what it looks for and plants cases to find. */
    private static final String SELF = "tests/src/test/java/videollama/tests/RepositoryTextTest.java";

    @Test
    void noCommentOrDocumentCitesAFileOutsideTheRepository() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> file : textFiles(root()).entrySet()) {
            if (!file.getKey().equals(SELF)) {
                problems.addAll(outsideCitations(file.getKey(), file.getValue()));
            }
        }
        assertTrue(problems.isEmpty(), "citations of files outside the repository (cite docs/model.md, "
                + "docs/design.md or the reference's code instead):\n" + String.join("\n", problems));
    }

    @Test
    void relativeLinksOfTheReadmeAndDocsLeadToFilesAndHeadingsThatExist() throws IOException {
        Path root = root();
        List<String> problems = new ArrayList<>();
        for (String doc : documents(root)) {
            problems.addAll(brokenLinks(root, doc));
        }
        assertTrue(problems.isEmpty(), "broken links:\n" + String.join("\n", problems));
    }

    @Test
    void everyCitedSectionOfModelAndDesignExists() throws IOException {
        Path root = root();
        Set<String> model = numberedHeadings(Files.readString(root.resolve("docs/model.md")));
        Set<String> design = numberedHeadings(Files.readString(root.resolve("docs/design.md")));
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> file : textFiles(root).entrySet()) {
            if (!file.getKey().equals(SELF)) {
                problems.addAll(missingSections(file.getKey(), file.getValue(), model, design));
            }
        }
        assertTrue(problems.isEmpty(), "cited sections that docs/model.md or docs/design.md does not have:\n"
                + String.join("\n", problems));
    }

    @Test
    void everyPathTheReadingOrderAndTheOpCatalogueNameExists() throws IOException {
        Path root = root();
        Set<String> fileNames = new TreeSet<>();
        for (String file : trackedFiles(root)) {
            fileNames.add(file.substring(file.lastIndexOf('/') + 1));
        }
        List<String> problems = new ArrayList<>();
        for (String doc : List.of("docs/reading-order.md", "docs/ops.md")) {
            if (Files.exists(root.resolve(doc))) {
                problems.addAll(missingPaths(root, doc, fileNames));
            }
        }
        assertTrue(problems.isEmpty(), "paths that do not exist:\n" + String.join("\n", problems));
    }

    /** The checks themselves can fail: each finds what is planted in a text. */
    @Test
    void findsPlantedCases() {
        String planted = String.join("\n",
                "/** Eps as in " + "DESIGN" + ".md section 7. */",
                "# see ../" + "shared/testdata/video",
                "// (" + "spec" + " §5.3 step 3)",
                "/* the scale of " + "spec",
                " * section 2.5 */",
                "x = 1  # ok",
                "cat /" + "work/notes/x.md");
        assertEquals(List.of("A.java:1", "A.java:2", "A.java:3", "A.java:4", "A.java:7"),
                outsideCitations("A.java", planted).stream().map(p -> p.substring(0, p.indexOf(' '))).toList());

        String cited = "see docs/model.md sections 5.1, 9.9 and docs/design.md section 7\nand model.md section 5.3";
        assertEquals(List.of("B.java:1: docs/model.md section 9.9"),
                missingSections("B.java", cited, Set.of("5.1", "5.3"), Set.of("7")));

        assertEquals(Set.of("1", "1.1", "5.3"), numberedHeadings("# Title\n## 1. One\n### 1.1 Sub\n### 5.3 Audio\n## Other"));
        assertEquals("53-audio", anchor("5.3 Audio"));
        assertEquals("7-tolerances", anchor("7. Tolerances"));
    }

    // ---- the checks, on one file's text

    static List<String> outsideCitations(String file, String text) {
        List<String> problems = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            boolean wrapped = i + 1 < lines.length && SPEC_AT_END.matcher(line).find()
                    && SECTION_AT_START.matcher(lines[i + 1]).find();
            for (Pattern p : OUTSIDE) {
                Matcher m = p.matcher(line);
                if (m.find()) {
                    problems.add(file + ":" + (i + 1) + " '" + m.group().strip() + "': " + line.strip());
                    wrapped = false;
                    break;
                }
            }
            if (wrapped) {
                problems.add(file + ":" + (i + 1) + " 'spec' + next line's section: " + line.strip());
            }
        }
        return problems;
    }

    static List<String> missingSections(String file, String text, Set<String> model, Set<String> design) {
        List<String> problems = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = SECTION_CITATION.matcher(lines[i]);
            while (m.find()) {
                Set<String> headings = m.group(1).equals("model") ? model : design;
                Matcher n = SECTION_NUMBER.matcher(m.group(2));
                while (n.find()) {
                    if (!headings.contains(n.group())) {
                        problems.add(file + ":" + (i + 1) + ": docs/" + m.group(1) + ".md section " + n.group());
                    }
                }
            }
        }
        return problems;
    }

    static Set<String> numberedHeadings(String markdown) {
        Set<String> numbers = new TreeSet<>();
        for (String line : markdown.split("\n")) {
            Matcher m = NUMBERED_HEADING.matcher(line);
            if (m.find()) {
                numbers.add(m.group(1));
            }
        }
        return numbers;
    }

    /** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
    static String anchor(String heading) {
        return heading.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    private static List<String> brokenLinks(Path root, String doc) throws IOException {
        List<String> problems = new ArrayList<>();
        Path dir = root.resolve(doc).getParent();
        String[] lines = Files.readString(root.resolve(doc)).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = MARKDOWN_LINK.matcher(lines[i]);
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^[a-z]+:.*")) {
                    continue; // https:, mailto:
                }
                int hash = target.indexOf('#');
                String path = hash < 0 ? target : target.substring(0, hash);
                Path resolved = path.isEmpty() ? root.resolve(doc) : dir.resolve(path).normalize();
                String where = doc + ":" + (i + 1) + ": " + target;
                if (!resolved.startsWith(root) || !Files.exists(resolved)) {
                    problems.add(where + " (no such file)");
                } else if (hash >= 0 && resolved.toString().endsWith(".md")
                        && !anchors(Files.readString(resolved)).contains(target.substring(hash + 1))) {
                    problems.add(where + " (no such heading)");
                }
            }
        }
        return problems;
    }

    private static Set<String> anchors(String markdown) {
        Set<String> anchors = new TreeSet<>();
        boolean fenced = false;
        for (String line : markdown.split("\n")) {
            fenced ^= line.startsWith("```");
            Matcher m = HEADING.matcher(line);
            if (!fenced && m.find()) {
                anchors.add(anchor(m.group(1)));
            }
        }
        return anchors;
    }

    /**
     * Paths in backticks or links: one whose first folder is a folder of the repository root must exist there; a
     * bare file name with an extension ({@code Foo.java}) must be the name of some tracked file.
     */
    private static List<String> missingPaths(Path root, String doc, Set<String> fileNames) throws IOException {
        List<String> problems = new ArrayList<>();
        Path dir = root.resolve(doc).getParent();
        String[] lines = Files.readString(root.resolve(doc)).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            List<String[]> named = new ArrayList<>(); // {path, base it is relative to}
            Matcher b = BACKTICKS.matcher(lines[i]);
            while (b.find()) {
                named.add(new String[] {b.group(1), "root"});
            }
            Matcher l = MARKDOWN_LINK.matcher(lines[i]);
            while (l.find()) {
                named.add(new String[] {l.group(1).replaceFirst("#.*", ""), "doc"});
            }
            for (String[] n : named) {
                String path = n[0].replaceFirst("[:#].*$", "").replaceFirst("[.,;)]+$", "");
                if (path.isEmpty() || path.contains("...") || path.contains("*") || path.contains("<")
                        || path.contains("{") || path.matches("^[a-z]+:.*")) {
                    continue;
                }
                String first = path.contains("/") ? path.substring(0, path.indexOf('/')) : "";
                boolean exists;
                if (n[1].equals("doc")) {
                    exists = Files.exists(dir.resolve(path).normalize());
                } else if (!first.isEmpty() && Files.isDirectory(root.resolve(first))) {
                    exists = Files.exists(root.resolve(path));
                } else if (!path.contains("/") && path.matches("[A-Za-z0-9_.-]+\\.(java|cl|cu|cuh|ptx|md|py|sh|xml)")) {
                    exists = fileNames.contains(path);
                } else {
                    continue;
                }
                if (!exists) {
                    problems.add(doc + ":" + (i + 1) + ": " + n[0]);
                }
            }
        }
        return problems;
    }

    // ---- the repository

    /** The root: {@code videollama.root} when Maven passes it, else the nearest folder above holding mvnw. */
    static Path root() {
        String property = System.getProperty("videollama.root");
        Path dir = (property != null ? Path.of(property) : Path.of("")).toAbsolutePath().normalize();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("mvnw")) && Files.exists(d.resolve("README.md"))) {
                return d;
            }
        }
        throw new IllegalStateException("no repository root (a folder with mvnw and README.md) above " + dir);
    }

    private static List<String> documents(Path root) {
        List<String> docs = new ArrayList<>(List.of("README.md"));
        try (Stream<Path> files = Files.list(root.resolve("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted()
                    .forEach(p -> docs.add(root.relativize(p).toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    /** Tracked files that are text (valid UTF-8 without NUL bytes), outside any target/ folder, with their text. */
    private static Map<String, String> textFiles(Path root) throws IOException {
        Map<String, String> texts = new LinkedHashMap<>();
        for (String file : trackedFiles(root)) {
            if (!file.startsWith("target/") && !file.contains("/target/")) {
                String text = textOf(root.resolve(file));
                if (text != null) {
                    texts.put(file, text);
                }
            }
        }
        return texts;
    }

    /** {@code git ls-files}, or, where there is no git (an unpacked archive), every file but target/ and .git/. */
    private static List<String> trackedFiles(Path root) {
        try {
            Process git = new ProcessBuilder("git", "-C", root.toString(), "ls-files", "-z")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = git.getInputStream().readAllBytes();
            if (git.waitFor(60, TimeUnit.SECONDS) && git.exitValue() == 0 && out.length > 0) {
                return Stream.of(new String(out, StandardCharsets.UTF_8).split("\0"))
                        .filter(f -> !f.isEmpty() && Files.isRegularFile(root.resolve(f))).toList();
            }
        } catch (IOException e) {
            // no git on this machine: walk the tree below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(f -> !f.startsWith(".git/") && !f.startsWith("target/") && !f.contains("/target/"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text of {@code file}, or null where it is not text: not valid UTF-8, or holding a NUL byte. */
    private static String textOf(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        for (byte b : bytes) {
            if (b == 0) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
