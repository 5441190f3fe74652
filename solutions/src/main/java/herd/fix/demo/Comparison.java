package herd.fix.demo;

import herd.trace.TimelineFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every strategy of lessons 4 and 5 ({@link Strategies}), measured the same way on the
 * deterministic scheduler ({@link ComparisonRunner}): for 1 to 64 workers and three
 * workloads ({@link Workload}), the wake-ups, spurious and hidden wake-ups per connection,
 * the accepts per worker and their fairness, and how long the connections waited in the
 * accept queue (virtual time). Prints one Markdown table ({@link ComparisonTable}), writes
 * it beside the charts ({@link ComparisonCharts}) as {@value #TABLE}, and writes the timelines
 * of one connection to the herd and to {@code EPOLLEXCLUSIVE} ({@link OneConnection}); then
 * the same trickle on 1 to 64 virtual CPUs, what strace would show of it ({@link ComparisonCpus}).
 */
public final class Comparison {
    /** The worker counts. */
    public static final List<Integer> WORKERS = List.of(1, 2, 4, 8, 16, 32, 64);
    /** Where the charts go by default, from the project's root. */
    public static final Path CHARTS = Path.of("lesson05-exclusive", "charts");
    /** The table's file, beside the charts. */
    public static final String TABLE = "comparison.md";

    private Comparison() {
    }

    /**
     * Prints the table; renders the charts into the directory given as the argument, or
     * {@link #CHARTS}. {@code --connections N} makes N connections per run instead of
     * {@link Workload#CONNECTIONS}; {@code --workers N} runs N workers only; with either,
     * charts are rendered only into a directory given, so that the lesson's stay as they are.
     */
    public static void main(String[] args) throws IOException {
        List<String> rest = new ArrayList<>(List.of(args));
        int connections = option(rest, "--connections", Workload.CONNECTIONS);
        List<Integer> workers = rest.contains("--workers") ? List.of(option(rest, "--workers", 0)) : WORKERS;
        Path charts = !rest.isEmpty() ? Path.of(rest.get(0)) : args.length == 0 ? CHARTS : null;
        StringBuilder table = new StringBuilder(ComparisonTable.header(connections));
        System.out.print(table);
        List<ComparisonRow> rows = new ArrayList<>();
        for (Workload w : Workload.values()) {
            for (Strategy s : Strategies.ALL) {
                for (int n : workers) {
                    ComparisonRow row = ComparisonRunner.run(s, w, n, connections);
                    rows.add(row);
                    String line = ComparisonTable.format(row);
                    System.out.println(line);
                    table.append(line).append('\n');
                }
            }
        }
        if (charts == null) {
            return;
        }
        List<Path> files = new ArrayList<>(ComparisonCharts.render(rows, charts));
        files.add(Files.writeString(charts.resolve(TABLE), table));
        System.out.println();
        List<ComparisonCpus.Cell> cells = ComparisonCpus.run(WORKERS);
        ComparisonCpus.print(cells, System.out);
        files.addAll(ComparisonCpus.render(cells, charts));
        System.out.printf("%nCharts and the table: %s%n", files.stream().map(Path::toString).toList());
        System.out.println();
        System.out.println("One connection to " + OneConnection.WORKERS + " workers, the herd and EPOLLEXCLUSIVE: "
                + OneConnection.write(TimelineFiles.dir(OneConnection.MODULE)).stream().map(Path::toString).toList()
                + " (SVG: open in a browser; JSON: Perfetto, https://ui.perfetto.dev, or chrome://tracing)");
    }

    /** The positive number after {@code name} in {@code args}, both taken out; {@code otherwise} if absent. */
    static int option(List<String> args, String name, int otherwise) {
        int i = args.indexOf(name);
        if (i < 0) {
            return otherwise;
        }
        if (i + 1 == args.size() || !args.get(i + 1).matches("[1-9]\\d{0,8}")) {
            throw new IllegalArgumentException(name + " needs a positive number");
        }
        int value = Integer.parseInt(args.get(i + 1));
        args.subList(i, i + 2).clear();
        return value;
    }
}
