package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
