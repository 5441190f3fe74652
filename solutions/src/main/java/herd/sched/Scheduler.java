package herd.sched;

import herd.locking.SpinLock;
import herd.trace.Trace;
import java.util.function.Consumer;

/**
 * The CPU side of kernel/sched/core.c: what runs, when a task sleeps, and how a woken
 * task gets back on a CPU. Kernel code reaches it through the functions of {@link Sched}.
 *
 * <p>Two implementations: {@link DeterministicScheduler} runs one task at a time in a
 * seeded order on a virtual clock (tests, traces, demos); {@link ParallelScheduler}
 * runs every task on its own thread (stress tests, benchmarks).
 */
public interface Scheduler {
    /** Creates a runnable task that runs {@code body} ({@code kernel_thread}/{@code fork}). */
    default Task spawn(String comm, Runnable body) {
        return spawn(comm, task -> { }, body);
    }

    /**
     * Creates a task that runs {@code body}, and runs {@code attach} on it before the task
     * can run: {@code copy_process()} links the new task into its thread group (its pid,
     * {@code p->thread_node}) before {@code wake_up_new_task()} makes it runnable, and on
     * another CPU the child may run before {@code fork} has returned to its parent. What
     * the task's process knows of it must be in place by then.
     */
    Task spawn(String comm, Consumer<Task> attach, Runnable body);

    /** {@code __schedule()}: the current task gives up the CPU; it sleeps unless its state is running. */
    void schedule();

    /**
     * {@code schedule_timeout()}: sleeps at most {@code timeout} nanoseconds of this
     * scheduler's clock; returns the time left, 0 when the timer fired.
     */
    long scheduleTimeout(long timeout);

    /** {@code ttwu_do_activate()}: {@code p} was just made running by a wake-up; put it back on a CPU. */
    void activate(Task p);

    /** A point where a preemptible task may be switched out ({@code preempt_enable}, {@code cond_resched}). */
    void preemptionPoint();

    /** Called by a task that found {@code lock} held by another. */
    void spinContended(SpinLock lock);

    /**
     * {@code mod_timer()} of {@code timer}: arms it to run at {@code expires} on this
     * scheduler's clock, in timer context; true if it was pending already.
     */
    boolean modTimer(TimerList timer, long expires);

    /** {@code timer_delete()}: disarms {@code timer}; true if it was pending. */
    boolean delTimer(TimerList timer);

    /** {@code ktime_get()}: nanoseconds since the scheduler started. */
    long clock();

    /** The trace this scheduler's tasks record into. */
    Trace trace();
}
