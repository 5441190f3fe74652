package herd.fix.demo;

import herd.nginx.HerdFigures;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The comparison's CPU dimension: the trickle on 1, 2, 4, 16 and 64 virtual CPUs run as
 * Linux runs them ({@link ComparisonRunner#onCpus}), for the strategies the real-kernel
 * cross-check also runs. Per connection: the returns of the call the workers sleep in, the
 * accepts that failed with {@code EAGAIN}, and the hidden wake-ups, by workers and CPUs. The
 * wake-ups do not depend on the CPUs; which of them strace sees does.
 */
public final class ComparisonCpus {
    /** The CPU counts. */
    public static final List<Integer> CPUS = List.of(1, 2, 4, 16, 64);
    /** The strategies, by name ({@link Strategies}). */
    static final List<String> STRATEGIES = List.of("herd", "EPOLLEXCLUSIVE", "reuseport", "blocking accept");

    /** One run: a strategy with some workers on {@code cpus} CPUs. */
    public record Cell(int cpus, ComparisonRow row) {
    }

    /** A metric of a cell, with its chart file's prefix and title. */
    private record Metric(String file, String title, ToDoubleFunction<HerdFigures> value) {
    }

    private static final List<Metric> METRICS = List.of(
            new Metric("cpus-returns", "epoll_wait returns per connection", ComparisonCpus::returns),
            new Metric("cpus-eagain", "EAGAIN per connection", HerdFigures::spuriousPerConnection),
            new Metric("cpus-hidden", "hidden wake-ups per connection", HerdFigures::hiddenPerConnection));

    private ComparisonCpus() {
    }

    /** The returns per connection of the call the workers sleep in: the wake-ups that were not hidden. */
    static double returns(HerdFigures f) {
        return f.wakeupsPerConnection() - f.hiddenPerConnection();
    }

    /** Every strategy of {@link #STRATEGIES} with each of {@code workers} on each of {@link #CPUS}. */
    static List<Cell> run(List<Integer> workers) {
        List<Cell> cells = new ArrayList<>();
        for (String s : STRATEGIES) {
            for (int n : workers) {
                for (int k : CPUS) {
                    cells.add(new Cell(k, ComparisonRunner.onCpus(Strategies.named(s), Workload.TRICKLE, n, k)));
                }
            }
        }
        return cells;
    }

    /** Prints the table: a line per strategy and worker count, a column per CPU count. */
    static void print(List<Cell> cells, PrintStream out) {
        out.printf("The trickle on virtual CPUs (seed %d): returns / EAGAIN / hidden wake-ups per connection.%n%n",
                ComparisonRunner.SEED);
        out.println("| strategy | workers | wake-ups/conn | "
                + String.join(" | ", CPUS.stream().map(ComparisonCpus::cpus).toList()) + " |");
        out.println("|---|---:|---:|" + "---:|".repeat(CPUS.size()));
        Map<String, List<Cell>> lines = new LinkedHashMap<>();
        for (Cell c : cells) {
            lines.computeIfAbsent(c.row().strategy() + "|" + c.row().figures().workers(), k -> new ArrayList<>()).add(c);
        }
        for (List<Cell> line : lines.values()) {
            HerdFigures first = line.get(0).row().figures();
            StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "| %s | %d | %.2f |",
                    line.get(0).row().strategy(), first.workers(), first.wakeupsPerConnection()));
            for (Cell c : line) {
                HerdFigures f = c.row().figures();
                text.append(String.format(Locale.ROOT, " %.2f / %.2f / %.2f |", returns(f), f.spuriousPerConnection(),
                        f.hiddenPerConnection()));
            }
            out.println(text);
        }
    }

    /** "1 CPU", "2 CPUs". */
    static String cpus(int k) {
        return k + (k == 1 ? " CPU" : " CPUs");
    }

    /**
     * Writes {@code cpus-returns-herd.png}, {@code cpus-eagain-herd.png} and
     * {@code cpus-hidden-herd.png} into {@code dir}: a line per CPU count against the workers.
     * Only the herd's: the fixes wake one worker, 1 / 0 / 0 on every CPU count.
     */
    static List<Path> render(List<Cell> cells, Path dir) throws IOException {
        List<String> series = CPUS.stream().map(ComparisonCpus::cpus).toList();
        List<Path> files = new ArrayList<>();
        for (String strategy : List.of("herd")) {
            for (Metric metric : METRICS) {
                Map<String, List<ComparisonCharts.Point>> lines = new LinkedHashMap<>();
                for (Cell c : cells) {
                    if (c.row().strategy().equals(strategy)) {
                        HerdFigures f = c.row().figures();
                        lines.computeIfAbsent(cpus(c.cpus()), k -> new ArrayList<>())
                                .add(new ComparisonCharts.Point(f.workers(), metric.value().applyAsDouble(f)));
                    }
                }
                Path file = dir.resolve(metric.file() + "-" + strategy + ".png");
                ComparisonCharts.write(file, strategy + ": " + metric.title() + ", trickle",
                        metric.title() + " (virtual CPUs)", false, null, series, lines);
                files.add(file);
            }
        }
        return files;
    }
}
