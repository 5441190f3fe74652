package herd.wait;

import static herd.fs.Poll.EPOLLERR;
import static herd.fs.Poll.EPOLLIN;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Schedulers;
import herd.fs.Poll;
import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.sched.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The wake-ups of include/linux/wait.h that no exercise asks for, given with the model:
 * {@code wake_up_sync}, {@code wake_up_interruptible_poll}, {@code wake_up_interruptible_all}
 * and {@code wake_up_locked_poll}; each is {@code __wake_up_common} with its own mode,
 * exclusive budget, wake flags and key. And the names the reports print.
 */
class GivenWakeUpsTest {
    @AutoClose
    private final Schedulers schedulers = new Schedulers();

    /** A queue of one non-exclusive and two exclusive entries, head first, that accept and log each wake-up. */
    private static WaitQueueHead queue(List<String> log) {
        WaitQueueHead wq = new WaitQueueHead("wq");
        for (String name : List.of("x1", "x2")) {
            wq.addWaitQueueEntryTailLocked(entry(log, name, WaitQueueEntry.WQ_FLAG_EXCLUSIVE));
        }
        wq.addWaitQueueLocked(entry(log, "n", 0));
        return wq;
    }

    private static WaitQueueEntry entry(List<String> log, String name, int flags) {
        return new WaitQueueEntry(null, (e, mode, wakeFlags, key) -> {
            log.add(name + ": " + (mode == Task.TASK_NORMAL ? "TASK_NORMAL" : Task.stateName(mode))
                    + (wakeFlags == Sched.WF_SYNC ? " WF_SYNC" : " flags=" + wakeFlags)
                    + " key=" + (key == 0 ? "0" : Poll.names("EPOLL", key)));
            return 1;
        }, flags);
    }

    @Test
    void wakeUpSyncIsWakeUpWithWfSync() {
        List<String> log = new ArrayList<>();
        assertThat(queue(log).wakeUpSync()).as("one exclusive entry accepted").isEqualTo(1);
        assertThat(log).as("TASK_NORMAL, one exclusive, WF_SYNC: ep_poll_callback passes a sync wake-up on")
                .containsExactly("n: TASK_NORMAL WF_SYNC key=0", "x1: TASK_NORMAL WF_SYNC key=0");
    }

    @Test
    void wakeUpInterruptiblePollWakesInterruptibleSleepersOneExclusiveWithTheKey() {
        List<String> log = new ArrayList<>();
        assertThat(queue(log).wakeUpInterruptiblePoll(EPOLLERR)).isEqualTo(1);
        assertThat(log).as("sock_def_error_report's wake-up").containsExactly(
                "n: TASK_INTERRUPTIBLE flags=0 key=EPOLLERR", "x1: TASK_INTERRUPTIBLE flags=0 key=EPOLLERR");
    }

    @Test
    void wakeUpInterruptibleAllWakesEveryEntryAndCountsTheExclusiveOnes() {
        List<String> log = new ArrayList<>();
        assertThat(queue(log).wakeUpInterruptibleAll()).as("both exclusive entries accepted").isEqualTo(2);
        assertThat(log).as("nr_exclusive 0: no budget, every entry").containsExactly(
                "n: TASK_INTERRUPTIBLE flags=0 key=0", "x1: TASK_INTERRUPTIBLE flags=0 key=0",
                "x2: TASK_INTERRUPTIBLE flags=0 key=0");
    }

    @Test
    void wakeUpLockedPollIsWakeUpPollUnderTheCallersLock() {
        List<String> log = new ArrayList<>();
        WaitQueueHead wq = queue(log);
        wq.lock.lock();
        try {
            wq.wakeUpLockedPoll(EPOLLIN);
        } finally {
            wq.lock.unlock();
        }
        assertThat(log).as("eventfd's wake-up: TASK_NORMAL, one exclusive, the key")
                .containsExactly("n: TASK_NORMAL flags=0 key=EPOLLIN", "x1: TASK_NORMAL flags=0 key=EPOLLIN");
    }

    @Test
    void aWaitEventWhoseConditionHoldsAlreadyReturnsAtOnceWithoutQueueingOrSleeping() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        WaitQueueHead wq = new WaitQueueHead("wq");
        long[] ret = new long[4];
        Task waiter = sched.spawn("waiter", () -> {
            WaitEvent.waitEvent(wq, () -> true);
            ret[0] = WaitEvent.waitEventInterruptible(wq, () -> true);
            ret[1] = WaitEvent.waitEventInterruptibleExclusive(wq, () -> true);
            ret[2] = WaitEvent.waitEventInterruptibleTimeout(wq, () -> true, 5_000);
            ret[3] = WaitEvent.waitEventInterruptibleTimeout(wq, () -> true, 0);
        });
        sched.run();
        assertThat(ret).as("0, 0, the whole timeout, and 1 for a timeout of 0: the condition held, which is "
                + "success (___wait_cond_timeout)").containsExactly(0, 0, 5_000, 1);
        assertThat(waiter.voluntarySwitches()).as("nobody slept").isZero();
        assertThat(sched.trace().events()).as("the macros test the condition before ___wait_event")
                .noneMatch(e -> e.name().equals("___wait_event"));
    }

    @Test
    void reportsNameTheQueueAndEachEntryByItsTaskAndKind() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        Task reader = sched.spawn("reader", () -> { });
        sched.run();
        assertThat(new WaitQueueHead("eventfd.wqh")).hasToString("eventfd.wqh");
        assertThat(WaitQueueEntry.initWaitqueueEntry(reader)).hasToString("entry of reader-100");
        WaitQueueEntry exclusive = WaitQueueEntry.initWaitqueueEntry(reader);
        exclusive.flags |= WaitQueueEntry.WQ_FLAG_EXCLUSIVE;
        assertThat(exclusive).hasToString("exclusive entry of reader-100");
        assertThat(WaitQueueEntry.initWaitqueueFuncEntry((e, mode, flags, key) -> 0))
                .hasToString("entry of a callback");
    }
}
