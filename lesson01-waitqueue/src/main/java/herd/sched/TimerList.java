package herd.sched;

/**
 * {@code struct timer_list} (include/linux/timer_types.h, kernel/time/timer.c): a function
 * that the timer interrupt runs once the clock reaches {@code expires}, whoever is on the
 * CPU and whoever waits for it.
 *
 * <p>The model's timer wheel, simplified: each scheduler keeps its pending timers sorted
 * by expiry, in nanoseconds of its own clock (no jiffies, no wheel levels, no slack). The
 * deterministic scheduler runs a timer when every task sleeps and the clock jumps to it,
 * in timer context ({@link herd.trace.Trace#runTimer}: no current task, traced as
 * {@code <idle>-0}); the parallel one runs it on a timer thread. A timer runs once; its
 * function may re-arm it ({@link #modTimer}), as {@code tcp_retransmit_timer} does.
 */
public final class TimerList {
    private final Scheduler scheduler;
    private final Runnable function;
    private volatile long expires;
    private volatile boolean pending;

    /** {@code timer_setup()}: a timer on {@code scheduler}'s clock that runs {@code function}. */
    public TimerList(Scheduler scheduler, Runnable function) {
        this.scheduler = scheduler;
        this.function = function;
    }

    /**
     * {@code mod_timer()}: (re)arms the timer to run at {@code expires} (absolute, on the
     * scheduler's clock). Returns true if it was pending, and is then moved, not added twice.
     */
    public boolean modTimer(long expires) {
        return scheduler.modTimer(this, expires);
    }

    /** {@code timer_delete()} ({@code del_timer}): disarms the timer; true if it was pending. */
    public boolean delTimer() {
        return scheduler.delTimer(this);
    }

    /** {@code timer_pending()}. */
    public boolean pending() {
        return pending;
    }

    /** {@code timer->expires}: when it runs (or last ran). */
    public long expires() {
        return expires;
    }

    /** The scheduler marks the timer armed at {@code at}, or not pending any more. */
    void setPending(boolean armed, long at) {
        this.pending = armed;
        if (armed) {
            this.expires = at;
        }
    }

    /** The timer's function, run by the scheduler in timer context. */
    Runnable function() {
        return function;
    }

    @Override
    public String toString() {
        return "timer_list" + (pending ? " at " + expires + " ns" : " (not pending)");
    }
}
