package herd.nginx.demo;

import herd.nginx.HerdRun;
import herd.nginx.WorkerCounters;
import herd.sched.DeterministicScheduler;
import herd.trace.AsciiSequenceFormat;
import herd.trace.FtraceFormat;
import herd.trace.MermaidFormat;
import herd.trace.StraceFormat;
import herd.trace.Timeline;
import herd.trace.TimelineFiles;
import herd.trace.TraceEvent;
import java.util.List;
import java.util.function.Predicate;

/**
 * Lesson 4's demo, the course's starting point: nginx with two workers, each with its
 * own epoll watching listening socket 6, and one {@code telnet 127.0.0.1 80}, on virtual
 * CPUs run as Linux runs them ({@link DeterministicScheduler#smp}). Both workers are woken
 * every time; what strace shows depends on the CPUs. On {@value #CPUS} CPUs each woken worker
 * gets a free CPU and both return from {@code epoll_wait}: worker 1's {@code accept4} gets
 * the connection and worker 2's gets {@code EAGAIN} (the first seed that shows it). On one
 * CPU both wait until telnet sleeps, the first one accepts, and the other finds nothing
 * and goes back to sleep inside {@code epoll_wait}, never returning. Both runs cost the
 * same two wake-ups. Then it writes two timelines ({@link TimelineFiles}) into
 * lesson04-herd/timelines: the same connection on the one CPU that explores interleavings
 * (preemption {@value #PREEMPTION}), at the first seed whose loser returns and fails and at
 * the first whose loser's wake-up is hidden.
 */
public final class HerdDemo {
    /** The CPUs of the first run: one for telnet, and a free one for each woken worker. */
    static final int CPUS = 3;
    /** The lesson's folder, where the timelines go. */
    private static final String MODULE = "lesson04-herd";
    /** The timelines' scheduler: one CPU, preempting at every preemption point with this probability. */
    static final double PREEMPTION = 0.5;

    private HerdDemo() {
    }

    /** Prints the two outcomes. */
    public static void main(String[] args) {
        long bothReturn = bothReturnSeed();
        show(bothReturn, CPUS, "both workers return from epoll_wait; the loser's accept4 fails with EAGAIN", true);
        show(0, 1, "the loser is woken, finds nothing and sleeps again inside epoll_wait", false);
        timeline(exploringSeed(true), "the loser's accept4 fails with EAGAIN");
        timeline(exploringSeed(false), "the loser sleeps again, unseen by strace");
    }

    /** The first seed in which both workers return on {@link #CPUS} CPUs and one accept4 gets EAGAIN: the log. */
    static long bothReturnSeed() {
        return firstSeed(CPUS, c -> c.stream().allMatch(w -> w.epollWaitReturns() == 1)
                && c.stream().mapToLong(WorkerCounters::eagain).sum() == 1);
    }

    /** The first seed in which the run on {@code cpus} CPUs ends with counters that match {@code outcome}. */
    static long firstSeed(int cpus, Predicate<List<WorkerCounters>> outcome) {
        for (long seed = 0; seed < 1000; seed++) {
            try (DeterministicScheduler sched = DeterministicScheduler.smp(seed, cpus)) {
                if (outcome.test(HerdRun.run(sched, 2, 1, false).counters())) {
                    return seed;
                }
            }
        }
        throw new IllegalStateException("no seed below 1000 shows this outcome on " + cpus + " CPUs");
    }

    /**
     * On the one CPU that explores interleavings: the first seed in which worker 1 accepts and
     * worker 2 gets EAGAIN ({@code spurious}), or hides its wake-up.
     */
    static long exploringSeed(boolean spurious) {
        for (long seed = 0; seed < 1000; seed++) {
            try (DeterministicScheduler sched = new DeterministicScheduler(seed, PREEMPTION)) {
                List<WorkerCounters> c = HerdRun.run(sched, 2, 1, false).counters();
                if (c.get(0).accepts() == 1 && (spurious ? c.get(1).eagain() == 1 : c.get(1).hiddenWakeups() == 1)) {
                    return seed;
                }
            }
        }
        throw new IllegalStateException("no seed below 1000 shows this outcome");
    }

    /** Writes the timeline of the run at {@code seed} on the exploring CPU. */
    private static void timeline(long seed, String caption) {
        try (DeterministicScheduler sched = new DeterministicScheduler(seed, PREEMPTION)) {
            sched.pidsFrom(2100);
            HerdRun run = HerdRun.run(sched, 2, 1, false);
            System.out.println(TimelineFiles.describe(TimelineFiles.write(TimelineFiles.dir(MODULE), "herd-seed-" + seed,
                    Timeline.of("nginx, 2 workers, one telnet, one exploring CPU, seed " + seed + ": " + caption,
                            sched.trace().events(), run.traceStart()))));
        }
    }

    private static void show(long seed, int cpus, String title, boolean details) {
        try (DeterministicScheduler sched = DeterministicScheduler.smp(seed, cpus)) {
            sched.pidsFrom(2100);
            HerdRun run = HerdRun.run(sched, 2, 1, false);
            List<TraceEvent> trace = sched.trace().events();
            String where = cpus + (cpus == 1 ? " CPU" : " CPUs");
            System.out.println("=== " + where + ", seed " + seed + ": " + title + " ===");
            System.out.println();
            System.out.println("nginx starts (strace -f):");
            System.out.print(StraceFormat.render(trace.subList(0, run.traceStart())));
            System.out.println();
            System.out.println("telnet 127.0.0.1 80:");
            System.out.print(StraceFormat.render(trace.subList(run.traceStart(), trace.size())));
            System.out.println();
            if (details) {
                List<TraceEvent> connect = trace.subList(run.traceStart(), trace.size());
                System.out.println("The wake path in the kernel (ftrace function_graph): the client's connect() ends the");
                System.out.println("handshake, and sock_def_readable wakes the listener's queue: two ep_poll_callback, two workers:");
                System.out.println(FtraceFormat.render(connect));
                System.out.println("The same, as a Mermaid sequence diagram:");
                System.out.println(MermaidFormat.fenced(connect));
                System.out.println("The same diagram in plain text:");
                System.out.println(AsciiSequenceFormat.render(connect));
            }
            System.out.printf("%-8s %9s %8s %11s %8s %7s %7s%n", "worker", "callbacks", "wake-ups", "epoll_wait",
                    "accepts", "EAGAIN", "hidden");
            for (WorkerCounters c : run.counters()) {
                System.out.printf("%-8s %9d %8d %11d %8d %7d %7d%n", c.worker(), c.callbacks(), c.wakeups(),
                        c.epollWaitReturns(), c.accepts(), c.eagain(), c.hiddenWakeups());
            }
            System.out.println();
            System.out.println();
        }
    }
}
