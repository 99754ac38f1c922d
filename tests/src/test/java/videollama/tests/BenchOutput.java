package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Checks on what {@code videollama bench} prints for a media branch, shared by the vision and audio bench tests. */
final class BenchOutput {
    private BenchOutput() {}

    /**
     * The median of the {@code per} line (e.g. "ms/video", "ms/3 clips") lies between its min and max, and the
     * {@code rate} line (e.g. "frames/s") is {@code count} over the median.
     */
    static void assertTimesAgree(String out, String per, String rate, int count) {
        Matcher m = Pattern.compile(Pattern.quote(per) + " {2}median ([0-9.]+) {2}min ([0-9.]+) {2}max ([0-9.]+)").matcher(out);
        assertTrue(m.find(), out);
        double median = Double.parseDouble(m.group(1));
        double min = Double.parseDouble(m.group(2));
        double max = Double.parseDouble(m.group(3));
        assertTrue(min > 0 && min <= median && median <= max, out);
        Matcher f = Pattern.compile(Pattern.quote(rate) + " {2}([0-9.]+)").matcher(out);
        assertTrue(f.find(), out);
        // the median is printed to 0.1 ms: the rate from it may differ by the rounding's effect, n·1000·0.05 / median²
        assertEquals(count * 1000 / median, Double.parseDouble(f.group(1)), 0.01 + count * 1000 * 0.05 / (median * median), out);
    }

    /**
     * A device run with {@code --profile} and {@code --bandwidth-gbs}: the kernel table has a row for each of
     * {@code stages}, no kernel outside them, a row for each of {@code kernels} and the bandwidth column; the first
     * encode said its {@code softTokens} on stderr.
     */
    static void assertProfiledStages(Cli run, int softTokens, List<String> stages, List<String> kernels) {
        String out = run.out();
        for (String row : stages) {
            assertTrue(out.contains(row), row + " in\n" + out);
        }
        assertTrue(out.contains("kernel time, 1 profiled run"), out);
        assertFalse(out.contains("other kernels"), "every kernel belongs to a stage: " + out);
        for (String kernel : kernels) {
            assertTrue(out.contains(kernel), kernel + " in\n" + out);
        }
        assertTrue(out.contains("of bandwidth"), out);
        assertTrue(run.err().contains("first encode (uploads the weights, builds the graph) ... " + softTokens + " soft tokens"), run.err());
    }
}
