package herd.sched;

import static herd.course.kit.Tasks.sleeper;
import static herd.sched.Task.TASK_DEAD;
import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static herd.sched.Task.TASK_NORMAL;
import static herd.sched.Task.TASK_RUNNING;
import static herd.sched.Task.TASK_UNINTERRUPTIBLE;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.Seeds;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * L01-E3, {@code try_to_wake_up()} (kernel/sched/core.c): a wake-up succeeds, returns 1
 * and makes the task runnable only if the task sleeps in one of the states of the mask.
 *
 * <p>Every sleeper here is a real task on the {@link DeterministicScheduler}: it sets its
 * state and calls {@code schedule()}, and {@code runUntilIdle()} returns once it sleeps.
 * The test thread then wakes it as an interrupt handler would (allowed while no task runs).
 */
@Tag("lesson01")
@Tag("L01-E3")
@ExtendWith(Seeds.Resolver.class)
class TryToWakeUpTest {

    /**
     * {@code try_to_wake_up(p, mask, 0)} from the test thread, which acts as an interrupt
     * handler while no task runs: nobody may hold {@code p->pi_lock} before or after.
     */
    private static int wake(Task p, int mask) {
        assertThat(p.piLock.isLocked())
                .as("%s's pi_lock is held although no task runs: an earlier try_to_wake_up did not release it", p)
                .isFalse();
        int ret = Sched.tryToWakeUp(p, mask, 0);
        assertThat(p.piLock.isLocked()).as("try_to_wake_up must release p->pi_lock before it returns").isFalse();
        return ret;
    }

    private static String name(int state) {
        return Task.stateName(state);
    }

