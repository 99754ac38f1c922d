package videollama.benchmarks.stages;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code bench --chart FILE.png}: the profiled kernels against the roofline measured in the same run, drawn with
 * XChart (headless Java2D) into one PNG of the requested size. Left: the roofline, GFLOP/s against arithmetic
 * intensity (FLOP per byte, both axes logarithmic), the ceiling min(GEMM GFLOP/s, read GB/s × intensity) as a line and
 * each op as a point; right: each op's achieved GB/s as a bar beside the measured read bandwidth. Ops whose bytes came
 * from cache are named "(cache)", those faster than the measured bandwidth with more bytes than the cache holds
 * "(above measured)" ({@link videollama.kernels.Profile#source}).
 */
public final class RooflineChart {
    private RooflineChart() {}

    public static void write(Path png, int width, int height, BenchReport report) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            int left = width / 2;
            roofline(report, left, height).paint(g, left, height);
            g.translate(left, 0);
            bandwidth(report, width - left, height).paint(g, width - left, height);
        } finally {
            g.dispose();
        }
        try {
            if (!ImageIO.write(image, "png", png.toFile())) {
                throw new IllegalStateException("no PNG writer in this JVM");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String label(BenchReport.Kernel k) {
        return k.fromDram() ? k.op() : k.op() + " (" + k.bytesFrom() + ")";
    }

    private static XYChart roofline(BenchReport report, int width, int height) {
        Roofline roof = report.roofline();
        XYChart chart = new XYChartBuilder().width(width).height(height)
                .title(String.format(Locale.ROOT, "%s %s on %s: roofline", report.model().shape(), report.model().weightType(),
                        report.backend().name()))
                .xAxisTitle("FLOP per byte").yAxisTitle("GFLOP/s").build();
        style(chart.getStyler());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE); // one row per op
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(9);
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (double i = 0.01; i <= 1000; i *= 1.25) {
            x.add(i);
            y.add(roof.ceiling(i));
        }
        XYSeries line = chart.addSeries(String.format(Locale.ROOT, "ceiling: %.1f GB/s%s", roof.readGBs(),
                roof.gflops() > 0 ? String.format(Locale.ROOT, ", %.0f GFLOP/s", roof.gflops()) : ""), x, y);
        line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        line.setMarker(SeriesMarkers.NONE);
        line.setLineColor(Color.BLACK);
        for (BenchReport.Kernel k : report.kernels()) {
            if (k.flopsPerStep() > 0 && k.bytesPerStep() > 0 && k.gigaflopsPerSecond() > 0) {
                chart.addSeries(label(k), new double[] {k.flopsPerStep() / (double) k.bytesPerStep()},
                        new double[] {k.gigaflopsPerSecond()});
            }
        }
        return chart;
    }

    private static CategoryChart bandwidth(BenchReport report, int width, int height) {
        CategoryChart chart = new CategoryChartBuilder().width(width).height(height)
                .title(String.format(Locale.ROOT, "achieved GB/s (measured read bandwidth %.1f GB/s)", report.roofline().readGBs()))
                .xAxisTitle("op").yAxisTitle("GB/s").build();
        style(chart.getStyler());
        chart.getStyler().setXAxisLabelRotation(45);
        chart.getStyler().setOverlapped(true);
        List<String> ops = report.kernels().stream().map(RooflineChart::label).toList();
        chart.addSeries("achieved", ops, report.kernels().stream().map(BenchReport.Kernel::gigabytesPerSecond).toList());
        chart.addSeries("read bandwidth", ops, ops.stream().map(o -> report.roofline().readGBs()).toList())
                .setFillColor(new Color(0, 0, 0, 40));
        return chart;
    }

    private static void style(Styler styler) {
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setToolTipsEnabled(false);
    }
}
