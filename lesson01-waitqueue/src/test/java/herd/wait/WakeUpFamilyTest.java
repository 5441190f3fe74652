package herd.wait;

import static herd.course.kit.Tasks.stateOf;
import static herd.course.kit.WaitQueues.EPOLLIN;
import static herd.course.kit.WaitQueues.EPOLLRDNORM;
import static herd.course.kit.WaitQueues.withCallersLock;
import static herd.sched.Sched.WF_SYNC;
import static herd.sched.Task.TASK_DEAD;
import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static herd.sched.Task.TASK_NORMAL;
import static herd.sched.Task.TASK_UNINTERRUPTIBLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.same;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import herd.course.Seeds;
import herd.course.kit.WaitQueues.Call;
import herd.course.kit.WaitQueues.Slot;
import herd.course.kit.WaitQueues.TestQueue;
import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.sched.Task;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * L01-E6: the {@code wake_up} family of include/linux/wait.h, thin wrappers around
 * {@code __wake_up} ({@code __wake_up_common_lock}): take the lock, walk the queue with a
 * mode, an exclusive budget, wake flags and a key, release the lock, return how many
 * exclusive entries accepted.
 *
 * <pre>
 * wake_up(x)                           TASK_NORMAL,        nr 1, flags 0,       key 0
 * wake_up_nr(x, nr)                    TASK_NORMAL,        nr,   flags 0,       key 0
 * wake_up_all(x)                       TASK_NORMAL,        nr 0, flags 0,       key 0
 * wake_up_interruptible(x)             TASK_INTERRUPTIBLE, nr 1, flags 0,       key 0
 * wake_up_poll(x, m)                   TASK_NORMAL,        nr 1, flags 0,       key m
 * wake_up_interruptible_sync_poll(x,m) TASK_INTERRUPTIBLE, nr 1, flags WF_SYNC, key m
 * wake_up_locked(x)                    TASK_NORMAL,        nr 1, flags 0,       key 0, caller holds the lock
 * </pre>
 *
 * <p>The queues are built with plain list operations (head first, {@code N} non-exclusive,
 * {@code X} exclusive, followed by what the mocked wake function returns, 1 when omitted),
 * so these tests need L01-E2's walk but not L01-E1.
 */
@Tag("lesson01")
@Tag("L01-E6")
@DisplayName("L01-E6: the wake_up family")
@ExtendWith(Seeds.Resolver.class)
class WakeUpFamilyTest {
    private static final int POLL_MASK = EPOLLIN | EPOLLRDNORM;

    /** A queue built from {@code spec}, as in L01-E2's tests; a walk that loops is reported as such. */
    private static TestQueue queue(String spec) {
        return new TestQueue(spec, entries -> "more than " + TestQueue.RUNAWAY_CALLS + " wake function calls on a "
                + "queue of " + entries + " entries: the walk loops", (slot, entry) -> { });
    }

    private static String modeName(int mode) {
        return switch (mode) {
            case TASK_NORMAL -> "TASK_NORMAL";
            case TASK_INTERRUPTIBLE -> "TASK_INTERRUPTIBLE";
            case TASK_UNINTERRUPTIBLE -> "TASK_UNINTERRUPTIBLE";
            default -> "0x" + Integer.toHexString(mode);
        };
    }

    private static String flagsName(int wakeFlags) {
        return wakeFlags == 0 ? "0" : wakeFlags == WF_SYNC ? "WF_SYNC" : "0x" + Integer.toHexString(wakeFlags);
    }

    private static String keyName(int key) {
        return key == 0 ? "0 (no key)" : "0x" + Integer.toHexString(key);
    }

    // ---- what each wrapper passes, and how many exclusive entries it wakes -------------------