    @ParameterizedTest(name = "a task asleep in {0}, woken with the mask {1}: returns {2}")
    @CsvSource({
            "TASK_INTERRUPTIBLE,   TASK_INTERRUPTIBLE,   1",
            "TASK_INTERRUPTIBLE,   TASK_NORMAL,          1",
            "TASK_UNINTERRUPTIBLE, TASK_UNINTERRUPTIBLE, 1",
            "TASK_UNINTERRUPTIBLE, TASK_NORMAL,          1",
            "TASK_UNINTERRUPTIBLE, TASK_INTERRUPTIBLE,   0",
            "TASK_INTERRUPTIBLE,   TASK_UNINTERRUPTIBLE, 0",
    })
    @DisplayName("try_to_wake_up wakes a sleeper only if its state is in the mask")
    void wakesOnlyWhenTheStateIsInTheMask(String sleepState, String maskName, int expected) {
        int state = stateNamed(sleepState);
        int mask = stateNamed(maskName);
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            Task task = sleeper(sched, "sleeper", state);

            int ret = wake(task, mask);

            assertThat(ret)
                    .as("try_to_wake_up(mask %s) on a task asleep in %s must return %d", maskName, sleepState,
                            expected)
                    .isEqualTo(expected);
            if (expected == 1) {
                assertThat(name(task.state()))
                        .as("a successful try_to_wake_up must set the task TASK_RUNNING")
                        .isEqualTo("TASK_RUNNING");
                assertThat(task.wakeups())
                        .as("wakeups(): one successful wake-up must be counted once (activate the task once)")
                        .isEqualTo(1);
                sched.runUntilIdle();
                assertThat(name(task.state()))
                        .as("a woken task must be put back on the run queue: it should have run on and exited")
                        .isEqualTo("TASK_DEAD");
            } else {
                assertThat(name(task.state()))
                        .as("try_to_wake_up(mask %s) must leave a task asleep in %s alone", maskName, sleepState)
                        .isEqualTo(sleepState);
                assertThat(task.wakeups())
                        .as("wakeups() counts successful wake-ups only; this one must not activate the task")
                        .isZero();
                sched.runUntilIdle();
                assertThat(name(task.state()))
                        .as("a task that was not woken must not run: it is still asleep after runUntilIdle()")
                        .isEqualTo(sleepState);
                assertThat(task.voluntarySwitches()).as("the sleeper slept once and never ran again").isEqualTo(1);
            }
        }
    }

    private static int stateNamed(String name) {
        return switch (name) {
            case "TASK_INTERRUPTIBLE" -> TASK_INTERRUPTIBLE;
            case "TASK_UNINTERRUPTIBLE" -> TASK_UNINTERRUPTIBLE;
            case "TASK_NORMAL" -> TASK_NORMAL;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Test
    @DisplayName("waking a task twice: the second try_to_wake_up finds it TASK_RUNNING and returns 0")
    void secondWakeUpReturnsZero() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            Task task = sleeper(sched, "sleeper", TASK_INTERRUPTIBLE);

            int first = wake(task, TASK_NORMAL);
            int second = wake(task, TASK_NORMAL);

            assertThat(first).as("the first try_to_wake_up on a sleeping task must return 1").isEqualTo(1);
            assertThat(second)
                    .as("try_to_wake_up on a task that is already running (woken a moment ago) must return 0")
                    .isZero();
            assertThat(name(task.state())).as("the task stays TASK_RUNNING").isEqualTo("TASK_RUNNING");
            assertThat(task.wakeups())
                    .as("wakeups() counts successful wake-ups only: two calls, one success")
                    .isEqualTo(1);
            sched.run();
            assertThat(task.voluntarySwitches()).as("the task slept once").isEqualTo(1);
        }
    }

    @Test
    @DisplayName("try_to_wake_up on a running task, or on one that has exited, returns 0 and changes nothing")
    void runningOrDeadTaskIsNotWoken() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            AtomicInteger onItself = new AtomicInteger(-1);
            Task self = sched.spawn("self", () -> onItself.set(Sched.tryToWakeUp(Sched.current(), TASK_NORMAL, 0)));
            Task fresh = sched.spawn("fresh", () -> { });

            int onFresh = wake(fresh, TASK_NORMAL);
            assertThat(onFresh)
                    .as("try_to_wake_up on a new task that is TASK_RUNNING (runnable, not run yet) must return 0")
                    .isZero();
            sched.run();
            assertThat(onItself.get())
                    .as("try_to_wake_up on the current task, which is TASK_RUNNING, must return 0")
                    .isZero();
            int onDead = wake(fresh, TASK_NORMAL);
            assertThat(onDead).as("try_to_wake_up on an exited task (TASK_DEAD) must return 0").isZero();
            assertThat(name(fresh.state())).as("an exited task stays TASK_DEAD").isEqualTo("TASK_DEAD");
            assertThat(self.wakeups() + fresh.wakeups())
                    .as("wakeups() counts successful wake-ups only; none of these woke anything")
                    .isZero();
        }
    }

    @Test
    @DisplayName("an interruptible-only wake-up leaves a TASK_UNINTERRUPTIBLE sleeper asleep; TASK_NORMAL wakes it")
    void interruptibleWakeUpLeavesAnUninterruptibleSleeperAsleep() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            Task deep = sleeper(sched, "deep", TASK_UNINTERRUPTIBLE);
            Task light = sleeper(sched, "light", TASK_INTERRUPTIBLE);

            assertThat(wake(deep, TASK_INTERRUPTIBLE))
                    .as("try_to_wake_up(TASK_INTERRUPTIBLE) on a TASK_UNINTERRUPTIBLE sleeper must return 0")
                    .isZero();
            sched.runUntilIdle();
            assertThat(name(deep.state()))
                    .as("a TASK_UNINTERRUPTIBLE sleeper must stay asleep after an interruptible-only wake-up")
                    .isEqualTo("TASK_UNINTERRUPTIBLE");
            assertThat(deep.wakeups()).as("a refused wake-up must not be counted in wakeups()").isZero();

            assertThat(wake(deep, TASK_NORMAL))
                    .as("try_to_wake_up(TASK_NORMAL) must wake a TASK_UNINTERRUPTIBLE sleeper and return 1")
                    .isEqualTo(1);
            assertThat(wake(light, TASK_NORMAL))
                    .as("try_to_wake_up(TASK_NORMAL) must wake a TASK_INTERRUPTIBLE sleeper and return 1")
                    .isEqualTo(1);
            sched.run();
            assertThat(deep.wakeups()).as("wakeups() of the uninterruptible sleeper: one success").isEqualTo(1);
            assertThat(light.wakeups()).as("wakeups() of the interruptible sleeper: one success").isEqualTo(1);
        }
    }

    @Test
    @DisplayName("one task wakes another: try_to_wake_up returns 1 and the sleeper runs on")
    void aTaskWakesAnother() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            Task sleeper = sleeper(sched, "sleeper", TASK_INTERRUPTIBLE);
            AtomicInteger first = new AtomicInteger(-1);
            AtomicInteger second = new AtomicInteger(-1);
            AtomicInteger sleeperStateSeenByWaker = new AtomicInteger(-1);
            sched.spawn("waker", () -> {
                first.set(Sched.tryToWakeUp(sleeper, TASK_INTERRUPTIBLE, 0));
                sleeperStateSeenByWaker.set(sleeper.state());
                second.set(Sched.tryToWakeUp(sleeper, TASK_INTERRUPTIBLE, 0));
            });

            sched.run();

            assertThat(first.get()).as("a task waking a TASK_INTERRUPTIBLE sleeper: try_to_wake_up must return 1")
                    .isEqualTo(1);
            assertThat(name(sleeperStateSeenByWaker.get()))
                    .as("right after try_to_wake_up returned 1, the woken task must be TASK_RUNNING")
                    .isEqualTo("TASK_RUNNING");
            assertThat(second.get()).as("waking it again at once must return 0: it is already running").isZero();
            assertThat(sleeper.wakeups()).as("wakeups(): one success, one refusal").isEqualTo(1);
            assertThat(sleeper.state()).as("the woken task ran on and exited").isEqualTo(TASK_DEAD);
        }
    }

    @Test
    @DisplayName("a wake-up between set_current_state() and schedule() is not lost: schedule() returns at once")
    void wakeUpBeforeScheduleIsNotLost(Seeds seeds) {
        // The window every sleep has: the task has set TASK_INTERRUPTIBLE but not yet called
        // schedule(), and is preempted there (it stays on the run queue). A waker runs
        // try_to_wake_up in that window: the task must become TASK_RUNNING, so that its
        // schedule() does not put it to sleep.
        seeds.explore(20, 1.0, sched -> {
            AtomicBoolean woken = new AtomicBoolean();
            AtomicInteger ret = new AtomicInteger(-1);
            AtomicInteger stateBeforeSchedule = new AtomicInteger(-1);
            Task sleeper = sched.spawn("sleeper", () -> {
                Sched.setCurrentState(TASK_INTERRUPTIBLE);
                while (!woken.get()) {
                    Sched.condResched();
                }
                stateBeforeSchedule.set(Sched.current().state());
                Sched.schedule();
            });
            sched.spawn("waker", () -> {
                while (sleeper.state() != TASK_INTERRUPTIBLE) {
                    Sched.condResched();
                }
                ret.set(Sched.tryToWakeUp(sleeper, TASK_INTERRUPTIBLE, 0));
                woken.set(true);
            });

            try {
                sched.run();
            } catch (StuckError e) {
                throw new AssertionError("lost wake-up: the sleeper was woken between set_current_state() and "
                        + "schedule(), yet schedule() put it to sleep for good; try_to_wake_up must set it "
                        + "TASK_RUNNING\n" + e.getMessage(), e);
            }
            assertThat(ret.get())
                    .as("try_to_wake_up on a task that set TASK_INTERRUPTIBLE but has not called schedule() yet "
                            + "must return 1")
                    .isEqualTo(1);
            assertThat(name(stateBeforeSchedule.get()))
                    .as("after the wake-up, the task must be TASK_RUNNING when it reaches schedule()")
                    .isEqualTo(name(TASK_RUNNING));
            assertThat(sleeper.voluntarySwitches())
                    .as("schedule() of a task woken in the window must return at once, without sleeping")
                    .isZero();
            assertThat(sleeper.wakeups()).as("wakeups(): one successful wake-up").isEqualTo(1);
        });
    }
}
