package herd.sched;

import herd.locking.SpinLock;

/**
 * A task ({@code struct task_struct}): a Java thread with a kernel state, a pending
 * signal and the counters the course measures with.
 *
 * <p>The state constants mirror include/linux/sched.h. A task changes its own state
 * with {@link Sched#setCurrentState(int)}; only {@link Sched#tryToWakeUp} changes
 * another task's state back to {@link #TASK_RUNNING}.
 */
public final class Task {
    /** On a run queue or on the CPU. */
    public static final int TASK_RUNNING = 0x0000;
    /** Asleep; a wake-up or a signal makes it runnable. */
    public static final int TASK_INTERRUPTIBLE = 0x0001;
    /** Asleep; only a wake-up makes it runnable. */
    public static final int TASK_UNINTERRUPTIBLE = 0x0002;
    /** The task has exited. */
    public static final int TASK_DEAD = 0x0080;
    /** Either sleeping state: what {@code wake_up()} may wake. */
    public static final int TASK_NORMAL = TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE;

    private final int pid;
    private final String comm;
    /** {@code comm-pid}, as ftrace names a task: every trace event carries it. */
    private final String name;
    private final Scheduler scheduler;
    /** {@code p->pi_lock}: serialises wake-ups of this task. */
    final SpinLock piLock = new SpinLock();
    private volatile int state = TASK_RUNNING;
    private volatile boolean sigpending;
    private volatile Thread thread;
    /** {@code preempt_count}: spinlocks held; only the task itself touches it. */
    private int preemptCount;
    private volatile long nvcsw;
    private volatile long nivcsw;
    private volatile long wakeups;
    private final SyscallStats syscallStats = new SyscallStats();

    Task(int pid, String comm, Scheduler scheduler) {
        this.pid = pid;
        this.comm = comm;
        this.name = comm + "-" + pid;
        this.scheduler = scheduler;
    }

    /** {@code current}: the task running on this thread, or null outside any task. */
    public static Task current() {
        return TaskThread.current();
    }

    void setThread(Thread thread) {
        this.thread = thread;
    }

    /** The task's id. */
    public int pid() {
        return pid;
    }

    /** The task's name ({@code comm}). */
    public String comm() {
        return comm;
    }

    /** The scheduler that runs this task. */
    public Scheduler scheduler() {
        return scheduler;
    }

    /** {@code p->__state}. */
    public int state() {
        return state;
    }

    void setState(int state) {
        this.state = state;
    }

    Thread thread() {
        return thread;
    }

    /** True while a signal is pending ({@code TIF_SIGPENDING}). */
    public boolean hasPendingSignal() {
        return sigpending;
    }

    void setPendingSignal(boolean pending) {
        this.sigpending = pending;
    }

    /** {@code preempt_count()}: how many spinlocks this task holds. */
    public int preemptCount() {
        return preemptCount;
    }

    /** {@code preempt_disable()}. */
    public void preemptDisable() {
        preemptCount++;
    }

    /** {@code preempt_enable()} without the reschedule check; the caller does that. */
    public void preemptEnableNoResched() {
        if (preemptCount == 0) {
            throw new IllegalStateException("BUG: preempt count underflow in " + this);
        }
        preemptCount--;
    }

    /** Voluntary context switches: times the task slept in {@code schedule()}. */
    public long voluntarySwitches() {
        return nvcsw;
    }

    /** Involuntary context switches: times the task was preempted. */
    public long involuntarySwitches() {
        return nivcsw;
    }

    /** Successful wake-ups of this task ({@code try_to_wake_up} that returned 1). */
    public long wakeups() {
        return wakeups;
    }
    /** The task's syscalls, counted by {@link herd.trace.Strace}. */
    public SyscallStats syscallStats() {
        return syscallStats;
    }


    void countVoluntarySwitch() {
        nvcsw++;
    }

    void countInvoluntarySwitch() {
        nivcsw++;
    }

    void countWakeup() {
        wakeups++;
    }

    /** The state's kernel name, {@code TASK_INTERRUPTIBLE} for example. */
    public static String stateName(int state) {
        return switch (state) {
            case TASK_RUNNING -> "TASK_RUNNING";
            case TASK_INTERRUPTIBLE -> "TASK_INTERRUPTIBLE";
            case TASK_UNINTERRUPTIBLE -> "TASK_UNINTERRUPTIBLE";
            case TASK_DEAD -> "TASK_DEAD";
            default -> "0x" + Integer.toHexString(state);
        };
    }

    @Override
    public String toString() {
        return name;
    }
}
