package videollama.repro.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The report's two plots as PNG, drawn by XChart through Java2D without a display (the caller sets
 * {@code java.awt.headless}): how often the judge gave each score, per dataset and dimension; and the accuracy per
 * question type. The series colours are fixed so that a test can find them in the pixels.
 */
final class ReportPlots {
    /** The series colours, in order; more series than colours repeat them. */
    static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};
    static final int WIDTH = 900;
    static final int HEIGHT = 480;

    private ReportPlots() {}

    /** A bar series: its name, one value per category. */
    record Series(String name, List<Double> values) {}

    /** Score 0..5 against the share of judged replies with that score, one series per dataset and dimension. */
    static void scoreHistograms(Path png, List<Series> series) throws IOException {
        List<String> scores = List.of("0", "1", "2", "3", "4", "5");
        save(png, chart("Judge scores", "score", "% of judged replies", scores, series));
    }

    /** Accuracy per question type, one series per run. */
    static void accuracyPerType(Path png, List<String> types, List<Series> series) throws IOException {
        save(png, chart("Accuracy per question type", "dataset: question type", "accuracy %", types, series));
    }

    private static CategoryChart chart(String title, String x, String y, List<String> categories, List<Series> series) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setSeriesColors(colors(series.size()));
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setXAxisLabelRotation(categories.size() > 8 ? 45 : 0);
        chart.getStyler().setToolTipsEnabled(false);
        for (Series s : series) {
            chart.addSeries(s.name(), new ArrayList<>(categories), s.values());
        }
        return chart;
    }

    private static Color[] colors(int n) {
        Color[] out = new Color[Math.max(n, 1)];
        for (int i = 0; i < out.length; i++) {
            out[i] = COLORS[i % COLORS.length];
        }
        return out;
    }

    private static void save(Path png, CategoryChart chart) throws IOException {
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
