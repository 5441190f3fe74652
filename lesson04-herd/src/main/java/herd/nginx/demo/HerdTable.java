package herd.nginx.demo;

import herd.nginx.HerdFigures;
import herd.nginx.HerdRun;
import herd.sched.DeterministicScheduler;
import java.util.List;

/**
 * The herd, measured: for 1 to 64 workers, connections one by one (each one after
 * every worker is asleep again) and back to back (one client connecting 64 times in a
 * row), on the deterministic scheduler with preemption. (Lesson 5's comparison has its
 * own loads, a trickle and a burst with requests: these are not those.) Prints, per connection: the
 * {@code ep_poll_callback} calls, the worker wake-ups, the spurious returns
 * ({@code EAGAIN}), the hidden wake-ups, and how the accepts spread over the workers.
 */
public final class HerdTable {
    /** The worker counts of the table. */
    public static final List<Integer> WORKERS = List.of(1, 2, 4, 8, 16, 32, 64);
    /** Connections per run. */
    public static final int CONNECTIONS = 64;
    /** The scheduler's seed and preemption probability: every run of the table is the same. */
    static final long SEED = 1;
    /** Preemption at every preemption point with this probability: one CPU, but workers interleave as on several. */
    static final double PREEMPTION = 0.5;

    private HerdTable() {
    }

    /** Prints the table as Markdown. */
    public static void main(String[] args) {
        System.out.println("The herd: nginx, one listening socket, each worker with its own epoll (EPOLLIN, level-triggered),");
        System.out.printf("%d connections per run, deterministic scheduler seed %d with preemption %.1f.%n%n", CONNECTIONS,
                SEED, PREEMPTION);
        System.out.println("| load | workers | callbacks/conn | wake-ups/conn | spurious (EAGAIN)/conn | hidden/conn "
                + "| accepts per worker (min-max) | fairness |");
        System.out.println("|---|---:|---:|---:|---:|---:|---|---:|");
        for (boolean burst : List.of(false, true)) {
            for (int n : WORKERS) {
                HerdFigures f = measure(n, burst);
                long min = f.acceptsPerWorker().stream().mapToLong(Long::longValue).min().orElse(0);
                long max = f.acceptsPerWorker().stream().mapToLong(Long::longValue).max().orElse(0);
                System.out.printf("| %s | %d | %.2f | %.2f | %.2f | %.2f | %d-%d | %.2f |%n", load(burst),
                        n, f.callbacksPerConnection(), f.wakeupsPerConnection(), f.spuriousPerConnection(),
                        f.hiddenPerConnection(), min, max, f.fairness());
            }
        }
    }

    /** The load's name in the table. */
    static String load(boolean burst) {
        return burst ? "back to back" : "one by one";
    }

    /** One run: {@link #CONNECTIONS} connections to {@code workers} workers, back to back if {@code burst}, else one by one. */
    public static HerdFigures measure(int workers, boolean burst) {
        try (DeterministicScheduler sched = new DeterministicScheduler(SEED, PREEMPTION)) {
            return HerdRun.run(sched, workers, CONNECTIONS, burst).figures(CONNECTIONS);
        }
    }
}
