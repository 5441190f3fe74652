package herd.sched;

import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static herd.sched.Task.TASK_NORMAL;
import static herd.sched.Task.TASK_RUNNING;
import static herd.sched.Task.TASK_UNINTERRUPTIBLE;

import herd.trace.Ftrace;
import herd.uapi.Errno;

/**
 * The scheduler functions kernel code calls, as static methods so that Java reads like
 * the C: {@code setCurrentState(TASK_INTERRUPTIBLE); schedule();}. Each one names the
 * kernel function it mirrors (kernel/sched/core.c, include/linux/sched.h,
 * include/linux/sched/signal.h).
 */
public final class Sched {
    /** {@code MAX_SCHEDULE_TIMEOUT}: {@link #scheduleTimeout(long)} without a timer. */
    public static final long MAX_SCHEDULE_TIMEOUT = Long.MAX_VALUE;
    /** {@code WF_SYNC}: the waker is about to sleep, a hint a wake function may use. */
    public static final int WF_SYNC = 0x10;

    private Sched() {
    }

    /** {@code current}. */
    public static Task current() {
        return Task.current();
    }

    private static Task requireCurrent(String function) {
        Task current = Task.current();
        if (current == null) {
            throw new IllegalStateException(function + "() called outside a task: "
                    + "run this code in a task created by Scheduler.spawn");
        }
        return current;
    }

    /** {@code set_current_state()}: a volatile write, the full barrier the kernel's version implies. */
    public static void setCurrentState(int state) {
        requireCurrent("set_current_state").setState(state);
    }

    /** {@code schedule()}. */
    public static void schedule() {
        Task current = requireCurrent("schedule");
        requirePreemptible(current);
        current.scheduler().schedule();
    }

    private static void requirePreemptible(Task current) {
        if (current.preemptCount() != 0) {
            throw new IllegalStateException("BUG: scheduling while atomic: " + current
                    + " holds " + current.preemptCount() + " spinlock(s)");
        }
    }

    /** {@code schedule_timeout()}: returns the nanoseconds left, 0 if the timeout expired. */
    public static long scheduleTimeout(long timeout) {
        Task current = requireCurrent("schedule_timeout");
        if (timeout < 0) {
            throw new IllegalArgumentException("schedule_timeout: negative timeout " + timeout);
        }
        requirePreemptible(current);
        return current.scheduler().scheduleTimeout(timeout);
    }

    /**
     * {@code schedule_hrtimeout()} with an absolute deadline on the scheduler's clock
     * ({@link #MAX_SCHEDULE_TIMEOUT} for none): 0 once the deadline passed (at once if it
     * already has), {@code -EINTR} when woken before it.
     */
    public static long scheduleHrtimeout(long expires) {
        Task current = requireCurrent("schedule_hrtimeout");
        if (expires == MAX_SCHEDULE_TIMEOUT) {
            schedule();
            return Errno.EINTR.neg();
        }
        long left = expires - current.scheduler().clock();
        if (left <= 0) {
            current.setState(TASK_RUNNING);
            return 0;
        }
        return scheduleTimeout(left) == 0 ? 0 : Errno.EINTR.neg();
    }

    /** {@code schedule_timeout_uninterruptible()}: sleeps for {@code timeout} ns; only the timer wakes it. */
    public static long scheduleTimeoutUninterruptible(long timeout) {
        setCurrentState(TASK_UNINTERRUPTIBLE);
        return scheduleTimeout(timeout);
    }

    /** {@code cond_resched()}: lets the scheduler switch to another task here. */
    public static void condResched() {
        Task current = Task.current();
        if (current != null && current.preemptCount() == 0) {
            current.scheduler().preemptionPoint();
        }
    }

    /**
     * {@code try_to_wake_up()}: makes {@code p} runnable if its state is one of the
     * states in {@code state}; returns 1 if it did, 0 if {@code p} was running already
     * or sleeps in a state the caller may not wake.
     */
    public static int tryToWakeUp(Task p, int state, int wakeFlags) {
        try (var fn = Ftrace.enter("try_to_wake_up")) {
            // @exercise L01-E3 try_to_wake_up: under p's pi_lock, wake p only if its state is in the mask,
            //   then activate it
            p.piLock.lock();
            try {
                if ((p.state() & state) == 0) {
                    return 0;
                }
                p.setState(TASK_RUNNING);
                p.scheduler().activate(p);
                return 1;
            } finally {
                p.piLock.unlock();
            }
            // @end L01-E3
        }
    }

    /** {@code wake_up_process()}: wakes a task sleeping in either state. */
    public static int wakeUpProcess(Task p) {
        return tryToWakeUp(p, TASK_NORMAL, 0);
    }

    /** {@code signal_pending()}. */
    public static boolean signalPending(Task p) {
        return p.hasPendingSignal();
    }

    /** {@code signal_pending_state()}: a pending signal interrupts an interruptible sleep only. */
    public static boolean signalPendingState(int state, Task p) {
        return (state & TASK_INTERRUPTIBLE) != 0 && p.hasPendingSignal();
    }

    /**
     * {@code send_sig()} for the one signal the model has: marks it pending and, as
     * {@code signal_wake_up()} does, wakes the task if it sleeps interruptibly.
     */
    public static void sendSignal(Task p) {
        p.setPendingSignal(true);
        tryToWakeUp(p, TASK_INTERRUPTIBLE, 0);
    }

    /** The signal was delivered to user space: its handler ran and it is no longer pending. */
    public static void flushSignals(Task p) {
        p.setPendingSignal(false);
    }
}
