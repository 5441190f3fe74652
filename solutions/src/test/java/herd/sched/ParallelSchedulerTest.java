package herd.sched;

import static herd.sched.Task.TASK_DEAD;
import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static herd.sched.Task.TASK_RUNNING;
import static herd.sched.Task.TASK_UNINTERRUPTIBLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import herd.course.kit.Schedulers;
import herd.trace.Trace;
import herd.trace.TraceEvent;
import herd.wait.WaitEvent;
import herd.wait.WaitQueueHead;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class ParallelSchedulerTest {
    /** Generous: only reached if the code under test is broken. */
    private static final Duration EXIT = Duration.ofSeconds(10);

    @AutoClose
    private final Schedulers schedulers = new Schedulers();

    @Test
    void tasksRunAtTheSameTimeOnTheirOwnThreads() {
        ParallelScheduler sched = schedulers.parallel();
        CountDownLatch bothRunning = new CountDownLatch(2);
        List<Object> seen = new CopyOnWriteArrayList<>();
        Runnable body = () -> {
            seen.add(Task.current());
            seen.add(Thread.currentThread().getName());
            bothRunning.countDown();
            try {
                // Only possible if the other task runs at the same time.
                seen.add(bothRunning.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        };
        Task a = sched.spawn("a", body);
        Task b = sched.spawn("b", body);

        sched.awaitExit(EXIT);

        assertThat(seen).containsExactlyInAnyOrder(a, b, "a-100", "b-101", true, true);
        assertThat(a.state()).isEqualTo(TASK_DEAD);
        assertThat(b.state()).isEqualTo(TASK_DEAD);
        assertThat(sched.tasks()).containsExactly(a, b);
        assertThat(a.thread()).isNotSameAs(b.thread());
    }

    @Test
    void aSleepingTaskIsWokenByAnother() {
        ParallelScheduler sched = schedulers.parallel();
        AtomicBoolean ready = new AtomicBoolean();
        CountDownLatch asleep = new CountDownLatch(1);
        Task sleeper = sched.spawn("sleeper", () -> {
            while (true) {
                Sched.setCurrentState(TASK_INTERRUPTIBLE);
                if (ready.get()) {
                    break;
                }
                asleep.countDown();
                Sched.schedule();
            }
            Sched.setCurrentState(TASK_RUNNING);
        });
        sched.spawn("waker", () -> {
            try {
                assertThat(asleep.await(10, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            ready.set(true);
            Sched.wakeUpProcess(sleeper);
        });

        sched.awaitExit(EXIT);

        assertThat(sleeper.state()).isEqualTo(TASK_DEAD);
    }

    @Test
    void sleepersOnAWaitQueueAreWokenByWakeUpAll() {
        ParallelScheduler sched = schedulers.parallel();
        WaitQueueHead wq = new WaitQueueHead("wq");
        AtomicBoolean ready = new AtomicBoolean();
        List<Task> sleepers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sleepers.add(sched.spawn("sleeper" + i, () -> WaitEvent.waitEvent(wq, ready::get)));
        }
        sched.spawn("waker", () -> {
            ready.set(true);
            wq.wakeUpAll();
        });

        sched.awaitExit(EXIT);

        assertThat(sleepers).extracting(Task::state).containsOnly(TASK_DEAD);
        assertThat(wq.waitqueueActive()).isFalse();
    }

    @Test
    void awaitExitListsATaskThatNeverExits() throws InterruptedException {
        ParallelScheduler sched = schedulers.parallel();
        CountDownLatch asleep = new CountDownLatch(1);
        Task stuck = sched.spawn("stuck", () -> {
            Sched.setCurrentState(TASK_UNINTERRUPTIBLE);
            asleep.countDown();
            Sched.schedule();
        });
        Task done = sched.spawn("done", () -> { });
        assertThat(asleep.await(10, TimeUnit.SECONDS)).isTrue();
        done.thread().join(10_000);

        assertThatThrownBy(() -> sched.awaitExit(Duration.ofMillis(200)))
                .isInstanceOf(StuckError.class)
                .hasMessageStartingWith("tasks still alive after 200 ms (parallel scheduler, 2 tasks)\n")
                .hasMessageContaining("\n  pid 100   stuck          TASK_UNINTERRUPTIBLE ")
                .hasMessageContaining("\n  pid 101   done           TASK_DEAD            \n");

        // Closing the scheduler unwinds the sleeper.
        sched.close();
        stuck.thread().join(10_000);
        assertThat(stuck.thread().isAlive()).isFalse();
        assertThat(stuck.state()).isEqualTo(TASK_DEAD);
        assertThat(done.state()).isEqualTo(TASK_DEAD);
    }

    @Test
    void aFailingTasksExceptionIsRethrownByAwaitExit() {
        ParallelScheduler sched = schedulers.parallel();
        sched.spawn("fine", () -> { });
        sched.spawn("bad", () -> {
            throw new IllegalStateException("boom");
        });

        assertThatThrownBy(() -> sched.awaitExit(EXIT))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("boom")
                .satisfies(t -> assertThat(t.getSuppressed()).singleElement()
                        .extracting(Throwable::getMessage)
                        .isEqualTo("in task bad-101 (parallel scheduler, 2 tasks)"));
    }

    @Test
    void scheduleTimeoutReturnsZeroWhenTheTimerFired() {
        ParallelScheduler sched = schedulers.parallel();
        long[] left = {-1, -1};
        int[] state = {-1, -1};
        Task t = sched.spawn("t", () -> {
            Sched.setCurrentState(TASK_INTERRUPTIBLE);
            left[0] = Sched.scheduleTimeout(2_000_000);
            state[0] = Task.current().state();
            left[1] = Sched.scheduleTimeoutUninterruptible(1_000_000);
            state[1] = Task.current().state();
        });

        sched.awaitExit(EXIT);

        assertThat(left).containsExactly(0, 0);
        assertThat(state).containsExactly(TASK_RUNNING, TASK_RUNNING);
        assertThat(t.voluntarySwitches()).isEqualTo(2);
        assertThat(t.wakeups()).isEqualTo(2);
    }

    @Test
    void aPendingSignalKeepsAnInterruptibleTaskAwake() {
        ParallelScheduler sched = schedulers.parallel();
        int[] state = {-1};
        Task t = sched.spawn("t", () -> {
            Sched.sendSignal(Task.current());
            Sched.setCurrentState(TASK_INTERRUPTIBLE);
            Sched.schedule();
            state[0] = Task.current().state();
        });

        sched.awaitExit(EXIT);

        assertThat(state[0]).isEqualTo(TASK_RUNNING);
        assertThat(t.voluntarySwitches()).isZero();
    }

    @Test
    void theClockRuns() {
        ParallelScheduler sched = schedulers.parallel();
        long first = sched.clock();
        long second = sched.clock();

        assertThat(first).isNotNegative();
        assertThat(second).isGreaterThanOrEqualTo(first);
    }

    @Test
    void tracingIsOffUnlessAskedFor() {
        ParallelScheduler quiet = schedulers.parallel(false);
        ParallelScheduler traced = schedulers.parallel(true);
        for (ParallelScheduler sched : List.of(quiet, traced)) {
            sched.spawn("t", () -> Trace.mark("hello"));
            sched.awaitExit(EXIT);
        }

        assertThat(quiet.trace().enabled()).isFalse();
        assertThat(quiet.trace().events()).isEmpty();
        assertThat(traced.trace().enabled()).isTrue();
        assertThat(traced.trace().events()).extracting(TraceEvent::kind, TraceEvent::detail)
                .containsExactly(tuple(TraceEvent.Kind.MARK, "hello"),
                        tuple(TraceEvent.Kind.EXIT, null));
    }
}
