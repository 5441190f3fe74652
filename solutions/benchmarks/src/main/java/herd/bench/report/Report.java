package herd.bench.report;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import herd.fix.demo.ComparisonCharts;
import herd.fix.demo.ComparisonCharts.Point;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns JMH's JSON results into {@code results.md} (the run's header, {@link RunHeader};
 * EPOLLEXCLUSIVE against the herd; how the cost of a connection grows with the workers;
 * a table per benchmark) and the charts: connections per second, wake-ups and CPU time
 * per connection against the workers, a line per strategy, for the trickle and the
 * burst; it also drops the sample-time histograms from the JSON, which keeps the
 * percentiles. Every number has its 99.9 % interval and the interval's width relative to
 * the number; a row wider than ±10 % is flagged with what its iterations and the
 * machine's load show. Per-connection counts are the iteration counts summed, divided
 * by the connections summed; the CPU time per connection is the mean of the iterations'
 * and the fairness the mean of the iterations' indexes.
 */
public final class Report {
    private static final double SECONDS_TO_MICROS = 1e6;
    private static final double NANOS_TO_MICROS = 1e-3;
    /**
     * The slope of a cost is fitted from this many workers up: below, the fixed cost of a
     * connection hides what grows with the workers.
     */
    static final int FIT_FROM = 16;
    /** The worker count of the headline ratio. */
    static final int HEADLINE_WORKERS = 64;

    private Report() {
    }

    /**
     * One strategy benchmark, both modes merged.
     *
     * @param cpuMicros CPU time of every thread per connection, µs (NaN where not measured)
     * @param load      the machine's mean 1-minute load average over the iterations (NaN where not measured)
     * @param spread    the iterations' range and, with several forks, each fork's mean: what a flag shows
     */
    record Row(String shape, String strategy, int workers, Estimate throughput, Estimate cpuMicros, double wakeups,
               double spurious, double hidden, double contextSwitches, double fairness, double p50Micros,
               double p99Micros, double load, String spread) {
    }

    /** Where a README holds the latest results of the run in directory {@code name}: after this line. */
    static String begin(String name) {
        return "<!-- " + name + ":begin (written by herd.bench.Suite; do not edit) -->";
    }

    /** ... and before this one. */
    static String end(String name) {
        return "<!-- " + name + ":end -->";
    }

    /**
     * Reads {@code json} and writes the report and charts into {@code dir}; if
     * {@code readme} is not null, also rewrites its block of results named after
     * {@code dir} (the header, the headline, the ratios, the growth, the primitives, the
     * charts, a link to the whole table).
     */
    public static void write(Path json, Path dir, boolean smoke, Path readme) throws IOException {
        JsonArray results = JsonParser.parseString(Files.readString(json)).getAsJsonArray();
        Files.writeString(json, compact(results));
        List<Row> rows = rows(results);
        String header = RunHeader.read(dir) + "\n\n";
        String summary = headline(rows) + ratios(rows) + growth(rows) + primitives(results);
        StringBuilder md = new StringBuilder();
        md.append(smoke ? "# Benchmarks (smoke run: the numbers only show that it runs)\n\n" : "# Benchmarks\n\n");
        md.append(header).append(summary).append(strategyTable(rows));
        Files.writeString(dir.resolve("results.md"), md.toString());
        List<String> charts = charts(rows, dir);
        System.out.println("Wrote " + dir.resolve("results.md") + " and its charts");
        if (readme != null) {
            Path rel = readme.toAbsolutePath().getParent().relativize(dir.toAbsolutePath());
            StringBuilder block = new StringBuilder(header).append(summary.replace("## ", "### "));
            for (String chart : charts) {
                block.append("![").append(chart).append("](").append(rel.resolve(chart)).append(")\n");
            }
            block.append("\nEvery strategy and worker count: [").append(rel.resolve("results.md")).append("](")
                    .append(rel.resolve("results.md")).append(").\n");
            String name = dir.toAbsolutePath().getFileName().toString();
            Files.writeString(readme, replaceBlock(Files.readString(readme), name, block.toString()));
            System.out.println("Rewrote the results in " + readme);
        }
    }

