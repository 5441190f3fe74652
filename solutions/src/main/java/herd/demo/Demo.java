package herd.demo;

import herd.sched.DeterministicScheduler;
import herd.sched.Task;
import herd.trace.AsciiSequenceFormat;
import herd.trace.FtraceFormat;
import herd.trace.MermaidFormat;
import herd.trace.Timeline;
import herd.trace.TimelineFiles;
import herd.trace.Trace;
import herd.wait.WaitEvent;
import herd.wait.WaitQueueEntry;
import herd.wait.WaitQueueHead;
import java.util.ArrayList;
import java.util.List;

/**
 * The course's demo, lesson 1 version: three tasks sleep on one wait queue, one
 * non-exclusive and two exclusive; one {@code wake_up()} wakes the non-exclusive one
 * and only the first exclusive one. Prints the queue, the kernel functions that ran
 * (ftrace style), a Mermaid diagram and the same in plain text, and who woke; writes the
 * run's timeline ({@link TimelineFiles}) into lesson01-waitqueue/timelines.
 */
public final class Demo {
    private static final long SEED = 1;
    /** The lesson's folder, where the timeline goes. */
    private static final String MODULE = "lesson01-waitqueue";

    private Demo() {
    }

    /** Runs the demo; an optional argument is the seed. */
    public static void main(String[] args) {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : SEED;
        WaitQueueHead wq = new WaitQueueHead("demo_wq");
        boolean[] dataReady = {false};
        List<String> queueBefore = new ArrayList<>();
        try (DeterministicScheduler sched = new DeterministicScheduler(seed)) {
            // Each task runs until it sleeps before the next one starts, so they queue in this order.
            Task reader = sched.spawn("reader", () -> WaitEvent.waitEventInterruptible(wq, () -> dataReady[0]));
            sched.runUntilIdle();
            Task acceptor1 = sched.spawn("acceptor1",
                    () -> WaitEvent.waitEventInterruptibleExclusive(wq, () -> dataReady[0]));
            sched.runUntilIdle();
            Task acceptor2 = sched.spawn("acceptor2",
                    () -> WaitEvent.waitEventInterruptibleExclusive(wq, () -> dataReady[0]));
            sched.runUntilIdle();
            wq.head.entries().forEach(e -> queueBefore.add(describe(e)));
            sched.spawn("waker", () -> {
                Trace.mark("data ready; wake_up(&demo_wq)");
                dataReady[0] = true;
                wq.wakeUp();
            });
            sched.runUntilIdle();

            System.out.println("Three tasks sleep on demo_wq; then waker calls wake_up() once (seed " + seed + ").");
            System.out.println();
            System.out.println("The wait queue before wake_up(), head first:");
            queueBefore.forEach(e -> System.out.println("  " + e));
            System.out.println();
            System.out.println("What the kernel functions did (ftrace function_graph):");
            System.out.println(FtraceFormat.render(sched.trace().events()));
            System.out.println("The same run as a Mermaid sequence diagram:");
            System.out.println(MermaidFormat.fenced(sched.trace().events()));
            System.out.println("The same diagram in plain text:");
            System.out.println(AsciiSequenceFormat.render(sched.trace().events()));
            for (Task t : List.of(reader, acceptor1, acceptor2)) {
                System.out.printf("  %-10s %s%n", t.comm(), t.state() == Task.TASK_DEAD
                        ? "woken: returned from wait_event" : "still asleep in " + Task.stateName(t.state()));
            }
            System.out.println();
            System.out.println("wake_up() woke every non-exclusive entry and one exclusive entry: the first one,");
            System.out.println("because exclusive entries are queued at the tail in the order they slept.");
            System.out.println();
            System.out.println(TimelineFiles.describe(TimelineFiles.write(TimelineFiles.dir(MODULE), "wake-up-seed-" + seed,
                    Timeline.of("Lesson 1: one wake_up() on a queue of three sleepers (seed " + seed + ")",
                            sched.trace().events()))));
        }
    }

    private static String describe(WaitQueueEntry e) {
        return e.task + (e.isExclusive() ? "  WQ_FLAG_EXCLUSIVE" : "  (non-exclusive)");
    }
}
