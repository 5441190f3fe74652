package herd.sched;

import herd.locking.SpinLock;
import herd.trace.TraceEvent;

/**
 * The {@link DeterministicScheduler}'s choices: where a runnable task waits, which task
 * runs next, when it is preempted, and on which CPU ({@code struct rq} and the parts of
 * kernel/sched/core.c that decide). {@link SeededRunQueue} is one CPU that draws every
 * choice from the seed; {@link SmpRunQueues} is k CPUs with the kernel's placement and
 * virtual time.
 */
interface RunQueues {
    /** {@code wake_up_new_task()}: {@code task} is new and runnable; {@code parent} spawned it (null: the controller). */
    void enqueueNew(Task task, Task parent, long now);

    /**
     * {@code ttwu_do_activate()}: {@code p} was woken by {@code waker} (null: a timer or the
     * controller) at {@code now}; nothing to do if it is queued or on a CPU already.
     */
    void enqueueWoken(Task p, Task waker, long now);

    /** {@code task} leaves its CPU and run queue: it sleeps, exited or failed. */
    void dequeue(Task task);

    /** True if a timer expiring at {@code expires} fires before any task runs on. */
    boolean timerFirst(long expires);

    /** The task to run next, null when none is runnable; {@code prev} (null: the controller) ran last. */
    Task pickNext(Task prev);

    /** {@code prev} was switched out though still runnable. */
    void switchedOut(Task prev);

    /**
     * The virtual time at which {@code running} runs, the clock being {@code now}; for null
     * (the controller, every CPU idle), the time at which the last CPU stopped.
     */
    long clock(Task running, long now);

    /**
     * At a preemption point of {@code current}: true if it gives up its CPU here, to the
     * task the next {@link #pickNext} returns.
     */
    boolean preempt(Task current);

    /** {@code current} made a traced call of {@code kind}: true if its CPU spent time on it, so that {@link #clock} moved. */
    boolean spend(Task current, TraceEvent.Kind kind);

    /** True if virtual time moves as the tasks work, CPU by CPU: then earlier CPUs and due timers run first. */
    boolean clocked();

    /** True if a CPU other than {@code current}'s is earlier in virtual time: it runs first. */
    boolean otherCpuFirst(Task current);

    /**
     * {@code current} found {@code lock} held by {@code holder} (null: not a task): true if
     * it spins, its CPU waiting until the holder's has run on, false if the holder cannot
     * be running (a bug).
     */
    boolean spin(Task current, Task holder, SpinLock lock);

    /** {@code task_cpu()}: the CPU {@code task} runs or last ran on. */
    int cpuOf(Task task);

    /** The number of CPUs. */
    int cpus();
}
