package herd.wait;

import static herd.course.kit.Tasks.currentState;
import static herd.course.kit.Tasks.inTask;
import static herd.course.kit.Tasks.stateOf;
import static herd.course.kit.WaitQueues.callbackEntry;
import static herd.course.kit.WaitQueues.entriesOf;
import static herd.course.kit.WaitQueues.tasksOn;
import static herd.course.kit.WaitQueues.wakeUp;
import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static herd.sched.Task.TASK_UNINTERRUPTIBLE;
import static herd.wait.WaitQueueEntry.WQ_FLAG_EXCLUSIVE;
import static herd.wait.WaitQueueEntry.WQ_FLAG_WOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import herd.course.kit.WaitQueues;
import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.sched.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * L01-E4, the sleeping side of kernel/sched/wait.c: {@code prepare_to_wait},
 * {@code prepare_to_wait_exclusive} and {@code finish_wait}. They act on the current
 * task, so every call runs inside a task on the {@link DeterministicScheduler}. Queues
 * are woken with {@link WaitQueues#wakeUp}, {@code __wake_up_common} under the queue's
 * lock, not {@code wq.wakeUp()}: these tests need the exercises before this one, not L01-E6.
 */
@Tag("lesson01")
@Tag("L01-E4")
class PrepareToWaitTest {

    /** An entry that is not the one under test, linked with the list primitive. */
    private static WaitQueueEntry bystander(WaitQueueHead wq, int flags) {
        WaitQueueEntry entry = callbackEntry(flags);
        wq.head.addTail(entry.entry);
        return entry;
    }

    private static void assertLockReleased(WaitQueueHead wq, String function) {
        assertThat(wq.lock.isLocked()).as("%s must release the wait queue's lock before it returns", function)
                .isFalse();
        assertThat(Sched.current().preemptCount())
                .as("%s must leave no spinlock held (preempt count 0), or schedule() would be called while atomic",
                        function)
                .isZero();
    }

    @Test
    @DisplayName("prepare_to_wait clears WQ_FLAG_EXCLUSIVE, queues the entry at the head, sets the state")
    void prepareToWaitQueuesAtTheHead() {
        WaitQueueHead wq = new WaitQueueHead("wq");
        inTask(() -> {
            WaitQueueEntry older = bystander(wq, WQ_FLAG_EXCLUSIVE);
            WaitQueueEntry wait = WaitQueueEntry.initWaitEntry(WQ_FLAG_EXCLUSIVE | WQ_FLAG_WOKEN);

            Wait.prepareToWait(wq, wait, TASK_INTERRUPTIBLE);

            assertThat(wait.isExclusive())
                    .as("prepare_to_wait makes a non-exclusive sleeper: it must clear WQ_FLAG_EXCLUSIVE")
                    .isFalse();
            assertThat(wait.flags & WQ_FLAG_WOKEN)
                    .as("prepare_to_wait must clear WQ_FLAG_EXCLUSIVE only (flags &= ~WQ_FLAG_EXCLUSIVE), and keep "
                            + "the entry's other flags")
                    .isEqualTo(WQ_FLAG_WOKEN);
            assertThat(entriesOf(wq))
                    .as("prepare_to_wait must link the entry at the HEAD of the queue, before the entries already "
                            + "there")
                    .containsExactly(wait, older);
            assertThat(currentState()).as("prepare_to_wait must set the current task's state to the one given")
                    .isEqualTo("TASK_INTERRUPTIBLE");
            assertLockReleased(wq, "prepare_to_wait");
            Wait.finishWait(wq, wait);
        });
    }

    @Test
    @DisplayName("prepare_to_wait twice (the second turn of a wait loop) does not queue the entry twice")
    void prepareToWaitTwiceQueuesOnce() {
        WaitQueueHead wq = new WaitQueueHead("wq");
        inTask(() -> {
            WaitQueueEntry wait = WaitQueueEntry.initWaitEntry(0);
            Wait.prepareToWait(wq, wait, TASK_INTERRUPTIBLE);
            WaitQueueEntry newer = bystander(wq, 0);
            Sched.setCurrentState(Task.TASK_RUNNING);

            assertThatCode(() -> Wait.prepareToWait(wq, wait, TASK_UNINTERRUPTIBLE))
                    .as("prepare_to_wait on an entry that is already queued must not link it again "
                            + "(check list_empty(&entry) first)")
                    .doesNotThrowAnyException();

            assertThat(entriesOf(wq))
                    .as("prepare_to_wait must queue an entry only if it is not queued yet: it must stay once, "
                            + "where it was")
                    .containsExactly(wait, newer);
            assertThat(currentState()).as("prepare_to_wait sets the state even when the entry was already queued")
                    .isEqualTo("TASK_UNINTERRUPTIBLE");
            assertLockReleased(wq, "prepare_to_wait");
            Wait.finishWait(wq, wait);
        });
    }

    @Test
    @DisplayName("prepare_to_wait_exclusive sets WQ_FLAG_EXCLUSIVE and queues the entry at the tail, once")
    void prepareToWaitExclusiveQueuesAtTheTail() {
        WaitQueueHead wq = new WaitQueueHead("wq");
        inTask(() -> {
            WaitQueueEntry older = bystander(wq, 0);
            WaitQueueEntry wait = WaitQueueEntry.initWaitEntry(WQ_FLAG_WOKEN);

            Wait.prepareToWaitExclusive(wq, wait, TASK_UNINTERRUPTIBLE);

            assertThat(wait.isExclusive()).as("prepare_to_wait_exclusive must set WQ_FLAG_EXCLUSIVE").isTrue();
            assertThat(wait.flags & WQ_FLAG_WOKEN)
                    .as("prepare_to_wait_exclusive must only add WQ_FLAG_EXCLUSIVE (flags |= ...), and keep the "
                            + "entry's other flags")
                    .isEqualTo(WQ_FLAG_WOKEN);
            assertThat(entriesOf(wq))
                    .as("prepare_to_wait_exclusive must link the entry at the TAIL, after the entries already there")
                    .containsExactly(older, wait);
            assertThat(currentState())
                    .as("prepare_to_wait_exclusive must set the current task's state to the one given")
                    .isEqualTo("TASK_UNINTERRUPTIBLE");
            assertLockReleased(wq, "prepare_to_wait_exclusive");

            Sched.setCurrentState(Task.TASK_RUNNING);
            assertThatCode(() -> Wait.prepareToWaitExclusive(wq, wait, TASK_INTERRUPTIBLE))
                    .as("prepare_to_wait_exclusive on an entry that is already queued must not link it again")
                    .doesNotThrowAnyException();
            assertThat(entriesOf(wq))
                    .as("a second prepare_to_wait_exclusive must not queue the entry twice")
                    .containsExactly(older, wait);
            assertThat(currentState()).as("the second call sets the state it is given")
                    .isEqualTo("TASK_INTERRUPTIBLE");
            Wait.finishWait(wq, wait);
        });
    }

    @Test
    @DisplayName("finish_wait sets TASK_RUNNING and unlinks an entry that is still queued")
    void finishWaitUnlinksAQueuedEntry() {
        WaitQueueHead wq = new WaitQueueHead("wq");
        inTask(() -> {
            WaitQueueEntry other = bystander(wq, 0);
            WaitQueueEntry wait = WaitQueueEntry.initWaitEntry(0);
            Wait.prepareToWaitExclusive(wq, wait, TASK_INTERRUPTIBLE);

            Wait.finishWait(wq, wait);

            assertThat(currentState()).as("finish_wait must set the current task TASK_RUNNING")
                    .isEqualTo("TASK_RUNNING");
            assertThat(wait.entry.isEmpty())
                    .as("finish_wait must unlink an entry no wake-up removed (the condition was true before the "
                            + "task slept), or a later wake-up would find a stale entry on the queue")
                    .isTrue();
            assertThat(entriesOf(wq)).as("finish_wait must unlink that entry only").containsExactly(other);
            assertLockReleased(wq, "finish_wait");
        });
    }

    @Test
    @DisplayName("finish_wait after a wake-up already unlinked the entry leaves the queue alone")
    void finishWaitAfterAutoremove() {
        WaitQueueHead wq = new WaitQueueHead("wq");
        List<String> seen = new CopyOnWriteArrayList<>();
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            WaitQueueEntry other = bystander(wq, 0);
            WaitQueueEntry[] wait = new WaitQueueEntry[1];
            Task sleeper = sched.spawn("sleeper", () -> {
                wait[0] = WaitQueueEntry.initWaitEntry(0);
                Wait.prepareToWait(wq, wait[0], TASK_INTERRUPTIBLE);
                Sched.schedule();
                seen.add("unlinked by the wake-up: " + wait[0].entry.isEmpty());
                Wait.finishWait(wq, wait[0]);
                seen.add("state after finish_wait: " + currentState());
                seen.add("lock held after finish_wait: " + wq.lock.isLocked());
            });
            sched.runUntilIdle();
            assertThat(entriesOf(wq)).as("setup: the sleeper's entry is queued at the head").hasSize(2)
                    .endsWith(other);

            wakeUp(wq);
            sched.run();

            assertThat(seen).as("after its wake-up (autoremove_wake_function unlinked the entry), finish_wait must "
                    + "set TASK_RUNNING and release the lock").containsExactly("unlinked by the wake-up: true",
                    "state after finish_wait: TASK_RUNNING", "lock held after finish_wait: false");
            assertThat(entriesOf(wq))
                    .as("finish_wait on an entry a wake-up already unlinked must leave the queue alone")
                    .containsExactly(other);
            assertThat(wait[0].entry.isEmpty()).as("the entry stays unlinked").isTrue();
            assertThat(sleeper.voluntarySwitches()).as("the sleeper slept once").isEqualTo(1);
        }
    }

    @Test
    @DisplayName("exclusive sleepers are woken first come, first served: one wake_up releases exactly one")
    void exclusiveSleepersWakeInFifoOrder() {
        WaitQueueHead wq = new WaitQueueHead("wq");
        AtomicInteger tokens = new AtomicInteger();
        List<String> woken = new CopyOnWriteArrayList<>();
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            List<Task> sleepers = new ArrayList<>();
            for (String name : List.of("first", "second", "third")) {
                sleepers.add(sched.spawn(name, () -> {
                    WaitQueueEntry wait = WaitQueueEntry.initWaitEntry(0);
                    for (;;) {
                        Wait.prepareToWaitExclusive(wq, wait, TASK_INTERRUPTIBLE);
                        if (tokens.get() > 0) {
                            break;
                        }
                        Sched.schedule();
                    }
                    Wait.finishWait(wq, wait);
                    tokens.decrementAndGet();
                    woken.add(name);
                }));
                sched.runUntilIdle();
            }
            assertThat(tasksOn(wq))
                    .as("three tasks slept one after the other with prepare_to_wait_exclusive: it must queue each at "
                            + "the tail, so the queue reads first, second, third from the head")
                    .containsExactlyElementsOf(sleepers);

            for (int i = 0; i < 3; i++) {
                tokens.incrementAndGet();
                wakeUp(wq);
                sched.runUntilIdle();
                List<String> expected = List.of("first", "second", "third").subList(0, i + 1);
                assertThat(woken)
                        .as("after %d single wake-up(s), exactly the first %d exclusive sleeper(s) must have woken, in "
                                + "the order they slept; a later sleeper waking before an earlier one means "
                                + "prepare_to_wait_exclusive does not queue at the tail (first come, first served)",
                                i + 1, i + 1)
                        .containsExactlyElementsOf(expected);
                for (Task t : sleepers.subList(i + 1, 3)) {
                    assertThat(t.wakeups())
                            .as("%s must not have been woken yet: one wake_up wakes one exclusive sleeper "
                                    + "(is WQ_FLAG_EXCLUSIVE set?)", t)
                            .isZero();
                    assertThat(stateOf(t)).as("%s is still asleep", t)
                            .isEqualTo("TASK_INTERRUPTIBLE");
                }
            }
            sched.run();
            assertThat(wq.waitqueueActive()).as("every sleeper left the queue (finish_wait)").isFalse();
            assertThat(sleepers).as("each sleeper was woken exactly once").allMatch(t -> t.wakeups() == 1);
        }
    }
}
