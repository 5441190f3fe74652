package herd.fix.demo;

import herd.inet.Net;
import herd.nginx.HerdAccounting;
import herd.nginx.WorkerCounters;
import herd.sched.DeterministicScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of the comparison: a strategy with n workers under a workload, on the
 * deterministic scheduler, measured as {@link ComparisonRow}: the herd's figures
 * ({@link HerdAccounting}) and how long the connections waited in the accept queue.
 */
public final class ComparisonRunner {
    /** The scheduler's seed. */
    static final long SEED = 1;
    /** The scheduler's preemption probability. */
    static final double PREEMPTION = 0.5;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    /** A run that has not accepted every connection after this much virtual time is broken. */
    private static final long LIMIT = 60_000 * MS;

    private ComparisonRunner() {
    }

    /** One run of {@link Workload#CONNECTIONS} connections: {@link #run(Strategy, Workload, int, int)}. */
    public static ComparisonRow run(Strategy strategy, Workload workload, int workers) {
        return run(strategy, workload, workers, Workload.CONNECTIONS);
    }

    /**
     * One run: {@code strategy} with {@code workers} workers under {@code workload} on one
     * CPU that explores interleavings (seed {@value #SEED}, preemption {@value #PREEMPTION}),
     * until all {@code connections} were accepted (checked every {@link Workload#GAP} of
     * virtual time); the counters cover the workload only, not the start. The run is not
     * traced: the figures come from the counters, and a trace of thousands of connections
     * would fill the memory ({@code echo 0 > tracing_on}).
     */
    public static ComparisonRow run(Strategy strategy, Workload workload, int workers, int connections) {
        DeterministicScheduler sched = new DeterministicScheduler(SEED, PREEMPTION);
        sched.trace().tracingOn(false);
        return run(strategy, workload, workers, connections, sched);
    }

    /**
     * The same run on {@code cpus} CPUs as Linux runs them ({@link DeterministicScheduler#smp},
     * seed {@value #SEED}), {@link Workload#CONNECTIONS} connections. Traced: on several CPUs
     * each traced call is what moves its CPU's clock.
     */
    public static ComparisonRow onCpus(Strategy strategy, Workload workload, int workers, int cpus) {
        return run(strategy, workload, workers, Workload.CONNECTIONS, DeterministicScheduler.smp(SEED, cpus));
    }

    private static ComparisonRow run(Strategy strategy, Workload workload, int workers, int connections,
            DeterministicScheduler scheduler) {
        try (DeterministicScheduler sched = scheduler) {
            Workers server = strategy.start().apply(sched, workers);
            sched.runUntil(sched.clock());
            List<WorkerCounters> before = server.counters();
            long start = sched.clock();
            workload.drive(sched, connections);
            while (accepted(server, before) < connections) {
                if (sched.clock() - start > LIMIT) {
                    throw new IllegalStateException(strategy.name() + " with " + workers + " workers accepted "
                            + accepted(server, before) + " of " + connections + " connections in "
                            + LIMIT / MS + " ms");
                }
                sched.runUntil(sched.clock() + Workload.GAP);
            }
            List<WorkerCounters> run = WorkerCounters.since(server.counters(), before);
            List<Long> sojourns = new ArrayList<>(Net.of(sched).acceptQueueSojourns);
            return new ComparisonRow(strategy.name(), workload.label,
                    HerdAccounting.account(run, connections),
                    percentile(sojourns, 50) / MS, percentile(sojourns, 99) / MS);
        }
    }

    /** The connections {@code server}'s workers accepted since {@code before}. */
    private static long accepted(Workers server, List<WorkerCounters> before) {
        return WorkerCounters.since(server.counters(), before).stream().mapToLong(WorkerCounters::accepts).sum();
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
