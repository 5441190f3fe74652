package herd.fix.demo;

import herd.nginx.HerdFigures;
import java.util.List;
import java.util.Locale;

/** The comparison as one Markdown table: its heading, then a line per run. */
public final class ComparisonTable {
    private ComparisonTable() {
    }

    /** What the table measured and how, with {@code connections} per run, then its header: the lines before the first row. */
    static String header(int connections) {
        return String.format(Locale.ROOT, "%d connections per run; deterministic scheduler, seed %d, preemption %.1f; "
                        + "latency is the time a connection waited in the accept queue (virtual ms).%n%n", connections,
                ComparisonRunner.SEED, ComparisonRunner.PREEMPTION)
                + "| workload | strategy | workers | wake-ups/conn | spurious/conn | hidden/conn "
                + "| accepts per worker | fairness | latency median (ms) | latency p99 (ms) |\n"
                + "|---|---|---:|---:|---:|---:|---|---:|---:|---:|\n";
    }

    /** One table line. */
    static String format(ComparisonRow row) {
        HerdFigures f = row.figures();
        return String.format("| %s | %s | %d | %.2f | %.2f | %.2f | %s | %.2f | %.1f | %.1f |", row.workload(),
                row.strategy(), f.workers(), f.wakeupsPerConnection(), f.spuriousPerConnection(),
                f.hiddenPerConnection(), spread(f.acceptsPerWorker()), f.fairness(), row.latencyMedianMs(),
                row.latencyP99Ms());
    }

    /** The accepts of each worker, or for more than 8 workers their range. */
    private static String spread(List<Long> accepts) {
        if (accepts.size() <= 8) {
            return String.join(", ", accepts.stream().map(String::valueOf).toList());
        }
        long min = accepts.stream().mapToLong(Long::longValue).min().orElse(0);
        long max = accepts.stream().mapToLong(Long::longValue).max().orElse(0);
        return min + "-" + max;
    }
}