    /**
     * The results without JMH's sample-time histograms ({@code rawDataHistogram}: every
     * sample, tens of megabytes for a full run); the percentiles computed from them stay.
     */
    static String compact(JsonArray results) {
        for (JsonElement e : results) {
            JsonObject primary = e.getAsJsonObject().getAsJsonObject("primaryMetric");
            if (primary != null) {
                primary.remove("rawDataHistogram");
            }
        }
        return new GsonBuilder().create().toJson(results);
    }

    /** {@code text} with what stands between the block {@code name}'s begin and end lines replaced by {@code block}. */
    static String replaceBlock(String text, String name, String block) {
        int begin = text.indexOf(begin(name));
        int end = text.indexOf(end(name));
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("no results block: the README needs the lines " + begin(name) + " and "
                    + end(name));
        }
        return text.substring(0, begin + begin(name).length()) + "\n" + block + text.substring(end);
    }

    static List<Row> rows(JsonArray results) {
        Map<String, JsonObject> throughput = new LinkedHashMap<>();
        Map<String, JsonObject> sample = new LinkedHashMap<>();
        for (JsonElement e : results) {
            JsonObject r = e.getAsJsonObject();
            String benchmark = r.get("benchmark").getAsString();
            if (!benchmark.contains("StrategyBench")) {
                continue;
            }
            JsonObject params = r.getAsJsonObject("params");
            String key = benchmark.substring(benchmark.lastIndexOf('.') + 1) + "|" + params.get("strategy").getAsString()
                    + "|" + params.get("workers").getAsString();
            (r.get("mode").getAsString().equals("thrpt") ? throughput : sample).put(key, r);
        }
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, JsonObject> t : throughput.entrySet()) {
            String[] k = t.getKey().split("\\|");
            JsonObject r = t.getValue();
            JsonObject primary = r.getAsJsonObject("primaryMetric");
            JsonObject secondary = r.getAsJsonObject("secondaryMetrics");
            double connections = sum(secondary, "connections");
            JsonObject percentiles = sample.containsKey(t.getKey())
                    ? sample.get(t.getKey()).getAsJsonObject("primaryMetric").getAsJsonObject("scorePercentiles") : null;
            double switches = sum(secondary, "contextSwitches");
            rows.add(new Row(k[0], k[1], Integer.parseInt(k[2]), score(primary), cpuMicros(secondary),
                    sum(secondary, "wakeups") / connections, sum(secondary, "spurious") / connections,
                    sum(secondary, "hidden") / connections, switches < 0 ? Double.NaN : switches / connections,
                    mean(secondary, "fairness"),
                    percentiles == null ? Double.NaN : percentiles.get("50.0").getAsDouble() * SECONDS_TO_MICROS,
                    percentiles == null ? Double.NaN : percentiles.get("99.0").getAsDouble() * SECONDS_TO_MICROS,
                    mean(secondary, "load"), spread(primary)));
        }
        return rows;
    }

    /** JMH's score and its error. */
    private static Estimate score(JsonObject primary) {
        return new Estimate(primary.get("score").getAsDouble(), primary.get("scoreError").getAsDouble());
    }

    /** The CPU time per connection of each iteration, in µs, and their mean; NaN where it was not measured. */
    private static Estimate cpuMicros(JsonObject secondary) {
        List<double[]> cpu = raw(secondary, "cpuNanos");
        List<double[]> connections = raw(secondary, "connections");
        List<Double> perConnection = new ArrayList<>();
        for (int f = 0; f < cpu.size(); f++) {
            for (int i = 0; i < cpu.get(f).length; i++) {
                if (cpu.get(f)[i] >= 0 && connections.get(f)[i] > 0) {
                    perConnection.add(cpu.get(f)[i] / connections.get(f)[i] * NANOS_TO_MICROS);
                }
            }
        }
        return Estimate.of(perConnection.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The iterations' range of the primary score and, with several forks, each fork's mean. */
    private static String spread(JsonObject primary) {
        List<double[]> forks = new ArrayList<>();
        if (primary.has("rawData")) {
            for (JsonElement fork : primary.getAsJsonArray("rawData")) {
                forks.add(values(fork.getAsJsonArray()));
            }
        }
        double min = forks.stream().flatMapToDouble(Arrays::stream).min().orElse(Double.NaN);
        double max = forks.stream().flatMapToDouble(Arrays::stream).max().orElse(Double.NaN);
        String range = String.format(Locale.ROOT, "iterations %,.0f–%,.0f", min, max);
        if (forks.size() < 2) {
            return range;
        }
        return range + ", fork means " + forks.stream()
                .map(f -> String.format(Locale.ROOT, "%,.0f", Arrays.stream(f).average().orElse(Double.NaN)))
                .collect(Collectors.joining(" / "));
    }

    /** A counter's raw iteration values, a row per fork; empty if the run did not count it. */
    private static List<double[]> raw(JsonObject secondary, String counter) {
        List<double[]> forks = new ArrayList<>();
        if (secondary.has(counter)) {
            for (JsonElement fork : secondary.getAsJsonObject(counter).getAsJsonArray("rawData")) {
                forks.add(values(fork.getAsJsonArray()));
            }
        }
        return forks;
    }

    private static double[] values(JsonArray array) {
        double[] v = new double[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).getAsDouble();
        }
        return v;
    }

    /** The sum of a counter's raw iteration values over every fork; NaN if the run did not count it. */
    private static double sum(JsonObject secondary, String counter) {
        List<double[]> forks = raw(secondary, counter);
        return forks.isEmpty() ? Double.NaN : forks.stream().flatMapToDouble(Arrays::stream).sum();
    }

    /** The mean of a counter's raw iteration values; NaN if the run did not count it. */
    private static double mean(JsonObject secondary, String counter) {
        return raw(secondary, counter).stream().flatMapToDouble(Arrays::stream).average().orElse(Double.NaN);
    }

    /** A row's figures wider than ±10 %, with what shows why; empty if none is. */
    static String flag(Row r) {
        List<String> wide = new ArrayList<>();
        if (!r.throughput().trusted()) {
            wide.add("connections/s ±" + r.throughput().percent());
        }
        if (!Double.isNaN(r.cpuMicros().value()) && !r.cpuMicros().trusted()) {
            wide.add("CPU ±" + r.cpuMicros().percent());
        }
        if (wide.isEmpty()) {
            return "";
        }
        return "⚠ " + String.join(", ", wide) + ": " + r.spread()
                + (Double.isNaN(r.load()) ? "" : String.format(Locale.ROOT, "; load %.1f", r.load()));
    }

    static String strategyTable(List<Row> rows) {
        StringBuilder md = new StringBuilder("## The strategies on real threads\n\n");
        md.append("Intervals are 99.9 %; ⚠ marks a figure whose interval is wider than ±10 % of it, with the "
                + "iterations' range, each fork's mean and the machine's load average while it ran.\n\n");
        md.append("| load | strategy | workers | connections/s | ± | CPU µs/conn | ± | wake-ups/conn | spurious/conn "
                + "| hidden/conn | OS context switches/conn | fairness | latency p50 (µs) | latency p99 (µs) | "
                + "unreliable |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %.2f | %.2f | %.2f | %s | %.2f "
                            + "| %s | %s | %s |%n", r.shape(), r.strategy(), r.workers(),
                    r.throughput().format("%,.0f"), r.throughput().percent(), r.cpuMicros().format("%,.1f"),
                    r.cpuMicros().percent(), r.wakeups(), r.spurious(), r.hidden(),
                    Double.isNaN(r.contextSwitches()) ? "n/a"
                            : String.format(Locale.ROOT, "%.2f", r.contextSwitches()),
                    r.fairness(), orNa(r.p50Micros()), orNa(r.p99Micros()), flag(r)));
        }
        return md.append('\n').toString();
    }

    /** A latency with one decimal, or n/a for a run without the sample-time mode. */
    private static String orNa(double micros) {
        return Double.isNaN(micros) ? "n/a" : String.format(Locale.ROOT, "%.1f", micros);
    }

    /** Each load's herd and EPOLLEXCLUSIVE rows with the same workers, as pairs. */
    private static List<Row[]> pairs(List<Row> rows) {
        List<Row[]> pairs = new ArrayList<>();
        for (Row herd : rows) {
            if (!herd.strategy().equals("herd")) {
                continue;
            }
            for (Row x : rows) {
                if (x.strategy().equals("EPOLLEXCLUSIVE") && x.shape().equals(herd.shape())
                        && x.workers() == herd.workers()) {
                    pairs.add(new Row[] {herd, x});
                }
            }
        }
        return pairs;
    }

    /** EPOLLEXCLUSIVE's throughput over the herd's, and the herd's CPU time over EPOLLEXCLUSIVE's, at 64 workers. */
    static String headline(List<Row> rows) {
        StringBuilder md = new StringBuilder();
        for (Row[] p : pairs(rows)) {
            if (p[0].workers() == HEADLINE_WORKERS) {
                Estimate ratio = p[1].throughput().over(p[0].throughput());
                Estimate cpu = p[0].cpuMicros().over(p[1].cpuMicros());
                md.append(String.format(Locale.ROOT, "- **%s, %d workers: EPOLLEXCLUSIVE serves %s times the herd's "
                                + "connections per second** (±%s)%s", p[0].shape(), HEADLINE_WORKERS, ratio.format("%.1f"),
                        ratio.percent(), ratio.trusted() ? "" : " ⚠"));
                if (!Double.isNaN(cpu.value())) {
                    md.append(String.format(Locale.ROOT, "; a connection costs the herd %s times the CPU time (±%s)%s",
                            cpu.format("%.1f"), cpu.percent(), cpu.trusted() ? "" : " ⚠"));
                }
                md.append(".\n");
            }
        }
        return md.isEmpty() ? "" : "## The headline\n\n" + md + "\n";
    }

    /** EPOLLEXCLUSIVE against the herd, for each load and worker count both have: throughput and CPU time. */
    static String ratios(List<Row> rows) {
        List<Row[]> pairs = pairs(rows);
        if (pairs.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## EPOLLEXCLUSIVE against the herd\n\n");
        md.append("| load | workers | herd (connections/s) | EPOLLEXCLUSIVE (connections/s) | ratio | ± "
                + "| herd (CPU µs/conn) | EPOLLEXCLUSIVE (CPU µs/conn) | ratio | ± |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row[] p : pairs) {
            Estimate ratio = p[1].throughput().over(p[0].throughput());
            Estimate cpu = p[0].cpuMicros().over(p[1].cpuMicros());
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %.2f | %s%s | %s | %s | %s |%n",
                    p[0].shape(), p[0].workers(), p[0].throughput().format("%,.0f"), p[1].throughput().format("%,.0f"),
                    ratio.value(), ratio.percent(), ratio.trusted() ? "" : " ⚠", p[0].cpuMicros().format("%,.1f"),
                    p[1].cpuMicros().format("%,.1f"), Double.isNaN(cpu.value()) ? "n/a | "
                            : String.format(Locale.ROOT, "%.2f | %s%s", cpu.value(), cpu.percent(),
                                    cpu.trusted() ? "" : " ⚠")));
        }
        return md.append('\n').toString();
    }

    /** Each strategy's CPU time per connection against the workers: the slope of its log-log line, per load. */
    static String growth(List<Row> rows) {
        StringBuilder md = new StringBuilder();
        for (String shape : shapes(rows)) {
            for (Map.Entry<String, List<Point>> line : costs(rows, shape).entrySet()) {
                List<Point> fitted = line.getValue().stream().filter(p -> p.workers() >= FIT_FROM).toList();
                if (fitted.size() < 3) {
                    continue;
                }
                int max = fitted.stream().mapToInt(Point::workers).max().orElseThrow();
                md.append(String.format(Locale.ROOT, "| %s | %s | %d–%d | %.2f |%n", shape, line.getKey(), FIT_FROM, max,
                        LogLogFit.slope(fitted)));
            }
        }
        if (md.isEmpty()) {
            return "";
        }
        return "## How the cost of a connection grows with the workers\n\n"
                + "The CPU time per connection against the workers, on a log-log chart: the slope of the line fitted "
                + "from " + FIT_FROM + " workers up is how the cost grows (1: in proportion to the workers, 0: not at "
                + "all).\n\n| load | strategy | workers | slope |\n|---|---|---|---:|\n" + md + "\n";
    }

    private static List<String> shapes(List<Row> rows) {
        return rows.stream().map(Row::shape).distinct().toList();
    }

    /** Each strategy's CPU µs per connection against the workers, for one load; strategies without it left out. */
    private static Map<String, List<Point>> costs(List<Row> rows, String shape) {
        Map<String, List<Point>> lines = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.shape().equals(shape) && r.cpuMicros().value() > 0) {
                lines.computeIfAbsent(r.strategy(), k -> new ArrayList<>()).add(new Point(r.workers(),
                        r.cpuMicros().value()));
            }
        }
        return lines;
    }

    static String primitives(JsonArray results) {
        StringBuilder md = new StringBuilder();
        Double floor = null;
        Double exclusive = null;
        for (JsonElement e : results) {
            JsonObject r = e.getAsJsonObject();
            String benchmark = r.get("benchmark").getAsString();
            if (benchmark.contains("StrategyBench")) {
                continue;
            }
            String name = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
            Estimate score = score(r.getAsJsonObject("primaryMetric"));
            String params = r.has("params") ? r.getAsJsonObject("params").toString().replaceAll("[{}\"]", "") : "";
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s%s |%n", name, params, score.format("%,.1f"),
                    score.percent(), score.trusted() ? "" : " ⚠"));
            if (name.endsWith("unparkFloor")) {
                floor = score.value();
            } else if (name.endsWith("exclusiveWakeUp")) {
                exclusive = score.value();
            }
        }
        if (md.isEmpty()) {
            return "";
        }
        md.insert(0, "## The primitives\n\n| benchmark | parameters | ns/op | ± |\n|---|---|---:|---:|\n");
        if (floor != null && exclusive != null) {
            md.append(String.format(Locale.ROOT, "%nWaking one parked exclusive sleeper with the model's wake_up(): "
                    + "%.0f ns, %.2f times the floor of a plain unpark (%.0f ns).%n", exclusive, exclusive / floor, floor));
        }
        return md.append('\n').toString();
    }

    /** Writes the charts into {@code dir}; returns their file names. */
    private static List<String> charts(List<Row> rows, Path dir) throws IOException {
        List<String> files = new ArrayList<>();
        List<String> strategies = rows.stream().map(Row::strategy).distinct().toList();
        for (String shape : shapes(rows)) {
            Map<String, List<Point>> throughput = new LinkedHashMap<>();
            Map<String, List<Point>> wakeups = new LinkedHashMap<>();
            for (Row r : rows) {
                if (r.shape().equals(shape)) {
                    throughput.computeIfAbsent(r.strategy(), k -> new ArrayList<>())
                            .add(new Point(r.workers(), r.throughput().value()));
                    wakeups.computeIfAbsent(r.strategy(), k -> new ArrayList<>())
                            .add(new Point(r.workers(), Math.max(r.wakeups(), 1e-3)));
                }
            }
            ComparisonCharts.write(dir.resolve("throughput-" + shape + ".png"), "Connections per second, " + shape
                    + " (real threads)", "connections per second", false, null, strategies, throughput);
            ComparisonCharts.write(dir.resolve("wakeups-" + shape + ".png"), "Wake-ups per connection, " + shape
                    + " (real threads)", "wake-ups per connection (log scale)", true, null, strategies, wakeups);
            files.add("throughput-" + shape + ".png");
            files.add("wakeups-" + shape + ".png");
            Map<String, List<Point>> costs = costs(rows, shape);
            if (!costs.isEmpty()) {
                ComparisonCharts.write(dir.resolve("cost-" + shape + ".png"), "CPU time per connection, " + shape
                        + " (real threads)", "CPU µs per connection (log scale)", true, null, strategies, costs);
                files.add("cost-" + shape + ".png");
            }
        }
        return files;
    }
}
