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
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns JMH's JSON results into {@code results.md} (the machine, the JDK and the date;
 * a table per benchmark; the ratios the course quotes) and the charts: connections per
 * second and wake-ups per connection against the workers, a line per strategy, for the
 * trickle and the burst; it also drops the sample-time histograms from the JSON, which
 * keeps the percentiles. Per-connection figures are the iteration counts summed, divided
 * by the connections summed; the fairness is the mean of the iterations' indexes.
 */
public final class Report {
    private static final double SECONDS_TO_MICROS = 1e6;

    private Report() {
    }

    /** One strategy benchmark, both modes merged. */
    record Row(String shape, String strategy, int workers, double throughput, double throughputError,
               double wakeups, double spurious, double hidden, double contextSwitches, double fairness, double p50Micros,
               double p99Micros) {
    }

    /** Where a README holds the latest results: between these two lines, rewritten by each full run. */
    static final String BEGIN = "<!-- benchmarks:begin (written by herd.bench.Suite; do not edit) -->";
    static final String END = "<!-- benchmarks:end -->";

    /**
     * Reads {@code json} and writes the report and charts into {@code dir}; if
     * {@code readme} is not null, also rewrites its block of results (the ratios, the
     * primitives, the charts, a link to the whole table).
     */
    public static void write(Path json, Path dir, boolean smoke, Path readme) throws IOException {
        JsonArray results = JsonParser.parseString(Files.readString(json)).getAsJsonArray();
        Files.writeString(json, compact(results));
        List<Row> rows = rows(results);
        String machine = Machine.describe() + ", " + LocalDate.now() + ".\n\n";
        StringBuilder md = new StringBuilder();
        md.append(smoke ? "# Benchmarks (smoke run: the numbers only show that it runs)\n\n" : "# Benchmarks\n\n");
        md.append(machine).append(strategyTable(rows)).append(ratios(rows)).append(primitives(results));
        Files.writeString(dir.resolve("results.md"), md.toString());
        List<String> charts = charts(rows, dir);
        System.out.println("Wrote " + dir.resolve("results.md") + " and its charts");
        if (readme != null) {
            Path rel = readme.toAbsolutePath().getParent().relativize(dir.toAbsolutePath());
            StringBuilder block = new StringBuilder(machine)
                    .append((ratios(rows) + primitives(results)).replace("## ", "### "));
            for (String chart : charts) {
                block.append("![").append(chart).append("](").append(rel.resolve(chart)).append(")\n");
            }
            block.append("\nEvery strategy and worker count: [").append(rel.resolve("results.md")).append("](")
                    .append(rel.resolve("results.md")).append(").\n");
            Files.writeString(readme, replaceBlock(Files.readString(readme), block.toString()));
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

    /** {@code text} with what stands between {@link #BEGIN} and {@link #END} replaced by {@code block}. */
    static String replaceBlock(String text, String block) {
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("no results block: the README needs the lines " + BEGIN + " and " + END);
        }
        return text.substring(0, begin + BEGIN.length()) + "\n" + block + text.substring(end);
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
            rows.add(new Row(k[0], k[1], Integer.parseInt(k[2]), primary.get("score").getAsDouble(),
                    error(primary), sum(secondary, "wakeups") / connections, sum(secondary, "spurious") / connections,
                    sum(secondary, "hidden") / connections, switches < 0 ? Double.NaN : switches / connections,
                    mean(secondary, "fairness"),
                    percentiles == null ? Double.NaN : percentiles.get("50.0").getAsDouble() * SECONDS_TO_MICROS,
                    percentiles == null ? Double.NaN : percentiles.get("99.0").getAsDouble() * SECONDS_TO_MICROS));
        }
        return rows;
    }

    private static double error(JsonObject primary) {
        double e = primary.get("scoreError").getAsDouble();
        return Double.isNaN(e) ? 0 : e;
    }

