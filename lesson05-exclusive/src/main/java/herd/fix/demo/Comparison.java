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
 * renders the charts ({@link ComparisonCharts}).
 */
public final class Comparison {
    /** The worker counts. */
    public static final List<Integer> WORKERS = List.of(1, 2, 4, 8, 16, 32, 64);
    /** Where the charts go by default, from the project's root. */
    public static final Path CHARTS = Path.of("lesson05-exclusive", "charts");

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
        ComparisonTable.printHeader(System.out, connections);
        List<ComparisonRow> rows = new ArrayList<>();
        for (Workload w : Workload.values()) {
            for (Strategy s : Strategies.ALL) {
                for (int n : workers) {
                    ComparisonRow row = ComparisonRunner.run(s, w, n, connections);
                    rows.add(row);
                    System.out.println(ComparisonTable.format(row));
                }
            }
        }
        if (charts != null) {
            List<Path> files = ComparisonCharts.render(rows, charts);
            System.out.printf("%nCharts: %s%n", files.stream().map(Path::toString).toList());
        }
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