    /** The wrappers that take the lock themselves, with what they must pass to the walk. */
    enum Wrapper {
        WAKE_UP("wake_up()", WaitQueueHead::wakeUp, TASK_NORMAL, 1, 0, 0),
        WAKE_UP_NR_2("wake_up_nr(2)", wq -> wq.wakeUpNr(2), TASK_NORMAL, 2, 0, 0),
        WAKE_UP_NR_5("wake_up_nr(5)", wq -> wq.wakeUpNr(5), TASK_NORMAL, 5, 0, 0),
        WAKE_UP_ALL("wake_up_all()", WaitQueueHead::wakeUpAll, TASK_NORMAL, 0, 0, 0),
        WAKE_UP_INTERRUPTIBLE("wake_up_interruptible()", WaitQueueHead::wakeUpInterruptible,
                TASK_INTERRUPTIBLE, 1, 0, 0),
        WAKE_UP_POLL("wake_up_poll(EPOLLIN|EPOLLRDNORM)", wq -> wq.wakeUpPoll(POLL_MASK),
                TASK_NORMAL, 1, 0, POLL_MASK),
        WAKE_UP_INTERRUPTIBLE_SYNC_POLL("wake_up_interruptible_sync_poll(EPOLLIN|EPOLLRDNORM)",
                wq -> wq.wakeUpInterruptibleSyncPoll(POLL_MASK), TASK_INTERRUPTIBLE, 1, WF_SYNC, POLL_MASK),
        WAKE_UP_4_ARGS("__wake_up(TASK_INTERRUPTIBLE, 2, WF_SYNC, EPOLLIN)",
                wq -> wq.wakeUp(TASK_INTERRUPTIBLE, 2, WF_SYNC, EPOLLIN), TASK_INTERRUPTIBLE, 2, WF_SYNC, EPOLLIN);

        final String call;
        final ToIntFunction<WaitQueueHead> wake;
        final int mode;
        final int nrExclusive;
        final int wakeFlags;
        final int key;

        Wrapper(String call, ToIntFunction<WaitQueueHead> wake, int mode, int nrExclusive, int wakeFlags, int key) {
            this.call = call;
            this.wake = wake;
            this.mode = mode;
            this.nrExclusive = nrExclusive;
            this.wakeFlags = wakeFlags;
            this.key = key;
        }

        @Override
        public String toString() {
            return call;
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Wrapper.class)
    @DisplayName("each wrapper passes its (mode, wake_flags, key), wakes every non-exclusive entry and its budget "
            + "of exclusive ones, under the lock")
    void eachWrapperPassesItsArguments(Wrapper w) {
        TestQueue q = queue("N N X X X");
        int exclusiveWoken = w.nrExclusive == 0 ? 3 : Math.min(w.nrExclusive, 3);
        int expectedCalls = 2 + exclusiveWoken;

        int accepted = w.wake.applyAsInt(q.wq);

        List<String> expected = q.firstLabels(expectedCalls);
        assertThat(q.called())
                .as("%s on 2 non-exclusive + 3 exclusive entries %s must call %d wake functions %s (every "
                        + "non-exclusive one, then %s); it called %s. More means a thundering herd, fewer a lost "
                        + "wake-up", w, q.describe(), expectedCalls, expected,
                        w.nrExclusive == 0 ? "every exclusive one: nr_exclusive 0 is no limit"
                                : exclusiveWoken + " exclusive (nr_exclusive " + w.nrExclusive + ")",
                        q.called())
                .containsExactlyElementsOf(expected);
        for (Call call : q.calls) {
            assertThat(modeName(call.mode()))
                    .as("%s must pass mode %s (the sleep states it may wake) to every wake function; entry %s got %s",
                            w, modeName(w.mode), call.label(), modeName(call.mode()))
                    .isEqualTo(modeName(w.mode));
            assertThat(flagsName(call.wakeFlags()))
                    .as("%s must pass wake_flags %s; entry %s got %s", w, flagsName(w.wakeFlags), call.label(),
                            flagsName(call.wakeFlags()))
                    .isEqualTo(flagsName(w.wakeFlags));
            assertThat(keyName(call.key()))
                    .as("%s must pass key %s (the poll mask, or 0 for none); entry %s got %s", w, keyName(w.key),
                            call.label(), keyName(call.key()))
                    .isEqualTo(keyName(w.key));
            assertThat(call.lockHeld())
                    .as("%s must hold wq.lock while it calls the wake functions (__wake_up takes it around "
                            + "__wake_up_common); entry %s was called without it", w, call.label())
                    .isTrue();
        }
        assertThat(q.wq.lock.isLocked())
                .as("%s must release wq.lock before it returns; it is still held by %s", w, q.wq.lock.holder())
                .isFalse();
        assertThat(accepted)
                .as("%s must return how many exclusive entries accepted the wake-up: %d; it returned %d",
                        w, exclusiveWoken, accepted)
                .isEqualTo(exclusiveWoken);

        // The same, as Mockito sees it.
        for (Slot slot : q.slots.subList(0, expectedCalls)) {
            verify(slot.fn()).wake(same(slot.entry()), eq(w.mode), eq(w.wakeFlags), eq(w.key));
        }
        for (Slot slot : q.slots.subList(expectedCalls, q.slots.size())) {
            verifyNoInteractions(slot.fn());
        }
    }

