package herd.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import herd.course.kit.Schedulers;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * What a task and a timer say about themselves: the state names of include/linux/sched.h,
 * {@code preempt_count}'s underflow check, a {@code timer_list}'s pending state and
 * expiry, and the run a stuck report names (seed, CPUs).
 */
class TaskStateTest {
    @AutoClose
    private final Schedulers schedulers = new Schedulers();

    @Test
    void stateNamesAreTheKernelsAndAnUnnamedStateIsHex() {
        assertThat(Task.stateName(Task.TASK_RUNNING)).isEqualTo("TASK_RUNNING");
        assertThat(Task.stateName(Task.TASK_INTERRUPTIBLE)).isEqualTo("TASK_INTERRUPTIBLE");
        assertThat(Task.stateName(Task.TASK_UNINTERRUPTIBLE)).isEqualTo("TASK_UNINTERRUPTIBLE");
        assertThat(Task.stateName(Task.TASK_DEAD)).isEqualTo("TASK_DEAD");
        assertThat(Task.stateName(Task.TASK_NORMAL)).as("TASK_NORMAL is a mask of two states, not a state")
                .isEqualTo("0x3");
    }

    @Test
    void preemptCountCountsSpinlocksAndAnUnderflowIsABug() {
        Task t = new Task(7, "t", null);
        t.preemptDisable();
        t.preemptDisable();
        assertThat(t.preemptCount()).isEqualTo(2);
        t.preemptEnableNoResched();
        t.preemptEnableNoResched();
        assertThat(t.preemptCount()).isZero();
        assertThatThrownBy(t::preemptEnableNoResched).as("one preempt_enable too many")
                .isInstanceOf(IllegalStateException.class).hasMessage("BUG: preempt count underflow in t-7");
        assertThat(t.preemptCount()).as("the count stays at 0").isZero();
    }

    @Test
    void aTimerSaysWhetherItIsPendingAndKeepsItsLastExpiry() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        TimerList timer = new TimerList(sched, () -> { });
        assertThat(timer).hasToString("timer_list (not pending)");
        assertThat(timer.modTimer(5_000)).as("mod_timer of an idle timer: it was not pending").isFalse();
        assertThat(timer).hasToString("timer_list at 5000 ns");
        assertThat(timer.modTimer(7_000)).as("mod_timer of a pending timer moves it").isTrue();
        assertThat(timer.expires()).isEqualTo(7_000);
        assertThat(timer.delTimer()).isTrue();
        assertThat(timer.pending()).isFalse();
        assertThat(timer.expires()).as("timer->expires keeps the last expiry").isEqualTo(7_000);
        assertThat(timer).hasToString("timer_list (not pending)");
        assertThat(timer.delTimer()).as("timer_delete of an idle timer").isFalse();
    }

    @Test
    void aStuckRunNamesItsSeedAndOnSeveralCpusHowMany() {
        for (int cpus : new int[] {1, 2}) {
            try (DeterministicScheduler sched = cpus == 1 ? new DeterministicScheduler(7)
                    : DeterministicScheduler.smp(7, cpus)) {
                assertThat(sched.cpus()).isEqualTo(cpus);
                sched.spawn("sleeper", () -> {
                    Sched.setCurrentState(Task.TASK_UNINTERRUPTIBLE);
                    Sched.schedule();
                });
                assertThatThrownBy(sched::run).isInstanceOf(StuckError.class)
                        .hasMessageContaining(cpus == 1 ? "(seed 7, virtual time" : "(seed 7, 2 CPUs, virtual time");
            }
        }
    }
}
