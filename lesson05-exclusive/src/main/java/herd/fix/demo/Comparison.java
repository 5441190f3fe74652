package herd.fix.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every strategy of lessons 4 and 5 ({@link Strategies}), measured the same way on the
 * deterministic scheduler ({@link ComparisonRunner}): for 1 to 64 workers and three
 * workloads ({@link Workload}), the wake-ups, spurious and hidden wake-ups per connection,
 * the accepts per worker and their fairness, and how long the connections waited in the
 * accept queue (virtual time). Prints one Markdown table ({@link ComparisonTable}) and
 * renders the charts ({@link ComparisonCharts}); then the same trickle on 1 to 64 virtual
 * CPUs, what strace would show of it ({@link ComparisonCpus}).
 */
public final class Comparison {
    /** The worker counts. */
    public static final List<Integer> WORKERS = List.of(1, 2, 4, 8, 16, 32, 64);
    /** Where the charts go by default, from the project's root. */
    public static final Path CHARTS = Path.of("lesson05-exclusive", "charts");

    private Comparison() {
    }

    /** Prints the table; renders the charts into the directory given as the argument, or {@link #CHARTS}. */
    public static void main(String[] args) throws IOException {
        Path charts = args.length > 0 ? Path.of(args[0]) : CHARTS;
        ComparisonTable.printHeader(System.out);
        List<ComparisonRow> rows = new ArrayList<>();
        for (Workload w : Workload.values()) {
            for (Strategy s : Strategies.ALL) {
                for (int n : WORKERS) {
                    ComparisonRow row = ComparisonRunner.run(s, w, n);
                    rows.add(row);
                    System.out.println(ComparisonTable.format(row));
                }
            }
        }
        List<Path> files = new ArrayList<>(ComparisonCharts.render(rows, charts));
        System.out.println();
        List<ComparisonCpus.Cell> cells = ComparisonCpus.run(WORKERS);
        ComparisonCpus.print(cells, System.out);
        files.addAll(ComparisonCpus.render(cells, charts));
        System.out.printf("%nCharts: %s%n", files.stream().map(Path::toString).toList());
    }
}
