package herd.sched;

import static herd.sched.Task.TASK_DEAD;
import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static herd.sched.Task.TASK_RUNNING;
import static herd.sched.Task.TASK_UNINTERRUPTIBLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import herd.course.kit.Schedulers;
import herd.locking.SpinLock;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class ParallelSchedulerTest {
    /** Generous: only reached if the code under test is broken. */
    private static final Duration EXIT = Duration.ofSeconds(10);
    /** A timeout or an expiry that no test reaches. */
    private static final long HOUR = 3_600_000_000_000L;

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
        Task sleeper = sched.spawn("sleeper", () -> sleepUntilReady(ready, asleep));
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
    void theClockIsRealTimeSinceTheSchedulerWasMade() {
        long before = System.nanoTime();
        ParallelScheduler sched = schedulers.parallel();
        long made = System.nanoTime();
        long later;
        do {
            later = System.nanoTime(); // the real clock moves on from `made` (nanoseconds: at once)
        } while (later == made);
        long clock = sched.clock();
        long after = System.nanoTime();

        assertThat(clock).as("clock(): System.nanoTime() since the scheduler was made, so it has moved on too")
                .isBetween(later - made, after - before);
    }

    @Test
    void scheduleTimeoutWithoutATimerIsScheduleAndReturnsMaxScheduleTimeout() {
        ParallelScheduler sched = schedulers.parallel();
        long[] left = {-1};
        int[] state = {-1};
        sched.spawn("t", () -> {
            Sched.sendSignal(Task.current());
            Sched.setCurrentState(TASK_INTERRUPTIBLE);
            left[0] = Sched.scheduleTimeout(Sched.MAX_SCHEDULE_TIMEOUT);
            state[0] = Task.current().state();
        });

        sched.awaitExit(EXIT);

        assertThat(state[0]).as("schedule_timeout(MAX_SCHEDULE_TIMEOUT) is schedule(): the pending signal sets the task running")
                .isEqualTo(TASK_RUNNING);
        assertThat(left[0]).as("and it returns MAX_SCHEDULE_TIMEOUT").isEqualTo(Sched.MAX_SCHEDULE_TIMEOUT);
    }

    @Test
    void scheduleTimeoutWithoutATimerSleepsUntilAWakeUp() {
        ParallelScheduler sched = schedulers.parallel();
        AtomicBoolean wokenOnPurpose = new AtomicBoolean();
        CountDownLatch asleep = new CountDownLatch(1);
        long[] left = {-1};
        boolean[] sawWakeUp = {false};
        Task sleeper = sched.spawn("sleeper", () -> {
            Sched.setCurrentState(TASK_UNINTERRUPTIBLE);
            asleep.countDown();
            left[0] = Sched.scheduleTimeout(Sched.MAX_SCHEDULE_TIMEOUT);
            sawWakeUp[0] = wokenOnPurpose.get();
        });
        sched.spawn("waker", () -> {
            await(asleep);
            wokenOnPurpose.set(true);
            Sched.wakeUpProcess(sleeper);
        });

        sched.awaitExit(EXIT);

        assertThat(sawWakeUp[0]).as("schedule_timeout(MAX_SCHEDULE_TIMEOUT) returns only once the task is woken").isTrue();
        assertThat(left[0]).as("and returns MAX_SCHEDULE_TIMEOUT").isEqualTo(Sched.MAX_SCHEDULE_TIMEOUT);
    }

    @Test
    void aTaskWokenBeforeItsTimeoutGetsTheTimeLeftBack() {
        ParallelScheduler sched = schedulers.parallel();
        CountDownLatch asleep = new CountDownLatch(1);
        long[] left = {-1};
        Task sleeper = sched.spawn("sleeper", () -> {
            Sched.setCurrentState(TASK_INTERRUPTIBLE);
            asleep.countDown();
            left[0] = Sched.scheduleTimeout(HOUR);
        });
        sched.spawn("waker", () -> {
            await(asleep);
            Sched.wakeUpProcess(sleeper);
        });

        sched.awaitExit(EXIT);

        assertThat(left[0]).as("schedule_timeout(1 h) woken at once: the deadline is an hour ahead, the time left is returned")
                .isPositive().isLessThanOrEqualTo(HOUR);
    }

    @Test
    void aTracedWakeUpIsRecordedByTheWakerOnACpuTheModelDoesNotKnow() {
        ParallelScheduler sched = schedulers.parallel(true);
        AtomicBoolean ready = new AtomicBoolean();
        CountDownLatch asleep = new CountDownLatch(1);
        Task sleeper = sched.spawn("sleeper", () -> sleepUntilReady(ready, asleep));
        Task waker = sched.spawn("waker", () -> {
            await(asleep);
            ready.set(true);
            Sched.wakeUpProcess(sleeper);
        });

        sched.awaitExit(EXIT);

        List<TraceEvent> events = sched.trace().events();
        assertThat(events).filteredOn(e -> e.kind() == TraceEvent.Kind.WAKEUP)
                .as("try_to_wake_up records sched_wakeup, by the waker, of the sleeper")
                .extracting(TraceEvent::pid, TraceEvent::name, TraceEvent::peer)
                .containsExactly(tuple(waker.pid(), "sched_wakeup", sleeper.toString()));
        assertThat(events).extracting(TraceEvent::cpu)
                .as("real threads run on CPUs the model does not see: smp_processor_id() is -1 in every event")
                .isNotEmpty().containsOnly(-1);
    }

    @Test
    void closingTheSchedulerWakesEverySleeperToUnwindIt() throws InterruptedException {
        ParallelScheduler sched = schedulers.parallel(true);
        CountDownLatch asleep = new CountDownLatch(2);
        sched.spawn("untimed", () -> {
            Sched.setCurrentState(TASK_UNINTERRUPTIBLE);
            asleep.countDown();
            Sched.schedule();
        });
        sched.spawn("timed", () -> {
            Sched.setCurrentState(TASK_UNINTERRUPTIBLE);
            asleep.countDown();
            Sched.scheduleTimeout(HOUR);
        });
        assertThat(asleep.await(10, TimeUnit.SECONDS)).isTrue();

        sched.close();

        sched.awaitExit(EXIT); // a StuckError if close() left a sleeper parked
        assertThat(sched.tasks()).extracting(Task::state).as("close() unparks each sleeper, which sees killed and unwinds")
                .containsOnly(TASK_DEAD);
        assertThat(sched.trace().events()).filteredOn(e -> e.kind() == TraceEvent.Kind.SLEEP)
                .as("each went to sleep, traced with the state it slept in")
                .extracting(TraceEvent::comm, TraceEvent::name, TraceEvent::detail)
                .containsExactlyInAnyOrder(tuple("untimed", "sleep", "TASK_UNINTERRUPTIBLE"),
                        tuple("timed", "sleep", "TASK_UNINTERRUPTIBLE"));
    }

    @Test
    void closingTheSchedulerUnwindsATaskSpinningOnALock() throws InterruptedException {
        ParallelScheduler sched = schedulers.parallel();
        SpinLock lock = new SpinLock();
        lock.lock(); // this thread is no task: it holds the lock like an interrupt handler would
        try {
            CountDownLatch spinning = new CountDownLatch(1);
            Task spinner = sched.spawn("spinner", () -> {
                spinning.countDown();
                lock.lock();
            });
            assertThat(spinning.await(10, TimeUnit.SECONDS)).isTrue();

            sched.close();

            sched.awaitExit(EXIT); // a StuckError if the spinner spun on after close()
            assertThat(spinner.state()).as("a task spinning on a held spinlock sees killed at its next turn of "
                    + "the spin loop (spinContended) and unwinds").isEqualTo(TASK_DEAD);
        } finally {
            lock.unlock();
        }
    }

    @Test
    void scheduleOfARunningTaskReturnsAtOnce() {
        ParallelScheduler sched = schedulers.parallel(true);
        AtomicReference<Long> switches = new AtomicReference<>();
        sched.spawn("runner", () -> {
            Sched.schedule(); // still TASK_RUNNING: nothing to sleep for
            switches.set(Task.current().voluntarySwitches());
        });
        sched.awaitExit(EXIT);
        assertThat(switches.get()).as("schedule() of a task still TASK_RUNNING gives the CPU back to the "
                + "operating system at most, without sleeping: no voluntary switch").isZero();
        assertThat(sched.trace().events()).filteredOn(e -> e.kind() == TraceEvent.Kind.SLEEP).as("sleeps traced")
                .isEmpty();
    }

    @Test
    void aSleepingTaskParksItsThreadAndDoesNotSpin() {
        ParallelScheduler sched = schedulers.parallel();
        Task sleeper = sched.spawn("sleeper", () -> {
            Sched.setCurrentState(TASK_UNINTERRUPTIBLE);
            Sched.schedule();
        });
        Thread thread = sleeper.thread();
        // Ends once the sleeper's thread is parked in the scheduler; a sleeper that spun would never be.
        while (LockSupport.getBlocker(thread) != sched) {
            Thread.onSpinWait();
        }

        Sched.wakeUpProcess(sleeper);
        sched.awaitExit(EXIT);
        assertThat(sleeper.state()).as("woken from its park, it ran to the end").isEqualTo(TASK_DEAD);
    }

    @Test
    void awaitExitKeepsTheCallersInterruptStatus() throws InterruptedException {
        ParallelScheduler sched = schedulers.parallel();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        sched.spawn("blocked", () -> {
            started.countDown();
            await(release);
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        try {
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> sched.awaitExit(EXIT))
                    .as("interrupted while joining a live task, awaitExit stops waiting and reports it")
                    .isInstanceOf(StuckError.class);
            assertThat(Thread.interrupted()).as("awaitExit keeps the interrupt for its caller").isTrue();
        } finally {
            Thread.interrupted();
            release.countDown();
        }
    }

    @Test
    void modTimerArmsAndMovesATimerAndTimerDeleteTakesItOffTheTimerThread() {
        ParallelScheduler sched = schedulers.parallel();
        TimerList timer = new TimerList(sched, () -> { });
        assertThat(sched.timerQueueLength()).as("no timer thread before the first timer").isZero();
        long at = sched.clock() + HOUR;

        assertThat(timer.modTimer(at)).as("mod_timer of an idle timer: it was not pending").isFalse();
        assertThat(timer.pending()).as("mod_timer arms it: timer_pending()").isTrue();
        assertThat(timer.expires()).as("at the expiry asked for").isEqualTo(at);
        assertThat(sched.timerQueueLength()).as("one run queued on the timer thread").isEqualTo(1);

        assertThat(timer.modTimer(at + HOUR)).as("mod_timer of a pending timer: it was pending").isTrue();
        assertThat(timer.expires()).as("moved to the new expiry").isEqualTo(at + HOUR);
        assertThat(sched.timerQueueLength()).as("moved, not added twice: the old run is taken off the queue").isEqualTo(1);

        assertThat(timer.delTimer()).as("timer_delete of a pending timer").isTrue();
        assertThat(timer.pending()).isFalse();
        assertThat(sched.timerQueueLength()).as("a deleted timer does not stay queued until its expiry").isZero();
        assertThat(timer.delTimer()).as("timer_delete of an idle timer").isFalse();
    }

    @Test
    void aTimerArmedAtTheEndOfTimeNeverRuns() throws InterruptedException {
        ParallelScheduler sched = schedulers.parallel();
        AtomicBoolean farRan = new AtomicBoolean();
        CountDownLatch nowRan = new CountDownLatch(1);
        TimerList far = new TimerList(sched, () -> farRan.set(true));
        far.modTimer(Long.MAX_VALUE);
        // Due at once and armed after it: on the one timer thread it runs after anything due as early.
        new TimerList(sched, nowRan::countDown).modTimer(sched.clock());
        assertThat(nowRan.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(farRan).as("its delay is expires - now, huge: it must not overflow into one due now").isFalse();
        assertThat(far.pending()).isTrue();
    }

    @Test
    void theTimerThreadIsADaemonSoThatItNeverKeepsTheJvmAlive() throws InterruptedException {
        ParallelScheduler sched = schedulers.parallel();
        AtomicReference<Thread> runner = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        new TimerList(sched, () -> {
            runner.set(Thread.currentThread());
            ran.countDown();
        }).modTimer(sched.clock());
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(runner.get().getName()).isEqualTo("ktimer");
        assertThat(runner.get().isDaemon()).as("the timer thread is a daemon").isTrue();
    }

    @Test
    void aTimerThatThrowsFailsTheRunAndAwaitExitRethrowsIt() throws InterruptedException {
        ParallelScheduler sched = schedulers.parallel();
        CountDownLatch after = new CountDownLatch(1);
        new TimerList(sched, () -> {
            throw new IllegalStateException("BUG in a timer");
        }).modTimer(0);
        // Due as early and armed later: it runs once the first has run and failed, on the one timer thread.
        new TimerList(sched, after::countDown).modTimer(0);
        assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> sched.awaitExit(EXIT)).as("a timer's exception fails the run, as a task's does")
                .isExactlyInstanceOf(IllegalStateException.class).hasMessage("BUG in a timer");
    }

    @Test
    void aClosedSchedulerDropsItsTimersAndArmsNoNewOne() {
        ParallelScheduler sched = schedulers.parallel();
        TimerList armed = new TimerList(sched, () -> { });
        armed.modTimer(sched.clock() + HOUR);

        sched.close();

        assertThat(armed.delTimer()).as("timer_delete after close: the scheduler dropped its timers").isFalse();
        TimerList late = new TimerList(sched, () -> { });
        assertThat(late.modTimer(sched.clock())).as("mod_timer after close: it was not pending").isFalse();
        assertThat(late.pending()).as("a closed scheduler arms no timer").isFalse();
        assertThat(sched.timerQueueLength()).as("nothing queued on the stopped timer thread").isZero();
    }

    /** The kernel's sleep loop: set the state, check the condition, sleep; {@code asleep} once it sleeps. */
    private static void sleepUntilReady(AtomicBoolean ready, CountDownLatch asleep) {
        while (true) {
            Sched.setCurrentState(TASK_INTERRUPTIBLE);
            if (ready.get()) {
                break;
            }
            asleep.countDown();
            Sched.schedule();
        }
        Sched.setCurrentState(TASK_RUNNING);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
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
