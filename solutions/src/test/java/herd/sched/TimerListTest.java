package herd.sched;

import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import herd.course.kit.Schedulers;
import herd.trace.Ftrace;
import herd.trace.FtraceFormat;
import herd.trace.Trace;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The model's timer wheel ({@link TimerList}, kernel/time/timer.c simplified): a function
 * run in timer context when the clock reaches its expiry, whoever is on the CPU; moved by
 * {@code mod_timer}, disarmed by {@code timer_delete}, run once.
 */
class TimerListTest {
    private static final long MS = 1_000_000L;

    @AutoClose
    private final Schedulers schedulers = new Schedulers();

    @Test
    void aTimerRunsAtItsExpiryInTimerContextWhileEveryTaskSleeps() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        List<String> log = new CopyOnWriteArrayList<>();
        TimerList[] self = new TimerList[1];
        TimerList timer = new TimerList(sched, () -> {
            log.add("timer at " + sched.clock() / MS + " ms, current task " + Trace.context());
            try (var fn = Ftrace.enter("timer_fn")) {
                log.add("pending while it runs: " + self[0].pending());
            }
        });
        self[0] = timer;
        sched.spawn("sleeper", () -> {
            timer.modTimer(sched.clock() + 10 * MS);
            Sched.setCurrentState(TASK_INTERRUPTIBLE);
            Sched.schedule();
        });
        sched.runUntilIdle();

        assertThat(log).as("the function ran once, at 10 ms, with no current task")
                .containsExactly("timer at 10 ms, current task null", "pending while it runs: false");
        assertThat(timer.pending()).as("a timer that ran is no longer pending").isFalse();
        assertThat(FtraceFormat.render(sched.trace().events())).as("its kernel functions are traced as <idle>-0")
                .contains("<idle>-0 |   timer_fn();");
    }

    @Test
    void modTimerMovesAPendingTimerAndDelTimerDisarmsIt() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        List<Long> runs = new CopyOnWriteArrayList<>();
        TimerList moved = new TimerList(sched, () -> runs.add(sched.clock() / MS));
        TimerList deleted = new TimerList(sched, () -> runs.add(-1L));
        boolean[] results = new boolean[4];
        sched.spawn("arming", () -> {
            results[0] = moved.modTimer(sched.clock() + 5 * MS);
            results[1] = moved.modTimer(sched.clock() + 20 * MS);
            deleted.modTimer(sched.clock() + 10 * MS);
            results[2] = deleted.delTimer();
            results[3] = deleted.delTimer();
        });
        sched.runUntilIdle();

        assertThat(runs).as("mod_timer moved the first timer to 20 ms; the deleted one never ran").containsExactly(20L);
        assertThat(results).as("mod_timer: was it pending (no, yes); timer_delete: was it pending (yes, no)")
                .containsExactly(false, true, true, false);
    }

    /**
     * The tick's interrupt wakes a sleeper whose timeout expired; the timer softirq then
     * runs every expired {@code timer_list} before the scheduler gives the woken task the CPU.
     */
    @Test
    void kernelTimersDueAtTheSameInstantRunBeforeTheTaskTheTickWoke() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        List<String> log = new CopyOnWriteArrayList<>();
        Task[] sleeper = new Task[1];
        TimerList timer = new TimerList(sched, () -> log.add("timer: sleeper is " + Task.stateName(sleeper[0].state())));
        sleeper[0] = sched.spawn("sleeper", () -> {
            Sched.scheduleTimeoutUninterruptible(10 * MS);
            log.add("sleeper runs at " + sched.clock() / MS + " ms");
        });
        sched.runUntil(sched.clock());
        timer.modTimer(10 * MS); // set after the sleeper's own timer, due at the same instant
        sched.runUntilIdle();

        assertThat(log).as("the sleeper was woken first (it is runnable), but the timer ran before it got the CPU")
                .containsExactly("timer: sleeper is TASK_RUNNING", "sleeper runs at 10 ms");
    }

    @Test
    void kernelTimersDueAtTheSameInstantRunInTheOrderTheyWereArmed() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        List<String> log = new CopyOnWriteArrayList<>();
        for (String name : List.of("first", "second", "third")) {
            new TimerList(sched, () -> log.add(name)).modTimer(5 * MS);
        }
        sched.runUntilIdle();

        assertThat(log).as("equal expiries: the timer wheel runs them in the order mod_timer queued them")
                .containsExactly("first", "second", "third");
    }

    @Test
    void aTimerThatThrowsFailsTheRun() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        new TimerList(sched, () -> {
            throw new IllegalStateException("BUG in a timer");
        }).modTimer(MS);
        assertThatThrownBy(sched::runUntilIdle)
                .isInstanceOf(IllegalStateException.class).hasMessage("BUG in a timer");
    }

    @Test
    void onTheParallelSchedulerATimerRunsOnItsOwnThreadWhileTheTasksRun() throws InterruptedException {
        ParallelScheduler sched = schedulers.parallel();
        CountDownLatch ran = new CountDownLatch(1);
        Thread[] runner = new Thread[1];
        TimerList timer = new TimerList(sched, () -> {
            runner[0] = Thread.currentThread();
            ran.countDown();
        });
        TimerList never = new TimerList(sched, () -> runner[0] = null);
        assertThat(timer.modTimer(sched.clock() + MS)).isFalse();
        never.modTimer(sched.clock() + 60_000 * MS);
        assertThat(never.delTimer()).as("disarmed before it ran").isTrue();

        assertThat(ran.await(30, TimeUnit.SECONDS)).as("the timer ran").isTrue();
        assertThat(runner[0].getName()).as("on the timer thread").isEqualTo("ktimer");
        assertThat(timer.pending()).isFalse();
        assertThat(never.pending()).isFalse();
    }
}