    @ParameterizedTest(name = "[{index}] queue [{0}], nr_exclusive={1}: returns {2} ({3})")
    @CsvSource(delimiter = '|', textBlock = """
            # queue, head first | nr_exclusive | accepted | why
            N N                 | 1 | 0 | non-exclusive entries never count
            X0 X X              | 5 | 2 | only the exclusive entries that accepted count, not the budget
            X0 X X              | 0 | 2 | with no limit, every accepting exclusive entry counts
            X X-1 X             | 3 | 1 | a negative return stopped the walk after one accepted
            X X X               | 2 | 2 | the walk stopped when the budget was spent
            ''                  | 1 | 0 | an empty queue
            """)
    @DisplayName("__wake_up returns how many exclusive entries accepted (nr_exclusive minus the budget left)")
    void wakeUpReturnsTheExclusiveEntriesThatAccepted(String spec, int nrExclusive, int expected, String why) {
        TestQueue q = queue(spec);

        int accepted = q.wq.wakeUp(TASK_NORMAL, nrExclusive, 0, 0);

        assertThat(accepted)
                .as("__wake_up(TASK_NORMAL, %d, 0, 0) on queue %s must return %d, the exclusive entries that "
                        + "accepted (%s); it returned %d (calls: %s)", nrExclusive, q.describe(), expected, why,
                        accepted, q.called())
                .isEqualTo(expected);
        assertThat(q.wq.lock.isLocked())
                .as("__wake_up must release wq.lock before it returns; it is held by %s", q.wq.lock.holder())
                .isFalse();
    }

    // ---- wake_up_locked: the caller holds the lock ----------------------------------------------

    @Test
    @DisplayName("wake_up_locked runs under the caller's wq.lock: it neither takes nor releases it")
    void wakeUpLockedUsesTheCallersLock() {
        TestQueue q = queue("N N X X X");

        withCallersLock(q.wq, "wake_up_locked is called with wq.lock already held and must not take it again (it "
                + "calls __wake_up_common directly, not __wake_up); it did and hit: ", () -> {
            q.wq.wakeUpLocked();
            assertThat(q.wq.lock.isHeldByCurrentThread())
                    .as("wake_up_locked must leave the caller's wq.lock held; after it the lock is held by %s",
                            q.wq.lock.holder())
                    .isTrue();
        });

        assertThat(q.called())
                .as("wake_up_locked() on %s must call [0:N, 1:N, 2:X] (TASK_NORMAL, one exclusive); it called %s",
                        q.describe(), q.called())
                .containsExactly("0:N", "1:N", "2:X");
        for (Call call : q.calls) {
            assertThat(List.of(modeName(call.mode()), flagsName(call.wakeFlags()), keyName(call.key())))
                    .as("wake_up_locked must pass (TASK_NORMAL, 0, no key); entry %s got (%s, %s, %s)",
                            call.label(), modeName(call.mode()), flagsName(call.wakeFlags()), keyName(call.key()))
                    .containsExactly("TASK_NORMAL", "0", "0 (no key)");
            assertThat(call.lockHeld())
                    .as("entry %s must be woken while the caller's lock is held", call.label()).isTrue();
        }
        for (Slot slot : q.slots.subList(0, 3)) {
            verify(slot.fn()).wake(same(slot.entry()), eq(TASK_NORMAL), eq(0), eq(0));
        }
        verifyNoInteractions(q.slots.get(3).fn(), q.slots.get(4).fn());
    }

    // ---- with real tasks: the mode decides who wakes ---------------------------------------------

    /**
     * The sleeping side, as a driver written without the wait_event helpers does it: queue a
     * non-exclusive entry and set the task state under the lock, schedule(), then dequeue.
     */
    private static void sleepOn(WaitQueueHead wq, int state, List<Task> woke) {
        WaitQueueEntry wait = WaitQueueEntry.initWaitqueueEntry(Sched.current());
        wq.lock.lock();
        try {
            wq.addWaitQueueLocked(wait);
            Sched.setCurrentState(state);
        } finally {
            wq.lock.unlock();
        }
        Sched.schedule();
        woke.add(Sched.current());
        wq.removeWaitQueue(wait);
    }

    private static void assertAsleep(Task task, int state) {
        assertThat(Task.stateName(task.state()))
                .as("setup: %s must be asleep in %s once the first run is idle; it is %s",
                        task, Task.stateName(state), Task.stateName(task.state()))
                .isEqualTo(Task.stateName(state));
    }

