package herd.wait;

import static herd.sched.Sched.MAX_SCHEDULE_TIMEOUT;
import static herd.sched.Sched.scheduleTimeout;
import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static herd.sched.Task.TASK_UNINTERRUPTIBLE;
import static herd.wait.WaitQueueEntry.WQ_FLAG_EXCLUSIVE;

import herd.trace.Ftrace;
import java.util.function.BooleanSupplier;

/**
 * The {@code wait_event*()} macros of include/linux/wait.h: sleep on a queue until a
 * condition holds. All of them are one loop, {@code ___wait_event()}: queue and set the
 * state, re-check the condition, sleep, repeat.
 */
public final class WaitEvent {
    private WaitEvent() {
    }

    /** {@code wait_event()}: sleeps uninterruptibly until {@code condition} holds. */
    public static void waitEvent(WaitQueueHead wqHead, BooleanSupplier condition) {
        if (!condition.getAsBoolean()) {
            waitEventLoop(wqHead, condition, TASK_UNINTERRUPTIBLE, false, MAX_SCHEDULE_TIMEOUT);
        }
    }

    /**
     * {@code wait_event_interruptible()}: returns 0 once {@code condition} holds, or
     * {@code -ERESTARTSYS} if a signal arrived first.
     */
    public static long waitEventInterruptible(WaitQueueHead wqHead, BooleanSupplier condition) {
        return condition.getAsBoolean() ? 0
                : waitEventLoop(wqHead, condition, TASK_INTERRUPTIBLE, false, MAX_SCHEDULE_TIMEOUT);
    }

    /** {@code wait_event_interruptible_exclusive()}: as above, as a wake-one sleeper. */
    public static long waitEventInterruptibleExclusive(WaitQueueHead wqHead, BooleanSupplier condition) {
        return condition.getAsBoolean() ? 0
                : waitEventLoop(wqHead, condition, TASK_INTERRUPTIBLE, true, MAX_SCHEDULE_TIMEOUT);
    }

    /**
     * {@code wait_event_interruptible_timeout()}: the time left (at least 1) once the
     * condition holds, 0 if the timeout elapsed first, or {@code -ERESTARTSYS}.
     */
    public static long waitEventInterruptibleTimeout(WaitQueueHead wqHead, BooleanSupplier condition, long timeout) {
        return condition.getAsBoolean() ? Math.max(1, timeout)
                : waitEventLoop(wqHead, condition, TASK_INTERRUPTIBLE, false, timeout);
    }

    /**
     * {@code ___wait_event()}: the loop behind every macro above. Returns
     * {@code -ERESTARTSYS} on a signal; otherwise 0 without a timeout, or with one the
     * time left (at least 1) when the condition holds and 0 when the time ran out.
     */
    static long waitEventLoop(WaitQueueHead wqHead, BooleanSupplier condition, int state, boolean exclusive,
                              long timeout) {
        try (var fn = Ftrace.enter("___wait_event")) {
            // @exercise L01-E5 ___wait_event: prepare_to_wait_event, re-check the condition, stop on a
            //   signal, sleep with schedule_timeout; finish_wait at the end
            WaitQueueEntry wait = WaitQueueEntry.initWaitEntry(exclusive ? WQ_FLAG_EXCLUSIVE : 0);
            boolean timed = timeout != MAX_SCHEDULE_TIMEOUT;
            long left = timeout;
            for (;;) {
                long interrupted = Wait.prepareToWaitEvent(wqHead, wait, state);
                if (condition.getAsBoolean()) {
                    left = timed ? Math.max(1, left) : left;
                    break;
                }
                if (timed && left == 0) {
                    break;
                }
                if (interrupted != 0) {
                    return interrupted;
                }
                left = scheduleTimeout(left);
            }
            Wait.finishWait(wqHead, wait);
            return timed ? left : 0;
            // @end L01-E5
        }
    }
}