    /** The sum of a counter's raw iteration values over every fork. */
    private static double sum(JsonObject secondary, String counter) {
        double s = 0;
        for (JsonElement fork : secondary.getAsJsonObject(counter).getAsJsonArray("rawData")) {
            for (JsonElement v : fork.getAsJsonArray()) {
                s += v.getAsDouble();
            }
        }
        return s;
    }

    /** The mean of a counter's raw iteration values. */
    private static double mean(JsonObject secondary, String counter) {
        double s = 0;
        int n = 0;
        for (JsonElement fork : secondary.getAsJsonObject(counter).getAsJsonArray("rawData")) {
            for (JsonElement v : fork.getAsJsonArray()) {
                s += v.getAsDouble();
                n++;
            }
        }
        return s / n;
    }

    static String strategyTable(List<Row> rows) {
        StringBuilder md = new StringBuilder("## The strategies on real threads\n\n");
        md.append("| load | strategy | workers | connections/s | wake-ups/conn | spurious/conn | hidden/conn "
                + "| OS context switches/conn | fairness | latency p50 (µs) | latency p99 (µs) |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %,.0f ± %,.0f | %.2f | %.2f | %.2f | %s | %.2f | %.1f | %.1f |%n",
                    r.shape(), r.strategy(), r.workers(), r.throughput(), r.throughputError(), r.wakeups(), r.spurious(),
                    r.hidden(), Double.isNaN(r.contextSwitches()) ? "n/a" : String.format(Locale.ROOT, "%.2f",
                            r.contextSwitches()), r.fairness(), r.p50Micros(), r.p99Micros()));
        }
        return md.append('\n').toString();
    }

    /** EPOLLEXCLUSIVE's throughput over the herd's, for each load and worker count both have. */
    static String ratios(List<Row> rows) {
        StringBuilder md = new StringBuilder("## EPOLLEXCLUSIVE against the herd\n\n");
        md.append("| load | workers | herd (connections/s) | EPOLLEXCLUSIVE (connections/s) | ratio |\n"
                + "|---|---:|---:|---:|---:|\n");
        for (Row herd : rows) {
            if (!herd.strategy().equals("herd")) {
                continue;
            }
            for (Row x : rows) {
                if (x.strategy().equals("EPOLLEXCLUSIVE") && x.shape().equals(herd.shape())
                        && x.workers() == herd.workers()) {
                    md.append(String.format(Locale.ROOT, "| %s | %d | %,.0f ± %,.0f | %,.0f ± %,.0f | %.2f |%n",
                            herd.shape(), herd.workers(), herd.throughput(), herd.throughputError(), x.throughput(),
                            x.throughputError(), x.throughput() / herd.throughput()));
                }
            }
        }
        return md.append('\n').toString();
    }

    static String primitives(JsonArray results) {
        StringBuilder md = new StringBuilder("## The primitives\n\n| benchmark | parameters | ns/op |\n|---|---|---:|\n");
        Double floor = null;
        Double exclusive = null;
        for (JsonElement e : results) {
            JsonObject r = e.getAsJsonObject();
            String benchmark = r.get("benchmark").getAsString();
            if (benchmark.contains("StrategyBench")) {
                continue;
            }
            String name = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
            double score = r.getAsJsonObject("primaryMetric").get("score").getAsDouble();
            String params = r.has("params") ? r.getAsJsonObject("params").toString().replaceAll("[{}\"]", "") : "";
            md.append(String.format(Locale.ROOT, "| %s | %s | %,.1f |%n", name, params, score));
            if (name.endsWith("unparkFloor")) {
                floor = score;
            } else if (name.endsWith("exclusiveWakeUp")) {
                exclusive = score;
            }
        }
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
        for (String shape : rows.stream().map(Row::shape).distinct().toList()) {
            Map<String, List<Point>> throughput = new LinkedHashMap<>();
            Map<String, List<Point>> wakeups = new LinkedHashMap<>();
            for (Row r : rows) {
                if (r.shape().equals(shape)) {
                    throughput.computeIfAbsent(r.strategy(), k -> new ArrayList<>())
                            .add(new Point(r.workers(), r.throughput()));
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
        }
        return files;
    }
}
