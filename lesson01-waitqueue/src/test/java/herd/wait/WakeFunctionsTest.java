package herd.wait;

import static herd.course.kit.Tasks.sleeper;
import static herd.course.kit.Tasks.stateOf;
import static herd.course.kit.WaitQueues.tasksOn;
import static herd.course.kit.WaitQueues.underLock;
import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static herd.sched.Task.TASK_NORMAL;
import static herd.sched.Task.TASK_UNINTERRUPTIBLE;
import static org.assertj.core.api.Assertions.assertThat;

import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.sched.Task;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * L01-E3, the two wake functions of kernel/sched/wait.c: {@code default_wake_function}
 * wakes the entry's task and returns what {@code try_to_wake_up} returned, leaving the
 * entry queued; {@code autoremove_wake_function} also unlinks the entry, but only when
 * it actually woke the task.
 *
 * <p>The entries are linked with the list primitive itself (not {@code add_wait_queue}),
 * and the wake functions are called from the test thread under the queue's lock, as
 * {@code __wake_up_common} calls them, so these tests need L01-E3 alone.
 */
@Tag("lesson01")
@Tag("L01-E3")
class WakeFunctionsTest {

    /** Links {@code entry} at the tail of {@code wq} with the list primitive. */
    private static WaitQueueEntry queued(WaitQueueHead wq, WaitQueueEntry entry) {
        wq.head.addTail(entry.entry);
        return entry;
    }

    private static WaitQueueEntry autoremoveEntry(Task task) {
        return new WaitQueueEntry(task, WaitQueueEntry::autoremoveWakeFunction, 0);
    }

    @Test
    @DisplayName("default_wake_function wakes the entry's task, returns 1, and leaves the entry on the queue")
    void defaultWakeFunctionWakesAndKeepsTheEntry() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            WaitQueueHead wq = new WaitQueueHead("wq");
            Task task = sleeper(sched, "sleeper", TASK_INTERRUPTIBLE);
            WaitQueueEntry entry = queued(wq, WaitQueueEntry.initWaitqueueEntry(task));

            int ret = underLock(wq, () -> WaitQueueEntry.defaultWakeFunction(entry, TASK_NORMAL, 0, 0));

            assertThat(ret).as("default_wake_function on a sleeping task must return try_to_wake_up's 1")
                    .isEqualTo(1);
            assertThat(stateOf(task))
                    .as("default_wake_function must wake the entry's task (try_to_wake_up sets it TASK_RUNNING)")
                    .isEqualTo("TASK_RUNNING");
            assertThat(entry.entry.isEmpty())
                    .as("default_wake_function must NOT unlink the entry (only autoremove_wake_function does)")
                    .isFalse();
            assertThat(tasksOn(wq)).as("the queue still holds the woken task's entry").containsExactly(task);

