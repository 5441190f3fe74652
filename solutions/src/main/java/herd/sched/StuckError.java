package herd.sched;

/**
 * A run that cannot finish: every task sleeps with no timer pending (deadlock), tasks
 * switch forever without progress (livelock), or one task runs past the wall-clock
 * watchdog. The message lists every task, its state and where it is.
 */
public final class StuckError extends AssertionError {
    private static final long serialVersionUID = 1L;
    private final boolean watchdog;

    StuckError(String message) {
        this(message, false);
    }

    StuckError(String message, boolean watchdog) {
        super(message);
        this.watchdog = watchdog;
    }

    /** Whether the wall-clock watchdog stopped the run: a task that never gave up the CPU, a hang. */
    public boolean isWatchdog() {
        return watchdog;
    }
}