    /** A deep (TASK_UNINTERRUPTIBLE) and a light (TASK_INTERRUPTIBLE) sleeper on one queue, after one wake-up. */
    private record TwoSleepers(WaitQueueHead wq, Task deep, Task light, List<Task> woke, int accepted) {
    }

    /**
     * On {@code sched}: d-sleeper sleeps on a queue in TASK_UNINTERRUPTIBLE and s-sleeper in
     * TASK_INTERRUPTIBLE; then a waker task calls {@code wake} on the queue, and the run goes on
     * until every task sleeps or has exited. {@code woke} lists the sleepers that returned from
     * schedule(), {@code accepted} is what {@code wake} returned.
     */
    private static TwoSleepers wakeTwoSleepers(DeterministicScheduler sched, ToIntFunction<WaitQueueHead> wake) {
        WaitQueueHead wq = new WaitQueueHead("wq");
        List<Task> woke = new CopyOnWriteArrayList<>();
        Task deep = sched.spawn("d-sleeper", () -> sleepOn(wq, TASK_UNINTERRUPTIBLE, woke));
        Task light = sched.spawn("s-sleeper", () -> sleepOn(wq, TASK_INTERRUPTIBLE, woke));
        sched.runUntilIdle();
        assertAsleep(deep, TASK_UNINTERRUPTIBLE);
        assertAsleep(light, TASK_INTERRUPTIBLE);

        AtomicInteger accepted = new AtomicInteger(-1);
        sched.spawn("waker", () -> accepted.set(wake.applyAsInt(wq)));
        sched.runUntilIdle();
        return new TwoSleepers(wq, deep, light, woke, accepted.get());
    }

    @Test
    @DisplayName("wake_up_interruptible wakes the TASK_INTERRUPTIBLE sleeper and leaves the TASK_UNINTERRUPTIBLE one asleep")
    void wakeUpInterruptibleWakesOnlyInterruptibleSleepers(Seeds seeds) {
        seeds.explore(20, 0.5, sched -> {
            TwoSleepers run = wakeTwoSleepers(sched, WaitQueueHead::wakeUpInterruptible);

            assertThat(stateOf(run.deep()))
                    .as("wake_up_interruptible() wakes TASK_INTERRUPTIBLE sleepers only: %s, asleep in "
                            + "TASK_UNINTERRUPTIBLE, must still be asleep; it is %s (woken: %s)",
                            run.deep(), stateOf(run.deep()), run.woke())
                    .isEqualTo("TASK_UNINTERRUPTIBLE");
            assertThat(stateOf(run.light()))
                    .as("wake_up_interruptible() must wake %s, asleep in TASK_INTERRUPTIBLE, which then runs to its "
                            + "end (TASK_DEAD); it is %s", run.light(), stateOf(run.light()))
                    .isEqualTo("TASK_DEAD");
            assertThat(run.woke()).as("the tasks that returned from schedule()").containsExactly(run.light());
            assertThat(run.accepted())
                    .as("wake_up_interruptible() on a queue of non-exclusive entries must return 0 (no exclusive "
                            + "entry accepted); it returned %d", run.accepted())
                    .isZero();
        });
    }

    @Test
    @DisplayName("wake_up (TASK_NORMAL) wakes sleepers in both TASK_INTERRUPTIBLE and TASK_UNINTERRUPTIBLE")
    void wakeUpWakesBothKindsOfSleepers(Seeds seeds) {
        seeds.explore(20, 0.5, sched -> {
            TwoSleepers run = wakeTwoSleepers(sched, WaitQueueHead::wakeUp);

            for (Task t : List.of(run.deep(), run.light())) {
                assertThat(t.state())
                        .as("wake_up() uses TASK_NORMAL, both sleep states: %s must be woken and run to its end "
                                + "(TASK_DEAD); it is %s (woken: %s)", t, stateOf(t), run.woke())
                        .isEqualTo(TASK_DEAD);
            }
            assertThat(run.woke()).as("the tasks that returned from schedule()")
                    .containsExactlyInAnyOrder(run.deep(), run.light());
            assertThat(run.accepted())
                    .as("wake_up() on a queue of non-exclusive entries must return 0 (no exclusive entry accepted); "
                            + "it returned %d", run.accepted())
                    .isZero();
            assertThat(run.wq().waitqueueActive()).as("both sleepers removed their entries after waking").isFalse();
        });
    }
}
