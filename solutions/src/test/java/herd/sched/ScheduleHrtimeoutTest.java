package herd.sched;

import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static herd.sched.Task.TASK_RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Schedulers;
import herd.uapi.Errno;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * {@code schedule_hrtimeout()} with an absolute deadline, as {@code ep_poll} uses it: 0
 * when the deadline passed (at once, without sleeping, if it already has), {@code -EINTR}
 * when a wake-up came first; with no deadline it sleeps until a wake-up.
 */
class ScheduleHrtimeoutTest {
    private static final long MS = 1_000_000;

    @AutoClose
    private final Schedulers schedulers = new Schedulers();
    private final DeterministicScheduler sched = schedulers.deterministic(1);

    /**
     * Runs schedule_hrtimeout(deadline) as a sleeper in TASK_INTERRUPTIBLE, and beside it a
     * waker that runs {@code meanwhile} (which sleeps) and then wakes the sleeper; returns
     * [result, clock at return].
     */
    private long[] sleep(long deadline, Runnable meanwhile) {
        AtomicLong result = new AtomicLong(-999);
        AtomicLong returnedAt = new AtomicLong(-1);
        Task sleeper = sched.spawn("sleeper", () -> {
            Sched.setCurrentState(TASK_INTERRUPTIBLE);
            result.set(Sched.scheduleHrtimeout(deadline));
            returnedAt.set(sched.clock());
        });
        if (meanwhile != null) {
            sched.spawn("waker", () -> {
                meanwhile.run();
                Sched.wakeUpProcess(sleeper);
            });
        }
        sched.run();
        return new long[] {result.get(), returnedAt.get()};
    }

    @Test
    void aDeadlineThatHasPassedReturnsZeroAtOnceRunningWithoutSleeping() {
        sched.spawn("t", () -> {
            Sched.setCurrentState(TASK_INTERRUPTIBLE);
            long switches = Task.current().voluntarySwitches();
            assertThat(Sched.scheduleHrtimeout(sched.clock())).as("schedule_hrtimeout(now)").isZero();
            assertThat(Task.current().state()).as("it sets the task running again itself").isEqualTo(TASK_RUNNING);
            assertThat(Task.current().voluntarySwitches()).as("context switches: it did not sleep")
                    .isEqualTo(switches);
        });
        sched.run();
    }

    @Test
    void aDeadlineNobodyBeatsReturnsZeroAtTheDeadline() {
        long[] r = sleep(5 * MS, null);
        assertThat(r).as("[result, virtual time at return]: the timer woke it").containsExactly(0, 5 * MS);
    }

    @Test
    void aWakeUpBeforeTheDeadlineReturnsEintrAtTheWakeUp() {
        long[] r = sleep(5 * MS, () -> Sched.scheduleTimeoutUninterruptible(2 * MS));
        assertThat(r).as("[result, virtual time at return]: woken 2 ms in, 3 ms before its deadline")
                .containsExactly(Errno.EINTR.neg(), 2 * MS);
    }

    @Test
    void noDeadlineSleepsUntilAWakeUpAndReturnsEintr() {
        long[] r = sleep(Sched.MAX_SCHEDULE_TIMEOUT, () -> Sched.scheduleTimeoutUninterruptible(7 * MS));
        assertThat(r).as("[result, virtual time at return]").containsExactly(Errno.EINTR.neg(), 7 * MS);
    }
}
