package herd.fix.demo;

import herd.fix.PreforkServer;
import herd.inet.Net;
import herd.nginx.HerdAccounting;
import herd.nginx.HerdFigures;
import herd.nginx.HttpWork;
import herd.nginx.NgxConf;
import herd.nginx.NgxMaster;
import herd.nginx.NgxWorker;
import herd.nginx.Telnet;
import herd.nginx.WorkerCounters;
import herd.sched.DeterministicScheduler;
import herd.sched.Scheduler;
import herd.sched.Task;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.IntFunction;

/**
 * Every strategy of lessons 4 and 5, measured the same way on the deterministic
 * scheduler: for 1 to 64 workers and three workloads, the wake-ups, spurious and hidden
 * wake-ups per connection, the accepts per worker and their fairness, and how long the
 * connections waited in the accept queue (virtual time). Prints one Markdown table and
 * renders the charts ({@link ComparisonCharts}).
 */
public final class Comparison {
    /** The worker counts. */
    public static final List<Integer> WORKERS = List.of(1, 2, 4, 8, 16, 32, 64);
    /** Connections per run. */
    public static final int CONNECTIONS = 64;
    /** Where the charts go by default, from the project's root. */
    public static final Path CHARTS = Path.of("lesson05-exclusive", "charts");
    static final long SEED = 1;
    static final double PREEMPTION = 0.5;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    /** The last nginx that used {@code EPOLLEXCLUSIVE} without {@code ngx_reorder_accept_events}: 1.21.5. */
    private static final int NGINX_1_21_5 = 1_021_005;
    /** The trickle's gap between two connections, and the step of the run's clock. */
    private static final long GAP = 10 * MS;
    /** A run that has not accepted every connection after this much virtual time is broken. */
    private static final long LIMIT = 60_000 * MS;

    /** A server's workers, once started: their counters, and their tasks once they run. */
    public interface Workers {
        /** Each worker's counters now, in worker order. */
        List<WorkerCounters> counters();

        /** Each worker's task, in worker order (null for one that has not run yet). */
        List<Task> tasks();
    }

    /** A way to serve port 80 with n workers: it starts the server on a scheduler. */
    public record Strategy(String name, BiFunction<Scheduler, Integer, Workers> start) {
        static Strategy nginx(String name, IntFunction<NgxConf> conf) {
            return new Strategy(name, (sched, n) -> {
                NgxMaster master = NgxMaster.start(sched, conf.apply(n));
                return new Workers() {
                    @Override
                    public List<WorkerCounters> counters() {
                        return WorkerCounters.of(master);
                    }

                    @Override
                    public List<Task> tasks() {
                        return master.workers.stream().map(NgxWorker::task).toList();
                    }
                };
            });
        }

        static Strategy prefork(String name) {
            return new Strategy(name, (sched, n) -> {
                PreforkServer server = PreforkServer.start(sched, n);
                return new Workers() {
                    @Override
                    public List<WorkerCounters> counters() {
                        return server.counters();
                    }

                    @Override
                    public List<Task> tasks() {
                        return server.children.stream().map(PreforkServer.Child::task).toList();
                    }
                };
            });
        }
    }

    /** The strategies, in the order of the table. */
    public static final List<Strategy> STRATEGIES = List.of(
            Strategy.nginx("herd", NgxConf::herd),
            Strategy.nginx("multi_accept", n -> NgxConf.herd(n).withMultiAccept(true)),
            Strategy.nginx("accept_mutex", n -> NgxConf.herd(n).withAcceptMutex()),
            Strategy.nginx("EPOLLEXCLUSIVE", n -> NgxConf.stock(n).withVersion(NGINX_1_21_5)),
            Strategy.nginx("EPOLLEXCLUSIVE + reorder", NgxConf::stock),
            Strategy.nginx("reuseport", n -> NgxConf.herd(n).withReuseport()),
            Strategy.prefork("blocking accept"));

    /** The workloads: how the connections come, and what their requests cost. */
    public enum Workload {
        /** One client process per connection, every 10 ms; each request is served at once. */
        TRICKLE("trickle"),
        /** One client making every connection back to back at time 0, a request on each. */
        BURST("burst"),
        /** The trickle, but every 4th request keeps its worker busy for 50 ms. */
        BUSY("busy");

