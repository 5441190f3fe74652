package herd.fix.demo;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The comparison as PNG line charts, one line per strategy against the number of workers
 * (on a log2 axis): for each workload, the wake-ups per connection, the p99 accept latency
 * and the fairness of the accepts. Renders off screen, without a display.
 */
public final class ComparisonCharts {
    static {
        // Before any AWT class is initialised: java.awt.Color's initializer already asks whether the JVM is headless.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Every chart's width, in pixels. */
    public static final int WIDTH = 800;
    /** Every chart's height, in pixels. */
    public static final int HEIGHT = 480;

    /** Strategy i gets colour i % 8 and marker i % 7: up to 56 strategies look different. */
    private static final Color[] COLOURS = {new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73),
            new Color(0xCC79A7), new Color(0xE69F00), new Color(0x56B4E9), Color.BLACK, new Color(0x999999)};
    private static final Marker[] MARKERS = {SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND,
            SeriesMarkers.TRIANGLE_UP, SeriesMarkers.TRIANGLE_DOWN, SeriesMarkers.CROSS, SeriesMarkers.PLUS};

    /** Strategy i also gets dash pattern i % 4, so that lines that coincide still show. */
    private static final BasicStroke[] LINES = {SeriesLines.SOLID, SeriesLines.DASH_DASH, SeriesLines.DASH_DOT,
            SeriesLines.DOT_DOT};

    /**
     * One kind of chart: its file prefix, title, y axis title, the value plotted, the y axis
     * top (null: fit), and whether the y axis is logarithmic (for values that are never 0).
     */
    private record Metric(String file, String title, String yAxis, ToDoubleFunction<ComparisonRow> value, Double yMax,
                          boolean logY) {
    }

    private static final List<Metric> METRICS = List.of(
            new Metric("wakeups", "Wake-ups per connection", "wake-ups per connection (log scale)",
                    r -> r.figures().wakeupsPerConnection(), null, true),
            new Metric("latency-p99", "p99 accept latency", "p99 accept latency (ms, virtual time)",
                    ComparisonRow::latencyP99Ms, null, false),
            new Metric("fairness", "Fairness of the accepts", "Jain's fairness index (1 = equal)",
                    r -> r.figures().fairness(), 1.0, false));

    private ComparisonCharts() {
    }

    /**
     * Writes {@code wakeups-W.png}, {@code latency-p99-W.png} and {@code fairness-W.png} for
     * each workload W of {@code rows} into {@code dir} (created if missing), and returns
     * them: workloads in the order they first appear, those three charts for each.
     */
    public static List<Path> render(List<ComparisonRow> rows, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> strategies = rows.stream().map(ComparisonRow::strategy).distinct().toList();
        List<Path> files = new ArrayList<>();
        for (String workload : rows.stream().map(ComparisonRow::workload).distinct().toList()) {
            List<ComparisonRow> ofWorkload = rows.stream().filter(r -> r.workload().equals(workload)).toList();
            for (Metric metric : METRICS) {
                Map<String, List<Point>> lines = new LinkedHashMap<>();
                for (ComparisonRow r : ofWorkload) {
                    lines.computeIfAbsent(r.strategy(), k -> new ArrayList<>())
                            .add(new Point(r.figures().workers(), metric.value().applyAsDouble(r)));
                }
                Path file = dir.resolve(metric.file() + "-" + workload + ".png");
                write(file, metric.title() + ", " + workload + " workload", metric.yAxis(), metric.logY(), metric.yMax(),
                        strategies, lines);
                files.add(file);
            }
        }
        return files;
    }

    /** One point of a line: a worker count and the value measured with it. */
    public record Point(int workers, double value) {
    }

    /**
     * Writes one chart to {@code file} (PNG): a line per strategy that {@code lines} has,
     * against the workers on a log2 axis; strategy i of {@code strategies} gets colour,
     * marker and dash pattern i on every chart. The y axis is logarithmic if {@code logY}
     * (for values that are never 0), otherwise linear from 0 to {@code yMax} (null: fit).
     */
    public static void write(Path file, String title, String yAxis, boolean logY, Double yMax, List<String> strategies,
                             Map<String, List<Point>> lines) throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("workers (log2 scale)").yAxisTitle(yAxis).build();
        XYStyler styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE)
                .setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 18))
                .setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13))
                .setLegendPosition(Styler.LegendPosition.OutsideE)
                .setMarkerSize(8);
        styler.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14))
                .setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13))
                .setLocale(Locale.ROOT)
                // The log2 axis: x is log2(workers), labelled with the worker count.
                .setxAxisTickLabelsFormattingFunction(x -> Long.toString(Math.round(Math.pow(2, x))))
                .setYAxisMax(yMax);
        if (logY) {
            styler.setYAxisLogarithmic(true);
        } else {
            styler.setYAxisMin(0.0); // linear from 0: a strategy that measures 0 stays on the chart
        }
        for (int i = 0; i < strategies.size(); i++) {
            List<Point> line = lines.get(strategies.get(i));
            if (line == null || line.isEmpty()) {
                continue;
            }
            List<Point> sorted = line.stream().sorted(Comparator.comparingInt(Point::workers)).toList();
            XYSeries series = chart.addSeries(strategies.get(i),
                    sorted.stream().mapToDouble(p -> Math.log(p.workers()) / Math.log(2)).toArray(),
                    sorted.stream().mapToDouble(Point::value).toArray());
            series.setMarker(MARKERS[i % MARKERS.length]);
            series.setMarkerColor(COLOURS[i % COLOURS.length]);
            series.setLineColor(COLOURS[i % COLOURS.length]);
            series.setLineStyle(LINES[i % LINES.length]);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }
}
