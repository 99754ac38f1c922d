package videollama.benchmarks.stages;

import java.util.List;
import java.util.Locale;

/**
 * The tests of a run as llama.cpp's {@code llama-bench} prints them, a Markdown table that pastes into an issue:
 * model, size, parameters, backend, test ({@code pp512}: a 512-token prompt, {@code tg128}: 128 generated tokens),
 * tokens/s as mean ± sample standard deviation.
 */
public final class TestTable {
    private TestTable() {}

    public static String of(BenchReport.ModelInfo model, String backend, List<BenchReport.TestResult> tests) {
        StringBuilder s = new StringBuilder();
        String format = "| %-24s | %10s | %8s | %-10s | %10s | %20s |%n";
        s.append(String.format(Locale.ROOT, format, "model", "size", "params", "backend", "test", "t/s"));
        s.append(String.format(Locale.ROOT, "| %s | %s: | %s: | %s | %s: | %s: |%n", "-".repeat(24), "-".repeat(9), "-".repeat(7),
                "-".repeat(10), "-".repeat(9), "-".repeat(19)));
        for (BenchReport.TestResult t : tests) {
            s.append(String.format(Locale.ROOT, format, model.shape() + " " + model.weightType(),
                    String.format(Locale.ROOT, "%.2f GiB", model.weightBytes() / (double) (1L << 30)),
                    String.format(Locale.ROOT, "%.2f %s", model.parameters() >= 1e9 ? model.parameters() / 1e9 : model.parameters() / 1e6,
                            model.parameters() >= 1e9 ? "B" : "M"),
                    backend, t.name(), String.format(Locale.ROOT, "%.2f ± %.2f", t.meanTokensPerSecond(), t.sdTokensPerSecond())));
        }
        return s.toString();
    }

    /** A test of {@code rates} (tokens/s of each sample): their mean and sample standard deviation (0 for one sample). */
    public static BenchReport.TestResult test(String name, String what, int tokens, double[] rates) {
        double mean = 0;
        for (double r : rates) {
            mean += r / rates.length;
        }
        double squares = 0;
        for (double r : rates) {
            squares += (r - mean) * (r - mean);
        }
        double sd = rates.length > 1 ? Math.sqrt(squares / (rates.length - 1)) : 0;
        return new BenchReport.TestResult(name, what, tokens, rates.length, mean, sd);
    }
}