        final String label;

        Workload(String label) {
            this.label = label;
        }

        /** Starts the connections of this workload on {@code sched}, letting virtual time pass for the trickles. */
        void drive(DeterministicScheduler sched) {
            if (this == BURST) {
                Telnet.requests(sched, "client", CONNECTIONS, HttpWork.request(0));
                return;
            }
            for (int i = 0; i < CONNECTIONS; i++) {
                int work = this == BUSY && i % 4 == 3 ? 50 : 0;
                Telnet.request(sched, "client" + (i + 1), HttpWork.request(work));
                sched.runUntil(sched.clock() + GAP);
            }
        }
    }

    private Comparison() {
    }

    /** Prints the table; renders the charts into the directory given as the argument, or {@link #CHARTS}. */
    public static void main(String[] args) throws IOException {
        Path charts = args.length > 0 ? Path.of(args[0]) : CHARTS;
        System.out.printf("%d connections per run; deterministic scheduler, seed %d, preemption %.1f; latency is the "
                + "time a connection waited in the accept queue (virtual ms).%n%n", CONNECTIONS, SEED, PREEMPTION);
        System.out.println("| workload | strategy | workers | wake-ups/conn | spurious/conn | hidden/conn "
                + "| accepts per worker | fairness | latency median (ms) | latency p99 (ms) |");
        System.out.println("|---|---|---:|---:|---:|---:|---|---:|---:|---:|");
        List<ComparisonRow> rows = new ArrayList<>();
        for (Workload w : Workload.values()) {
            for (Strategy s : STRATEGIES) {
                for (int n : WORKERS) {
                    ComparisonRow row = run(s, w, n);
                    rows.add(row);
                    System.out.println(format(row));
                }
            }
        }
        List<Path> files = ComparisonCharts.render(rows, charts);
        System.out.printf("%nCharts: %s%n", files.stream().map(Path::toString).toList());
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

    /**
     * One run: {@code strategy} with {@code workers} workers under {@code workload}, until
     * every connection was accepted (checked every 10 ms of virtual time); the counters
     * cover the workload only, not the start.
     */
    public static ComparisonRow run(Strategy strategy, Workload workload, int workers) {
        try (DeterministicScheduler sched = new DeterministicScheduler(SEED, PREEMPTION)) {
            Workers server = strategy.start().apply(sched, workers);
            sched.runUntil(sched.clock());
            List<WorkerCounters> before = server.counters();
            long start = sched.clock();
            workload.drive(sched);
            while (accepted(server.counters(), before) < CONNECTIONS) {
                if (sched.clock() - start > LIMIT) {
                    throw new IllegalStateException(strategy.name() + " with " + workers + " workers accepted "
                            + accepted(server.counters(), before) + " of " + CONNECTIONS + " connections in "
                            + LIMIT / MS + " ms");
                }
                sched.runUntil(sched.clock() + GAP);
            }
            List<WorkerCounters> after = server.counters();
            List<WorkerCounters> run = new ArrayList<>();
            for (int i = 0; i < after.size(); i++) {
                run.add(after.get(i).minus(before.get(i)));
            }
            List<Long> sojourns = new ArrayList<>(Net.of(sched).acceptQueueSojourns);
            return new ComparisonRow(strategy.name(), workload.label, HerdAccounting.account(run, CONNECTIONS),
                    percentile(sojourns, 50) / MS, percentile(sojourns, 99) / MS);
        }
    }

    private static long accepted(List<WorkerCounters> now, List<WorkerCounters> before) {
        long sum = 0;
        for (int i = 0; i < now.size(); i++) {
            sum += now.get(i).accepts() - before.get(i).accepts();
        }
        return sum;
    }

    /** The nearest-rank {@code p}th percentile of {@code values} (ns), as a double. */
    static double percentile(List<Long> values, int p) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no value to take a percentile of");
        }
        List<Long> sorted = values.stream().sorted().toList();
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
