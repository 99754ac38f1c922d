package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * docs/ops.md leads to every op in one hop per cell: each row fills its seven cells; every op of the {@code DeviceOps}
 * families has a row; each kernel a row names is a kernel of the file it links (an OpenCL {@code __kernel}, an entry of
 * the committed PTX of the {@code .cu}); each numbered variant is the enum constant of that number; each op has a JMH
 * benchmark whose {@code -p} parameters exist. And the backends name things alike: a kernel file and a family class of
 * the same name on both, the committed PTX marked generated. (That the linked files exist is
 * {@link RepositoryTextTest}'s check.) Each failure names the docs/ops.md line.
 */
class OpCatalogueTest {
    private static final String OPS = "docs/ops.md";
    private static final String KERNELS = "kernels/src/main/java/videollama/kernels";
    private static final String SOURCES = "kernels/src/main/resources/videollama/kernels";
    private static final String PTX = "kernels/src/generated/ptx/videollama/kernels/cuda";
    private static final String BENCHMARKS = "benchmarks/src/main/java/videollama/benchmarks";
    private static final String[] COLUMNS = {"op", "computes", "reference", "OpenCL kernel", "CUDA kernel", "test", "benchmark"};

    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    /** A kernel name as the catalogue writes it: {@code matvec_split}, {@code embedding_{f32,f16,bf16}}, {@code matvec_*}. */
    private static final Pattern KERNEL_NAME = Pattern.compile("[a-z][a-z0-9_{},]*\\*?");
    private static final Pattern OP_NAME = Pattern.compile("[a-z][A-Za-z0-9]*");
    private static final Pattern OP_METHOD = Pattern.compile("\\b([a-z]\\w*)\\(\\s*TaskGraph\\b");
    private static final Pattern CL_KERNEL = Pattern.compile("__kernel\\s+(?:__attribute__\\(\\(.*?\\)\\)\\s+)?void\\s+(\\w+)");
    /** {@code #define NAME(SUFFIX, ...) body} up to the first line that does not end in a backslash. */
    private static final Pattern CL_KERNEL_MACRO = Pattern.compile("#define\\s+(\\w+)\\((\\w+)[^)]*\\)((?:[^\\n]*\\\\\\n)*[^\\n]*)");
    private static final Pattern PTX_ENTRY = Pattern.compile("\\.entry\\s+(\\w+)");
    /** "[`OpenCLGemvOps`](...)`.Variant`: 1 `ROWS` ..., 2 `WIDE` ...". */
    private static final Pattern VARIANTS = Pattern.compile("\\[`(\\w+)`\\]\\(([^)]+)\\)[^\\[]*?`\\.(\\w+)`:(.*)");
    private static final Pattern NUMBERED = Pattern.compile("(?:^\\s*|[:,;] )(\\d+) `([A-Z0-9_]+)`");
    private static final Pattern BENCH_PARAM = Pattern.compile("-p (\\w+)=([\\w:.]+)");
    /** {@code @Param({"a", "b"}) // comment} then {@code public String name;}. */
    private static final Pattern PARAM_FIELD = Pattern.compile("@Param\\(\\{([^}]*)\\}\\)[^;]*?\\s(\\w+);");

    /** A table row of docs/ops.md: its line number and cells. */
    record Row(int line, List<String> cells) {
        String where() {
            return OPS + ":" + line + " (" + cells.getFirst() + ")";
        }

        String cell(int column) {
            return cells.get(column);
        }
    }

    @Test
    void everyRowFillsItsSevenCells() {
        List<Row> rows = rows();
        assertTrue(rows.size() >= 20, "rows of " + OPS + ": " + rows.size());
        List<String> problems = new ArrayList<>();
        for (Row row : rows) {
            if (row.cells().size() != COLUMNS.length) {
                problems.add(row.where() + ": " + row.cells().size() + " cells, not " + COLUMNS.length);
                continue;
            }
            for (int c = 0; c < COLUMNS.length; c++) {
                if (row.cell(c).isBlank() || row.cell(c).equals("—")) {
                    problems.add(row.where() + ": no " + COLUMNS[c]);
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyOpOfTheDeviceOpsFamiliesHasARowAndEveryRowIsAnOp() {
        Set<String> methods = new TreeSet<>();
        try (Stream<Path> files = Files.list(root().resolve(KERNELS))) {
            files.filter(f -> f.getFileName().toString().endsWith("Ops.java"))
                    .forEach(f -> OP_METHOD.matcher(read(f)).results().forEach(m -> methods.add(m.group(1))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertTrue(methods.containsAll(Set.of("rmsNorm", "decodeAttention", "linear", "attention")), "ops found: " + methods);
        Set<String> catalogued = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        for (Row row : rows()) {
            for (String name : codes(row.cell(0))) {
                if (OP_NAME.matcher(name).matches()) {
                    catalogued.add(name);
                    if (!methods.contains(name)) {
                        problems.add(row.where() + ": `" + name + "` is no op of " + KERNELS + "/*Ops.java");
                    }
                }
            }
        }
        for (String m : methods) {
            if (!catalogued.contains(m)) {
                problems.add(OPS + ": no row for the op " + m);
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyKernelARowNamesIsInTheKernelFileItLinks() {
        List<String> problems = new ArrayList<>();
        for (Row row : rows()) {
            problems.addAll(missingKernels(row, row.cell(3), ".cl", file -> clKernels(read(file))));
            problems.addAll(missingKernels(row, row.cell(4), ".cu", file -> {
                String name = file.getFileName().toString().replaceFirst("\\.cu$", ".ptx");
                Path ptx = root().resolve(PTX).resolve(name);
                return Files.exists(ptx) ? matches(PTX_ENTRY, read(ptx)) : Set.of();
            }));
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyNumberedVariantIsTheEnumConstantOfThatNumber() throws ClassNotFoundException {
        int checked = 0;
        List<String> problems = new ArrayList<>();
        for (Row row : rows()) {
            for (int column : new int[] {3, 4}) {
                Matcher v = VARIANTS.matcher(row.cell(column));
                if (!v.find()) {
                    continue;
                }
                String className = v.group(2).replaceFirst("^.*/java/", "").replaceFirst("\\.java$", "").replace('/', '.');
                Object[] constants = Class.forName(className + "$" + v.group(3), false, getClass().getClassLoader())
                        .getEnumConstants();
                Matcher n = NUMBERED.matcher(v.group(4));
                List<String> named = new ArrayList<>();
                while (n.find()) {
                    int number = Integer.parseInt(n.group(1));
                    named.add(n.group(2));
                    String actual = number >= 1 && number <= constants.length ? constants[number - 1].toString() : "none";
                    if (!actual.equals(n.group(2))) {
                        problems.add(row.where() + ": " + v.group(1) + "." + v.group(3) + " " + number + " is " + actual
                                + ", not " + n.group(2));
                    }
                    checked++;
                }
                if (named.size() != constants.length) {
                    problems.add(row.where() + ": " + v.group(1) + "." + v.group(3) + " has " + constants.length
                            + " variants, the row numbers " + named);
                }
            }
        }
        assertTrue(checked >= 10, "numbered variants found: " + checked);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyOpHasABenchmarkWhoseParametersExist() {
        List<String> problems = new ArrayList<>();
        for (Row row : rows()) {
            String cell = row.cell(6);
            Matcher link = LINK.matcher(cell);
            if (!link.find() || !link.group(1).startsWith("../" + BENCHMARKS + "/")) {
                problems.add(row.where() + ": the benchmark is no link into " + BENCHMARKS + ": " + cell);
                continue;
            }
            String source = benchmarkSource(root().resolve(OPS).getParent().resolve(link.group(1)).normalize());
            if (!source.contains("@Benchmark")) {
                problems.add(row.where() + ": " + link.group(1) + " has no @Benchmark method");
            }
            Matcher p = BENCH_PARAM.matcher(cell);
            while (p.find()) {
                List<String> values = paramValues(source, p.group(1));
                if (values == null) {
                    problems.add(row.where() + ": " + link.group(1) + " has no @Param " + p.group(1));
                } else if (p.group(1).equals("op") && !values.contains(p.group(2))) {
                    problems.add(row.where() + ": " + link.group(1) + "'s op parameter does not list " + p.group(2));
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void bothBackendsNameKernelFilesAndFamilyClassesAlike() {
        Path root = root();
        Set<String> cl = kernelFiles(root.resolve(SOURCES + "/opencl"), ".cl", "__kernel");
        Set<String> cu = kernelFiles(root.resolve(SOURCES + "/cuda"), ".cu", "__global__");
        assertTrue(cl.contains("decode_attention") && cl.contains("rmsnorm"), "OpenCL kernel files: " + cl);
        assertEquals(cl, cu, "kernel files with kernels: OpenCL (left) and CUDA (right)");
        Set<String> ptx = new TreeSet<>();
        for (String name : cu) {
            if (Files.exists(root.resolve(PTX).resolve(name + ".ptx"))) {
                ptx.add(name);
            }
        }
        assertEquals(cu, ptx, "a committed PTX in " + PTX + " for every .cu");
        assertTrue(read(root.resolve(".gitattributes")).lines()
                        .anyMatch(l -> l.matches("(kernels/src/generated/\\*\\*|\\*\\.ptx)\\s+.*linguist-generated=true.*")),
                ".gitattributes marks the committed PTX as generated");

        Set<String> openclFamilies = classes(root.resolve(KERNELS + "/opencl"), "OpenCL");
        Set<String> cudaFamilies = classes(root.resolve(KERNELS + "/cuda"), "Cuda");
        assertTrue(openclFamilies.contains("NormOps"), "OpenCL family classes: " + openclFamilies);
        assertEquals(openclFamilies, cudaFamilies, "family classes: OpenCL<Family> (left) and Cuda<Family> (right)");
        for (String family : openclFamilies) {
            assertTrue(family.equals("Ops") || Files.exists(root.resolve(KERNELS).resolve(family + ".java")),
                    "OpenCL" + family + " and Cuda" + family + " implement no " + KERNELS + "/" + family + ".java");
        }
    }

    /** The checks can fail: a row naming a kernel its file lacks, and a variant out of its place, are found. */
    @Test
    void findsPlantedCases() throws ClassNotFoundException {
        Row row = new Row(1, List.of("`rmsNorm`", "x", "r",
                "[`rmsnorm.cl`](../" + SOURCES + "/opencl/rmsnorm.cl) `rms_norm`, `rms_norm_{a,b}`",
                "[`rmsnorm.cu`](../" + SOURCES + "/cuda/rmsnorm.cu) `rms_*`, `no_such_*`", "t", "b"));
        List<String> found = new ArrayList<>();
        found.addAll(missingKernels(row, row.cell(3), ".cl", file -> clKernels(read(file))));
        found.addAll(missingKernels(row, row.cell(4), ".cu", file -> Set.of("rms_norm")));
        assertEquals(List.of("rms_norm_a", "rms_norm_b", "no_such_*"),
                found.stream().map(p -> p.substring(p.lastIndexOf(' ') + 1)).toList(), String.join("\n", found));
        assertEquals(List.of("a_x_c", "a_y_c"), expand("a_{x,y}_c"));
        String source = "@Param({\"head\", \"tail\"}) // and \"other\"\n    public String op;";
        assertEquals(List.of("head", "tail"), paramValues(source, "op"));
        assertNull(paramValues(source, "shape"));
    }

    // ---- the checks

    private interface Kernels {
        Set<String> of(Path file);
    }

    /** The kernel names of {@code cell} that none of the {@code extension} files it links holds. */
    private static List<String> missingKernels(Row row, String cell, String extension, Kernels kernels) {
        Set<String> defined = new TreeSet<>();
        int files = 0;
        Matcher link = LINK.matcher(cell);
        while (link.find()) {
            if (link.group(1).endsWith(extension)) {
                files++;
                defined.addAll(kernels.of(root().resolve(OPS).getParent().resolve(link.group(1)).normalize()));
            }
        }
        List<String> problems = new ArrayList<>();
        if (files == 0) {
            problems.add(row.where() + ": links no " + extension + " file");
        }
        for (String code : codes(cell.replaceAll(LINK.pattern(), ""))) {
            if (!KERNEL_NAME.matcher(code).matches()) {
                continue; // a variant's constant (`ROWS`), a kernel name's suffix (`_wide`)
            }
            for (String name : expand(code)) {
                boolean found = name.endsWith("*")
                        ? defined.stream().anyMatch(d -> d.startsWith(name.substring(0, name.length() - 1)))
                        : defined.contains(name);
                if (!found) {
                    problems.add(row.where() + ": no kernel " + name);
                }
            }
        }
        return problems;
    }

    /** {@code a_{x,y}_c} as {@code a_x_c}, {@code a_y_c}. */
    static List<String> expand(String name) {
        int open = name.indexOf('{');
        if (open < 0) {
            return List.of(name);
        }
        int close = name.indexOf('}', open);
        List<String> names = new ArrayList<>();
        for (String choice : name.substring(open + 1, close).split(",")) {
            names.addAll(expand(name.substring(0, open) + choice + name.substring(close + 1)));
        }
        return names;
    }

    /** The values of the {@code @Param} field {@code field}, or null when there is none. */
    static List<String> paramValues(String source, String field) {
        Matcher m = PARAM_FIELD.matcher(source);
        while (m.find()) {
            if (m.group(2).equals(field)) {
                return Stream.of(m.group(1).split(",")).map(v -> v.strip().replace("\"", "")).toList();
            }
        }
        return null;
    }

    /** A benchmark class's source followed by its superclasses' in the same folder (their {@code @Param}s and methods). */
    private static String benchmarkSource(Path file) {
        StringBuilder source = new StringBuilder();
        for (Path f = file; Files.exists(f); ) {
            String text = read(f);
            source.append(text).append('\n');
            Matcher parent = Pattern.compile("class \\w+(?:<[^>]*>)? extends (\\w+)").matcher(text);
            if (!parent.find()) {
                break;
            }
            f = f.resolveSibling(parent.group(1) + ".java");
        }
        return source.toString();
    }

    static List<String> codes(String text) {
        return CODE.matcher(text).results().map(m -> m.group(1)).toList();
    }

    /**
     * The kernels an OpenCL C source declares: written out, or made by a macro ({@code #define NAME(SUFFIX, ...)} whose
     * body declares {@code __kernel void prefix_##SUFFIX}) for each of its uses ({@code NAME(wide, ...)} at a line's
     * start), as q8_0.cl makes its CPU variants.
     */
    static Set<String> clKernels(String source) {
        Set<String> names = matches(CL_KERNEL, source);
        Matcher define = CL_KERNEL_MACRO.matcher(source);
        while (define.find()) {
            String macro = define.group(1);
            String suffix = define.group(2);
            String body = define.group(3);
            Matcher kernel = Pattern.compile("__kernel\\s+void\\s+(\\w*)##" + suffix + "\\b").matcher(body);
            Matcher use = Pattern.compile("(?m)^" + macro + "\\((\\w+)").matcher(source);
            List<String> prefixes = kernel.results().map(m -> m.group(1)).toList();
            use.results().forEach(u -> prefixes.forEach(prefix -> names.add(prefix + u.group(1))));
        }
        return names;
    }

    private static Set<String> matches(Pattern p, String text) {
        Set<String> names = new TreeSet<>();
        p.matcher(text).results().forEach(m -> names.add(m.group(1)));
        return names;
    }

    /** The base names of the files in {@code dir} ending in {@code extension} that contain {@code marker}. */
    private static Set<String> kernelFiles(Path dir, String extension, String marker) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(extension) && read(f).contains(marker))
                    .map(f -> f.getFileName().toString().replace(extension, ""))
                    .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code <prefix><Family>.java} in {@code dir}, as the family names (with {@code Ops} for the class of no family). */
    private static Set<String> classes(Path dir, String prefix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith(prefix) && n.endsWith("Ops.java"))
                    .map(n -> n.substring(prefix.length(), n.length() - ".java".length()))
                    .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The rows of docs/ops.md's tables, header and rule lines left out. */
    static List<Row> rows() {
        String[] lines = read(root().resolve(OPS)).split("\n", -1);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.startsWith("| `")) {
                String inner = line.substring(1, line.endsWith("|") ? line.length() - 1 : line.length());
                rows.add(new Row(i + 1, Stream.of(inner.split("\\|", -1)).map(String::strip).toList()));
            }
        }
        return rows;
    }

    private static Path root() {
        return RepositoryTextTest.root();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }
}