            int again = underLock(wq, () -> WaitQueueEntry.defaultWakeFunction(entry, TASK_NORMAL, 0, 0));
            assertThat(again)
                    .as("default_wake_function on a task that is already running must return try_to_wake_up's 0")
                    .isZero();
            assertThat(task.wakeups()).as("wakeups(): one success, one refusal").isEqualTo(1);
            sched.runUntilIdle();
            assertThat(task.state()).as("the woken task runs on and exits").isEqualTo(Task.TASK_DEAD);
        }
    }

    @Test
    @DisplayName("default_wake_function passes the mode to try_to_wake_up: TASK_INTERRUPTIBLE does not wake a deep sleeper")
    void defaultWakeFunctionHonoursTheMode() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            WaitQueueHead wq = new WaitQueueHead("wq");
            Task task = sleeper(sched, "deep", TASK_UNINTERRUPTIBLE);
            WaitQueueEntry entry = queued(wq, WaitQueueEntry.initWaitqueueEntry(task));

            int ret = underLock(wq, () -> WaitQueueEntry.defaultWakeFunction(entry, TASK_INTERRUPTIBLE, 0, 0));

            assertThat(ret)
                    .as("default_wake_function with mode TASK_INTERRUPTIBLE on a TASK_UNINTERRUPTIBLE sleeper must "
                            + "return 0: pass the mode to try_to_wake_up as its state mask")
                    .isZero();
            assertThat(stateOf(task)).as("the TASK_UNINTERRUPTIBLE sleeper must stay asleep")
                    .isEqualTo("TASK_UNINTERRUPTIBLE");
            assertThat(tasksOn(wq)).as("the entry stays on the queue").containsExactly(task);
        }
    }

    @Test
    @DisplayName("autoremove_wake_function wakes the task, returns 1, and unlinks its entry (only that one)")
    void autoremoveWakeFunctionUnlinksTheEntryItWoke() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            WaitQueueHead wq = new WaitQueueHead("wq");
            Task first = sleeper(sched, "first", TASK_INTERRUPTIBLE);
            Task second = sleeper(sched, "second", TASK_UNINTERRUPTIBLE);
            WaitQueueEntry firstEntry = queued(wq, autoremoveEntry(first));
            queued(wq, autoremoveEntry(second));

            int ret = underLock(wq, () -> WaitQueueEntry.autoremoveWakeFunction(firstEntry, TASK_NORMAL, 0, 0));

            assertThat(ret).as("autoremove_wake_function on a sleeping task must return 1").isEqualTo(1);
            assertThat(stateOf(first)).as("autoremove_wake_function must wake the entry's task")
                    .isEqualTo("TASK_RUNNING");
            assertThat(firstEntry.entry.isEmpty())
                    .as("autoremove_wake_function must unlink the entry of the task it woke (list_del_init)")
                    .isTrue();
            assertThat(tasksOn(wq))
                    .as("only the woken entry leaves the queue; the other sleeper's entry stays")
                    .containsExactly(second);
            assertThat(stateOf(second)).as("the other sleeper was not woken")
                    .isEqualTo("TASK_UNINTERRUPTIBLE");
        }
    }

    @Test
    @DisplayName("autoremove_wake_function on a task that is already running returns 0 and leaves its entry queued")
    void autoremoveWakeFunctionKeepsTheEntryOfARunningTask() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            WaitQueueHead wq = new WaitQueueHead("wq");
            Task task = sleeper(sched, "sleeper", TASK_INTERRUPTIBLE);
            Sched.wakeUpProcess(task);
            WaitQueueEntry entry = queued(wq, autoremoveEntry(task));

            int ret = underLock(wq, () -> WaitQueueEntry.autoremoveWakeFunction(entry, TASK_NORMAL, 0, 0));

            assertThat(ret).as("autoremove_wake_function on a task that is already TASK_RUNNING must return 0")
                    .isZero();
            assertThat(entry.entry.isEmpty())
                    .as("autoremove_wake_function must unlink the entry only when the wake-up succeeded; this "
                            + "task was already running, so its entry must stay queued")
                    .isFalse();
            assertThat(tasksOn(wq)).as("the queue still holds the entry").containsExactly(task);
        }
    }

    @Test
    @DisplayName("autoremove_wake_function refused by the mode returns 0 and leaves the sleeper and its entry alone")
    void autoremoveWakeFunctionRefusedByTheModeKeepsTheEntry() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            WaitQueueHead wq = new WaitQueueHead("wq");
            Task task = sleeper(sched, "deep", TASK_UNINTERRUPTIBLE);
            WaitQueueEntry entry = queued(wq, autoremoveEntry(task));

            int ret = underLock(wq, () -> WaitQueueEntry.autoremoveWakeFunction(entry, TASK_INTERRUPTIBLE, 0, 0));

            assertThat(ret).as("autoremove_wake_function(TASK_INTERRUPTIBLE) on a TASK_UNINTERRUPTIBLE sleeper must "
                    + "return 0").isZero();
            assertThat(entry.entry.isEmpty())
                    .as("the sleeper was not woken, so autoremove_wake_function must leave its entry queued, or "
                            + "the next wake-up could never find it")
                    .isFalse();
            assertThat(stateOf(task)).as("the sleeper stays asleep").isEqualTo("TASK_UNINTERRUPTIBLE");
            assertThat(task.wakeups()).as("no successful wake-up").isZero();
        }
    }
}
