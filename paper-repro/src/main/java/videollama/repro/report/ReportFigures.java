package videollama.repro.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import videollama.repro.judge.Metrics;

/**
 * The report's plots from the runs' metrics, drawn beside the report as {@code STEM-scores.png} and {@code
 * STEM-types.png} (the latter only when a dataset has question types). Drawing needs Java2D's fonts; where the machine
 * has none the report is still written and says why it has no plots.
 *
 * @param scores  the histogram's file name, null when not drawn
 * @param types   the accuracy-per-type plot's file name, null when not drawn
 * @param problem why nothing was drawn, null when it was
 */
public record ReportFigures(String scores, String types, String problem) {

    public static ReportFigures draw(List<Report.Run> runs, Path folder, String stem) {
        // no display is needed, or used where there is one: the plots go to files
        System.setProperty("java.awt.headless", "true");
        String scores = stem + "-scores.png";
        String types = stem + "-types.png";
        try {
            ReportPlots.scoreHistograms(folder.resolve(scores), histogramSeries(runs));
            Map<String, Map<String, Double>> perRun = accuracyPerType(runs);
            List<String> categories = perRun.values().stream().flatMap(m -> m.keySet().stream()).distinct().toList();
            if (categories.isEmpty()) {
                return new ReportFigures(scores, null, null);
            }
            List<ReportPlots.Series> series = new ArrayList<>();
            perRun.forEach((label, byType) -> series.add(new ReportPlots.Series(label, categories.stream().map(byType::get).toList())));
            ReportPlots.accuracyPerType(folder.resolve(types), categories, series);
            return new ReportFigures(scores, types, null);
        } catch (IOException | RuntimeException e) {
            return new ReportFigures(null, null, e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Error e) {
            // a JDK without fonts or its FreeType library fails with an Error ("No fonts found", UnsatisfiedLinkError):
            // say so and keep the report
            return new ReportFigures(null, null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static List<ReportPlots.Series> histogramSeries(List<Report.Run> runs) {
        List<ReportPlots.Series> series = new ArrayList<>();
        for (Report.Run run : runs) {
            for (Metrics.DatasetMetrics d : run.metrics().datasets()) {
                for (Metrics.Scores s : d.scores()) {
                    if (s.judged() == 0) {
                        continue;
                    }
                    String name = (runs.size() > 1 ? run.label() + ": " : "") + d.dataset() + (s.kind().equals("qa") ? "" : " " + s.kind());
                    series.add(new ReportPlots.Series(name, s.histogram().stream().map(n -> 100.0 * n / s.judged()).toList()));
                }
            }
        }
        return series;
    }

    /** Run label to "dataset: type" to accuracy in percent. */
    private static Map<String, Map<String, Double>> accuracyPerType(List<Report.Run> runs) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (Report.Run run : runs) {
            Map<String, Double> byType = new LinkedHashMap<>();
            for (Metrics.DatasetMetrics d : run.metrics().datasets()) {
                Metrics.Scores s = d.scores().getFirst();
                if (s.byType() == null) {
                    continue;
                }
                for (Metrics.Scores t : s.byType()) {
                    if (t.accuracy() != null) {
                        byType.put(d.dataset() + ": " + t.type(), 100 * t.accuracy());
                    }
                }
            }
            if (!byType.isEmpty()) {
                out.put(run.label(), byType);
            }
        }
        return out;
    }
}
