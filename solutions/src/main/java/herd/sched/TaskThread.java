package herd.sched;

import herd.trace.Trace;

/**
 * The Java thread of a task, holding what the kernel finds from the CPU's stack
 * ({@code struct thread_info}): {@code current}, and whether a kernel timer's function has
 * interrupted the task ({@code in_serving_softirq()}) and which trace it records into.
 *
 * <p>Every traced call, lock and preemption point reads them, so a task's thread keeps them
 * in fields: a {@code ThreadLocal} lookup there cost the course's own checks about a fifth
 * of their time. A thread that is not a task's (a test driving the scheduler as an
 * interrupt handler, the parallel scheduler's timer thread) keeps the timer context in a
 * thread-local, and has no current task.
 */
public final class TaskThread extends Thread {
    private static final ThreadLocal<TimerContext> OTHERS = ThreadLocal.withInitial(TimerContext::new);

    /** A kernel timer's function running on a thread: its trace, while {@code running}. */
    private static final class TimerContext {
        boolean running;
        Trace trace;
    }

    private final Task task;
    private final TimerContext timer = new TimerContext();

    TaskThread(Task task, Runnable body) {
        super(body, task.toString());
        this.task = task;
        setDaemon(true);
    }

    /** {@code current}: the task of the calling thread, or null outside any task. */
    static Task current() {
        return Thread.currentThread() instanceof TaskThread t ? t.task : null;
    }

    private static TimerContext timerContext() {
        return Thread.currentThread() instanceof TaskThread t ? t.timer : OTHERS.get();
    }

    /** Whether the calling thread runs a kernel timer's function ({@code in_serving_softirq()}). */
    public static boolean inTimer() {
        return timerContext().running;
    }

    /** The trace the running timer function records into; null outside one, or when it records nowhere. */
    public static Trace timerTrace() {
        TimerContext timer = timerContext();
        return timer.running ? timer.trace : null;
    }

    /** Runs {@code callback} as a kernel timer's function on the calling thread, recording into {@code trace}. */
    public static void runTimer(Trace trace, Runnable callback) {
        TimerContext timer = timerContext();
        timer.running = true;
        timer.trace = trace;
        try {
            callback.run();
        } finally {
            timer.running = false;
            timer.trace = null;
        }
    }
}
