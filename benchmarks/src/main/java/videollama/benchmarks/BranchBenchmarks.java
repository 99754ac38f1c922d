package videollama.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import videollama.model.videollama.StageTimes;

/**
 * What the branch benchmarks ({@link VisionBranchBenchmark}, {@link AudioBranchBenchmark}) share: the bundled demo
 * model, the check of a device's stages against the reference path before anything is timed, and the stage split
 * printed at a trial's end.
 */
final class BranchBenchmarks {
    /** A device's relative error against the reference path, 1e-4 at most (docs/design.md section 7). */
    static final double TOLERANCE = 1e-4;
    /** The widest encoder checked over the whole input against the reference; wider ones are checked on one frame or clip. */
    static final int FULL_CHECK_MAX_WIDTH = 512;

    private BranchBenchmarks() {}

    /**
     * The bundled {@code models/videollama-demo}, under {@code -Dvideollama.root} (or {@code videollama.home}), else
     * under the working folder: JMH runs the benchmarks from the repository root.
     */
    static Path demoModel() {
        String root = System.getProperty("videollama.root", System.getProperty("videollama.home", ""));
        Path demo = Path.of(root, "models", "videollama-demo");
        if (!Files.isDirectory(demo)) {
            throw new IllegalStateException(demo.toAbsolutePath() + ": not found; run the benchmarks from the repository root"
                    + " or pass -Dvideollama.root=<repository>");
        }
        return demo;
    }

    /** {@code actual} within {@link #TOLERANCE} of {@code expected} (or an exception); the relative error, printed. */
    static double checked(String what, float[] expected, float[] actual) {
        BenchSupport.check(what, expected, actual, TOLERANCE);
        double error = BenchSupport.relativeError(expected, actual);
        System.out.printf(Locale.ROOT, "checked %s against the reference: %.2g relative%n", what, error);
        return error;
    }

    /** Throws if a stage holds a NaN or an infinity. */
    static void requireFinite(String what, float[]... stages) {
        for (float[] stage : stages) {
            for (float v : stage) {
                if (!Float.isFinite(v)) {
                    throw new IllegalStateException(what + ": a stage holds " + v);
                }
            }
        }
    }

    /**
     * The report of a trial's last encode: "demo, 8 clips, opencl: one more encode took 12.3 ms (checked ...)", the
     * stage table, and for a {@code released-N} shape the time extrapolated to the released depth.
     */
    static String splitReport(String shape, String backend, double wallMillis, double checkedError, StageTimes split) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s, %d %s, %s: one more encode took %.1f ms%s%n", shape,
                split.items(), split.layout().itemsName(), backend, wallMillis, Double.isNaN(checkedError) ? ""
                        : String.format(Locale.ROOT, " (checked against the reference: %.2g relative)", checkedError)));
        s.append(split.table());
        if (shape.startsWith("released-")) {
            s.append(split.releasedExtrapolation(wallMillis)).append('\n');
        }
        return s.toString();
    }
}
