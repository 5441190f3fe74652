package herd.sched;

import static herd.sched.Task.TASK_DEAD;
import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static herd.sched.Task.TASK_RUNNING;
import static herd.sched.Task.TASK_UNINTERRUPTIBLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import herd.course.kit.Schedulers;
import herd.locking.SpinLock;
import herd.trace.Trace;
import herd.trace.TraceEvent;
import herd.wait.WaitEvent;
import herd.wait.WaitQueueHead;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

@Isolated("it sets a system property that concurrent course checks would see")
class DeterministicSchedulerTest {
    @AutoClose
    private final Schedulers schedulers = new Schedulers();

    /** Sleeps until another task or the test wakes the task; a named frame for the reports. */
    private static void sleepForever() {
        Sched.setCurrentState(TASK_INTERRUPTIBLE);
        Sched.schedule();
        throw new AssertionError("woken, but nobody wakes this task");
    }

    /** {@code set_current_state(state); schedule();}: the task sleeps in {@code state} until it is woken. */
    private static void sleepIn(int state) {
        Sched.setCurrentState(state);
        Sched.schedule();
    }

    private static void join(Task task) throws InterruptedException {
        task.thread().join(5_000);
        assertThat(task.thread().isAlive()).as("thread of %s ended", task).isFalse();
    }

    // ---- (1) the same seed gives the same run ---------------------------------------------

    /**
     * Three producers and three consumers of tokens under a spinlock, the consumers asleep
     * on a wait queue until a token is there: sleeps, wake-ups and preemption at every
     * spin_unlock and cond_resched with probability 0.5.
     */
    private static List<TraceEvent> producersAndConsumers(long seed) {
        try (DeterministicScheduler sched = new DeterministicScheduler(seed, 0.5)) {
            WaitQueueHead wq = new WaitQueueHead("tokens");
            SpinLock lock = new SpinLock();
            int[] tokens = {0};
            for (int i = 0; i < 3; i++) {
                sched.spawn("consumer" + i, () -> {
                    for (int k = 0; k < 3; k++) {
                        WaitEvent.waitEvent(wq, () -> {
                            lock.lock();
                            try {
                                if (tokens[0] == 0) {
                                    return false;
                                }
                                tokens[0]--;
                                return true;
                            } finally {
                                lock.unlock();
                            }
                        });
                        Trace.mark("took a token");
                    }
                });
                sched.spawn("producer" + i, () -> {
                    for (int k = 0; k < 3; k++) {
                        lock.lock();
                        tokens[0]++;
                        lock.unlock();
                        Trace.mark("put a token");
                        wq.wakeUp();
                        Sched.condResched();
                    }
                });
            }
            sched.run();
            assertThat(tokens[0]).isZero();
            assertThat(sched.tasks()).allMatch(t -> t.state() == TASK_DEAD);
            return sched.trace().events();
        }
    }

    @Test
    void theSameSeedGivesTheSameRunEventForEvent() {
        for (long seed : new long[] {1, 42, 4711}) {
            List<TraceEvent> first = producersAndConsumers(seed);
            List<TraceEvent> second = producersAndConsumers(seed);

            assertThat(first).as("seed %d", seed).hasSizeGreaterThan(50);
            assertThat(second).as("seed %d", seed).isEqualTo(first);
        }
    }

    @Test
    void differentSeedsGiveDifferentOrders() {
        Set<List<TraceEvent>> runs = new HashSet<>();
        for (long seed = 0; seed < 8; seed++) {
            runs.add(producersAndConsumers(seed));
        }

        assertThat(runs).hasSizeGreaterThan(1);
    }

    @Test
    void seedAndSwitchesAreReported() {
        DeterministicScheduler sched = schedulers.deterministic(99);
        sched.spawn("a", () -> Sched.scheduleTimeoutUninterruptible(1));
        sched.spawn("b", () -> Sched.scheduleTimeoutUninterruptible(1));

        sched.run();

        assertThat(sched.seed()).isEqualTo(99);
        // Each task is switched to twice: to start it and after its timer woke it.
        assertThat(sched.switches()).isEqualTo(4);
    }

    @Test
    void preemptionProbabilityMustBeAProbability() {
        assertThatThrownBy(() -> new DeterministicScheduler(1, 1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("preemption probability must be in [0, 1]: 1.5");
        assertThatThrownBy(() -> new DeterministicScheduler(1, -0.1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- (2) the deadlock report -----------------------------------------------------------

    @Test
    void aTaskThatSleepsForeverIsADeadlockNamingSeedTaskAndState() {
        DeterministicScheduler sched = schedulers.deterministic(42);
        sched.pidsFrom(300);
        sched.spawn("sleeper", DeterministicSchedulerTest::sleepForever);
        sched.spawn("quitter", () -> Trace.mark("bye"));

        assertThatThrownBy(sched::run)
                .isInstanceOf(StuckError.class)
                .hasMessageStartingWith("deadlock: every task that is left sleeps and no timer is pending"
                        + " (seed 42, virtual time 0 ns)\n")
                .hasMessageContaining("\n  pid 300   sleeper        TASK_INTERRUPTIBLE   ")
                .hasMessageContaining("\n  pid 301   quitter        TASK_DEAD            \n")
                .hasMessageContaining("/* sched_switch: prev_state=TASK_INTERRUPTIBLE */")
                .hasMessageContaining("/* bye */");
    }

    /** The dump hides the scheduler's own frames only, not other code of package herd.sched such as this test. */
    @Test
    void theDeadlockReportShowsWhereTheTaskSleepsInTheTestCode() {
        DeterministicScheduler sched = schedulers.deterministic(42);
        sched.spawn("sleeper", DeterministicSchedulerTest::sleepForever);

        assertThatThrownBy(sched::run)
                .isInstanceOf(StuckError.class)
                .hasMessageContaining("pid 100   sleeper        TASK_INTERRUPTIBLE   "
                        + "in DeterministicSchedulerTest.sleepForever(DeterministicSchedulerTest.java:");
    }

    @Test
    void theDeadlockReportShowsWhereTheTaskSleepsOutsideTheScheduler() {
        DeterministicScheduler sched = schedulers.deterministic(7);
        WaitQueueHead wq = new WaitQueueHead("never");
        sched.spawn("waiter", () -> WaitEvent.waitEvent(wq, () -> false));

        assertThatThrownBy(sched::run)
                .isInstanceOf(StuckError.class)
                .hasMessageContaining("pid 100   waiter         TASK_UNINTERRUPTIBLE in WaitEvent.waitEventLoop(WaitEvent.java:");
    }

    // ---- (3) runUntilIdle and wake-ups from the test thread -------------------------------

    @Test
    void runUntilIdleReturnsWithTasksAsleepAndTheTestMayWakeThem() throws InterruptedException {
        DeterministicScheduler sched = schedulers.deterministic(3);
        boolean[] ready = {false};
        List<String> log = new CopyOnWriteArrayList<>();
        Runnable waiter = () -> {
            while (true) {
                Sched.setCurrentState(TASK_INTERRUPTIBLE);
                if (ready[0]) {
                    break;
                }
                Sched.schedule();
            }
            Sched.setCurrentState(TASK_RUNNING);
            log.add(Task.current().comm());
        };
        Task first = sched.spawn("first", waiter);
        Task second = sched.spawn("second", waiter);

        sched.runUntilIdle();

        assertThat(first.state()).isEqualTo(TASK_INTERRUPTIBLE);
        assertThat(second.state()).isEqualTo(TASK_INTERRUPTIBLE);
        assertThat(log).isEmpty();

        ready[0] = true;
        assertThat(Sched.wakeUpProcess(first)).isEqualTo(1);
        assertThat(Sched.wakeUpProcess(first)).as("already running").isZero();
        assertThat(first.state()).isEqualTo(TASK_RUNNING);
        sched.runUntilIdle();

        assertThat(first.state()).isEqualTo(TASK_DEAD);
        assertThat(second.state()).isEqualTo(TASK_INTERRUPTIBLE);
        assertThat(log).containsExactly("first");

        assertThat(Sched.wakeUpProcess(second)).isEqualTo(1);
        sched.run();

        assertThat(log).containsExactly("first", "second");
        assertThat(first.wakeups()).isEqualTo(1);
        assertThat(second.wakeups()).isEqualTo(1);
        join(first);
        join(second);
    }

    @Test
    void aWakeUpFromTheTestIsTracedAsTheIdleContext() {
        DeterministicScheduler sched = schedulers.deterministic(3);
        Task sleeper = sched.spawn("sleeper", () -> sleepIn(TASK_UNINTERRUPTIBLE));
        sched.runUntilIdle();

        Sched.wakeUpProcess(sleeper);
        sched.run();

        assertThat(sched.trace().events()).containsExactly(
                new TraceEvent(0, 100, "sleeper", TraceEvent.Kind.SLEEP, "sleep", "TASK_UNINTERRUPTIBLE", 0, null),
                new TraceEvent(0, 0, "<idle>", TraceEvent.Kind.WAKEUP, "sched_wakeup", null, 0, "sleeper-100"),
                new TraceEvent(0, 100, "sleeper", TraceEvent.Kind.EXIT, "exit", null, 0, null));
    }

    @Test
    void runUntilIdleWithoutTasksReturns() {
        DeterministicScheduler sched = schedulers.deterministic(3);

        sched.runUntilIdle();
        sched.run();

        assertThat(sched.tasks()).isEmpty();
        assertThat(sched.trace().events()).isEmpty();
    }

    @Test
    void aTaskMayNotRunTheScheduler() {
        DeterministicScheduler sched = schedulers.deterministic(3);
        sched.spawn("nested", sched::runUntilIdle);

        assertThatThrownBy(sched::run)
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("the scheduler is run by the test, not by a task");
    }

    @Test
    void schedulerFunctionsOutsideATaskAreRefused() {
        assertThat(Sched.current()).isNull();
        assertThatThrownBy(Sched::schedule)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("schedule() called outside a task: run this code in a task created by Scheduler.spawn");
        assertThatThrownBy(() -> Sched.setCurrentState(TASK_INTERRUPTIBLE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("set_current_state() called outside a task");
        assertThatThrownBy(() -> Sched.scheduleTimeout(1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("schedule_timeout() called outside a task");
    }

    @Test
    void tasksGetPidsInSpawnOrderAndRunOnTheirOwnThreads() {
        DeterministicScheduler sched = schedulers.deterministic(5);
        List<Object> seen = new CopyOnWriteArrayList<>();
        Task a = sched.spawn("a", () -> seen.add(Task.current()));
        sched.pidsFrom(4242);
        Task b = sched.spawn("b", () -> seen.add(Sched.current()));

        sched.run();

        assertThat(a.pid()).isEqualTo(100);
        assertThat(b.pid()).isEqualTo(4242);
        assertThat(a).hasToString("a-100");
        assertThat(b.comm()).isEqualTo("b");
        assertThat(a.scheduler()).isSameAs(sched);
        assertThat(seen).containsExactlyInAnyOrder(a, b);
        assertThat(sched.tasks()).containsExactly(a, b);
        assertThat(a.thread().getName()).isEqualTo("a-100");
        assertThat(a.thread().isDaemon()).isTrue();
    }

    // ---- (4) the virtual clock -------------------------------------------------------------

    @Test
    void scheduleTimeoutUninterruptibleAdvancesTheClockByExactlyTheTimeout() {
        DeterministicScheduler sched = schedulers.deterministic(11);
        long[] seen = new long[3];
        sched.spawn("sleeper", () -> {
            seen[0] = sched.clock();
            seen[1] = Sched.scheduleTimeoutUninterruptible(5_000_000);
            seen[2] = sched.clock();
        });

        sched.run();

        assertThat(seen).containsExactly(0, 0, 5_000_000);
        assertThat(sched.clock()).isEqualTo(5_000_000);
    }

    @Test
    void runUntilFiresOnlyTheTimersDueByItsDeadlineThenTheClockReadsTheDeadline() {
        DeterministicScheduler sched = schedulers.deterministic(11);
        List<Long> wakes = new java.util.concurrent.CopyOnWriteArrayList<>();
        sched.spawn("poller", () -> {
            for (;;) {
                Sched.scheduleTimeoutUninterruptible(500_000_000);
                wakes.add(sched.clock());
            }
        });

        sched.runUntil(1_200_000_000);
        assertThat(wakes).as("a task that sleeps 500 ms in a loop, run to 1.2 s")
                .containsExactly(500_000_000L, 1_000_000_000L);
        assertThat(sched.clock()).as("the clock after the run").isEqualTo(1_200_000_000);

        sched.runUntil(sched.clock());
        assertThat(wakes).as("a run to the current time fires nothing new").hasSize(2);
        sched.runUntil(1_500_000_000);
        assertThat(wakes).as("the timer due at exactly the deadline fires").hasSize(3);
        assertThatThrownBy(() -> sched.runUntil(1_000_000_000)).as("a deadline in the past")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before the clock");
    }

    @Test
    void sleepsAddUp() {
        DeterministicScheduler sched = schedulers.deterministic(11);
        Task sleeper = sched.spawn("sleeper", () -> {
            for (int i = 0; i < 3; i++) {
                Sched.scheduleTimeoutUninterruptible(2_000_000);
            }
        });

        sched.run();

        assertThat(sched.clock()).isEqualTo(6_000_000);
        assertThat(sleeper.voluntarySwitches()).isEqualTo(3);
        assertThat(sleeper.wakeups()).isEqualTo(3);
    }

    @Test
    void aTaskWokenEarlyGetsTheTimeLeft() {
        DeterministicScheduler sched = schedulers.deterministic(12);
        long[] left = {-1};
        Task sleeper = sched.spawn("sleeper", () -> {
            Sched.setCurrentState(TASK_INTERRUPTIBLE);
            left[0] = Sched.scheduleTimeout(10_000_000);
        });
        sched.spawn("waker", () -> {
            Sched.scheduleTimeoutUninterruptible(3_000_000);
            Sched.wakeUpProcess(sleeper);
        });

        sched.run();

        assertThat(left[0]).isEqualTo(7_000_000);
        assertThat(sched.clock()).isEqualTo(3_000_000);
    }

    @Test
    void aTimerLeftBehindByAnEarlyWakeUpDoesNotFireLater() {
        DeterministicScheduler sched = schedulers.deterministic(12);
        Task sleeper = sched.spawn("sleeper", () -> {
            Sched.setCurrentState(TASK_INTERRUPTIBLE);
            Sched.scheduleTimeout(10_000_000);
            Sched.setCurrentState(TASK_INTERRUPTIBLE);
            Sched.schedule();
        });
        sched.spawn("waker", () -> {
            Sched.scheduleTimeoutUninterruptible(1_000);
            Sched.wakeUpProcess(sleeper);
        });

        sched.runUntilIdle();

        assertThat(sleeper.state()).isEqualTo(TASK_INTERRUPTIBLE);
        assertThat(sleeper.wakeups()).isEqualTo(1);
        assertThat(sched.clock()).isEqualTo(1_000);
    }

    /** Task i spawns task i + 1 before it sleeps, so the timers are armed in the order of i. */
    private static Runnable chain(DeterministicScheduler sched, long[] sleeps, int i, List<String> order) {
        return () -> {
            if (i + 1 < sleeps.length) {
                sched.spawn("t" + (i + 1), chain(sched, sleeps, i + 1, order));
            }
            Sched.scheduleTimeoutUninterruptible(sleeps[i]);
            order.add(Task.current().comm() + "@" + sched.clock());
        };
    }

    @Test
    void timersFireInExpiryOrderAndEqualTimersInTheOrderTheyWereArmed() {
        DeterministicScheduler sched = schedulers.deterministic(13);
        List<String> order = new CopyOnWriteArrayList<>();
        long[] sleeps = {3_000_000, 1_000_000, 2_000_000, 2_000_000};
        sched.spawn("t0", chain(sched, sleeps, 0, order));

        sched.run();

        assertThat(order).containsExactly("t1@1000000", "t2@2000000", "t3@2000000", "t0@3000000");
    }

    @Test
    void aZeroTimeoutExpiresAtOnce() {
        DeterministicScheduler sched = schedulers.deterministic(13);
        long[] left = {-1};
        sched.spawn("t", () -> left[0] = Sched.scheduleTimeoutUninterruptible(0));

        sched.run();

        assertThat(left[0]).isZero();
        assertThat(sched.clock()).isZero();
    }

    @Test
    void maxScheduleTimeoutSleepsWithoutATimer() {
        DeterministicScheduler sched = schedulers.deterministic(14);
        long[] left = {-1};
        Task t = sched.spawn("t", () -> left[0] = Sched.scheduleTimeoutUninterruptible(Sched.MAX_SCHEDULE_TIMEOUT));

        sched.runUntilIdle();
        assertThat(t.state()).isEqualTo(TASK_UNINTERRUPTIBLE);
        Sched.wakeUpProcess(t);
        sched.run();

        assertThat(left[0]).isEqualTo(Sched.MAX_SCHEDULE_TIMEOUT);
        assertThat(sched.clock()).isZero();
    }

    @Test
    void aNegativeTimeoutIsRefused() {
        DeterministicScheduler sched = schedulers.deterministic(14);
        sched.spawn("t", () -> Sched.scheduleTimeout(-1));

        assertThatThrownBy(sched::run)
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("schedule_timeout: negative timeout -1");
    }

    @Test
    void theTimerWakeUpIsTracedAsTheIdleContextAtTheExpiryTime() {
        DeterministicScheduler sched = schedulers.deterministic(15);
        sched.spawn("t", () -> Sched.scheduleTimeoutUninterruptible(1_500));

        sched.run();

        assertThat(sched.trace().events()).containsExactly(
                new TraceEvent(0, 100, "t", TraceEvent.Kind.SLEEP, "sleep", "TASK_UNINTERRUPTIBLE", 0, null),
                new TraceEvent(1_500, 0, "<idle>", TraceEvent.Kind.WAKEUP, "sched_wakeup", null, 0, "t-100"),
                new TraceEvent(1_500, 100, "t", TraceEvent.Kind.EXIT, "exit", null, 0, null));
    }

    // ---- (5) a task's exception ------------------------------------------------------------

    @Test
    void anExceptionInATaskIsRethrownWithItsTypeAndMessage() {
        DeterministicScheduler sched = schedulers.deterministic(21);
        sched.spawn("ok", () -> Trace.mark("fine"));
        Task bad = sched.spawn("bad", () -> {
            throw new UnsupportedOperationException("boom");
        });

        assertThatThrownBy(sched::run)
                .isExactlyInstanceOf(UnsupportedOperationException.class)
                .hasMessage("boom")
                .satisfies(t -> assertThat(t.getSuppressed()).singleElement()
                        .extracting(Throwable::getMessage)
                        .isEqualTo("in task bad-101 (seed 21, virtual time 0 ns)"));
        assertThat(bad.state()).as("a task whose body threw is dead, like one that returned").isEqualTo(TASK_DEAD);
        // The failure stays: a later run reports it again.
        assertThatThrownBy(sched::runUntilIdle).isExactlyInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void anAssertionFailingInATaskFailsTheRun() {
        DeterministicScheduler sched = schedulers.deterministic(22);
        sched.spawn("checker", () -> assertThat(1 + 1).as("arithmetic").isEqualTo(3));

        assertThatThrownBy(sched::run)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("[arithmetic]");
    }

    @Test
    void aCheckedExceptionIsRethrownAsTheCauseOfAnIllegalStateException() {
        DeterministicScheduler sched = schedulers.deterministic(23);
        sched.spawn("io", () -> sneakyThrow(new IOException("disk on fire")));

        assertThatThrownBy(sched::run)
                .isExactlyInstanceOf(IllegalStateException.class)
                .cause()
                .isExactlyInstanceOf(IOException.class)
                .hasMessage("disk on fire");
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    @Test
    void onlyTheFirstFailureIsRethrown() {
        DeterministicScheduler sched = schedulers.deterministic(24);
        sched.spawn("first", () -> {
            throw new IllegalStateException("first");
        });

        assertThatThrownBy(sched::runUntilIdle).hasMessage("first");
        sched.spawn("second", () -> {
            throw new IllegalStateException("second");
        });
        assertThatThrownBy(sched::run).hasMessage("first");
    }

    @Test
    void aRunAfterAFailedOneRethrowsTheFailureBeforeHandingOutTheCpu() {
        DeterministicScheduler sched = schedulers.deterministic(25);
        sched.spawn("bad", () -> {
            throw new IllegalStateException("bad");
        });
        assertThatThrownBy(sched::runUntilIdle).hasMessage("bad");

        // An interrupted controller would fail with a StuckError as soon as it waited for the
        // tasks: the failure must come first, before anything is run or waited for.
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(sched::runUntilIdle).as("the scheduler stays failed: the next run rethrows at once")
                    .isExactlyInstanceOf(IllegalStateException.class).hasMessage("bad");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void anInterruptedControllerGetsAStuckErrorAndKeepsItsInterrupt() {
        DeterministicScheduler sched = schedulers.deterministic(26);
        Thread.currentThread().interrupt();
        boolean stillInterrupted;
        try {
            assertThatThrownBy(sched::runUntilIdle).isExactlyInstanceOf(StuckError.class)
                    .hasMessageStartingWith("interrupted while the tasks ran (seed 26, virtual time 0 ns)");
        } finally {
            stillInterrupted = Thread.interrupted();
        }
        assertThat(stillInterrupted).as("the run does not swallow the interrupt: the thread's interrupt status is "
                + "set again for its caller").isTrue();
    }

    // ---- (5b) livelock ---------------------------------------------------------------------

    /** {@code schedule()} in TASK_RUNNING: the task stays runnable and the seed may pick another. */
    private static void yieldForever() {
        for (;;) {
            Sched.schedule();
        }
    }

    @Test
    void tasksThatNeverStopSwitchingAreALivelock() {
        DeterministicScheduler sched = schedulers.deterministic(27);
        sched.livelockAfter(50);
        sched.spawn("ping", DeterministicSchedulerTest::yieldForever);
        sched.spawn("pong", DeterministicSchedulerTest::yieldForever);

        assertThatThrownBy(sched::runUntilIdle).isExactlyInstanceOf(StuckError.class)
                .hasMessageStartingWith("livelock: 50 context switches without the run ending (seed 27, virtual time 0 ns)\n")
                .hasMessageContaining("ping").hasMessageContaining("pong");
        assertThat(sched.switches()).as("the run stopped at the first switch over the limit").isEqualTo(51);
    }

    @Test
    void theLivelockLimitIsPerRunAndARunMayUseItUp() {
        DeterministicScheduler sched = schedulers.deterministic(28);
        sched.livelockAfter(1);
        sched.spawn("first", () -> Trace.mark("first"));
        sched.run();
        assertThat(sched.switches()).as("the controller handed the CPU to the task once").isEqualTo(1);

        sched.spawn("second", () -> Trace.mark("second"));
        sched.run();
        assertThat(sched.switches()).as("a run of exactly the limit is no livelock, and an earlier run's switches "
                + "do not count against the next").isEqualTo(2);
    }

    // ---- (6) scheduling while atomic -------------------------------------------------------

    @Test
    void schedulingWhileHoldingASpinlockIsABug() {
        DeterministicScheduler sched = schedulers.deterministic(31);
        SpinLock lock = new SpinLock();
        sched.spawn("atomic", () -> {
            lock.lock();
            sleepIn(TASK_UNINTERRUPTIBLE);
        });

        assertThatThrownBy(sched::run)
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("BUG: scheduling while atomic: atomic-100 holds 1 spinlock(s)");
    }

    @Test
    void aTimedSleepWhileHoldingASpinlockIsABug() {
        DeterministicScheduler sched = schedulers.deterministic(32);
        SpinLock lock = new SpinLock();
        sched.spawn("atomic", () -> {
            lock.lock();
            Sched.scheduleTimeoutUninterruptible(1_000);
        });

        assertThatThrownBy(sched::run)
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("BUG: scheduling while atomic: atomic-100 holds 1 spinlock(s)");
    }

    // ---- (7) signals -----------------------------------------------------------------------

    @Test
    void aSignalWakesAnInterruptibleSleeper() {
        DeterministicScheduler sched = schedulers.deterministic(41);
        boolean[] pendingAfterSleep = {false};
        Task t = sched.spawn("t", () -> {
            sleepIn(TASK_INTERRUPTIBLE);
            pendingAfterSleep[0] = Sched.signalPending(Task.current());
        });
        sched.runUntilIdle();
        assertThat(t.state()).isEqualTo(TASK_INTERRUPTIBLE);

        Sched.sendSignal(t);

        assertThat(t.state()).isEqualTo(TASK_RUNNING);
        assertThat(t.hasPendingSignal()).isTrue();
        sched.run();
        assertThat(pendingAfterSleep[0]).isTrue();
        assertThat(t.wakeups()).isEqualTo(1);
    }

    @Test
    void aSignalDoesNotWakeAnUninterruptibleSleeper() {
        DeterministicScheduler sched = schedulers.deterministic(42);
        Task t = sched.spawn("t", () -> sleepIn(TASK_UNINTERRUPTIBLE));
        sched.runUntilIdle();

        Sched.sendSignal(t);

        assertThat(t.state()).isEqualTo(TASK_UNINTERRUPTIBLE);
        assertThat(t.hasPendingSignal()).isTrue();
        assertThat(Sched.signalPending(t)).isTrue();
        sched.runUntilIdle();
        assertThat(t.state()).isEqualTo(TASK_UNINTERRUPTIBLE);
        assertThat(t.wakeups()).isZero();

        Sched.wakeUpProcess(t);
        sched.run();
        assertThat(t.state()).isEqualTo(TASK_DEAD);
    }

    @Test
    void scheduleWithAPendingSignalInTaskInterruptibleDoesNotSleep() {
        DeterministicScheduler sched = schedulers.deterministic(43);
        int[] stateAfter = {-1};
        Task t = sched.spawn("t", () -> {
            Task self = Task.current();
            Sched.sendSignal(self);
            sleepIn(TASK_INTERRUPTIBLE);
            stateAfter[0] = self.state();
        });

        sched.run();

        assertThat(stateAfter[0]).isEqualTo(TASK_RUNNING);
        assertThat(t.voluntarySwitches()).isZero();
        assertThat(sched.trace().events()).extracting(TraceEvent::kind).doesNotContain(TraceEvent.Kind.SLEEP);
    }

    @Test
    void aPendingSignalDoesNotKeepAnUninterruptibleTaskAwake() {
        DeterministicScheduler sched = schedulers.deterministic(44);
        Task t = sched.spawn("t", () -> {
            Sched.sendSignal(Task.current());
            sleepIn(TASK_UNINTERRUPTIBLE);
        });

        sched.runUntilIdle();

        assertThat(t.state()).isEqualTo(TASK_UNINTERRUPTIBLE);
        assertThat(t.voluntarySwitches()).isEqualTo(1);
        Sched.wakeUpProcess(t);
        sched.run();
    }

    @Test
    void flushSignalsClearsThePendingSignal() {
        DeterministicScheduler sched = schedulers.deterministic(45);
        Task t = sched.spawn("t", DeterministicSchedulerTest::sleepForever);
        sched.runUntilIdle();

        Sched.flushSignals(t);
        assertThat(t.hasPendingSignal()).isFalse();
        Sched.sendSignal(t);
        Sched.flushSignals(t);

        assertThat(t.hasPendingSignal()).isFalse();
        assertThat(Sched.signalPendingState(TASK_INTERRUPTIBLE, t)).isFalse();
    }

    @Test
    void signalPendingStateCountsOnlyForInterruptibleSleeps() {
        DeterministicScheduler sched = schedulers.deterministic(46);
        Task t = sched.spawn("t", DeterministicSchedulerTest::sleepForever);
        sched.runUntilIdle();
        Sched.sendSignal(t);

        assertThat(Sched.signalPendingState(TASK_INTERRUPTIBLE, t)).isTrue();
        assertThat(Sched.signalPendingState(Task.TASK_NORMAL, t)).isTrue();
        assertThat(Sched.signalPendingState(TASK_UNINTERRUPTIBLE, t)).isFalse();
        assertThat(Sched.signalPendingState(TASK_RUNNING, t)).isFalse();
    }

    @Test
    void tryToWakeUpWakesOnlyTheStatesInItsMask() {
        DeterministicScheduler sched = schedulers.deterministic(47);
        Task t = sched.spawn("t", () -> sleepIn(TASK_UNINTERRUPTIBLE));
        sched.runUntilIdle();

        assertThat(Sched.tryToWakeUp(t, TASK_INTERRUPTIBLE, 0)).isZero();
        assertThat(t.state()).isEqualTo(TASK_UNINTERRUPTIBLE);
        assertThat(Sched.tryToWakeUp(t, TASK_UNINTERRUPTIBLE, 0)).isEqualTo(1);
        assertThat(t.state()).isEqualTo(TASK_RUNNING);
        sched.run();
        assertThat(Sched.wakeUpProcess(t)).as("a dead task is not woken").isZero();
    }

    // ---- (8) preemption and the switch counters -------------------------------------------

    /** Tasks a and b, each of which took and released one spinlock five times. */
    private record LockLoops(Task a, Task b) {
    }

    /** Runs tasks a and b on {@code sched}, each taking and releasing one spinlock five times; checks all ten ran. */
    private static LockLoops runLockLoops(DeterministicScheduler sched) {
        SpinLock lock = new SpinLock();
        int[] counter = {0};
        Runnable lockLoop = () -> {
            for (int i = 0; i < 5; i++) {
                lock.lock();
                counter[0]++;
                lock.unlock();
            }
        };
        Task a = sched.spawn("a", lockLoop);
        Task b = sched.spawn("b", lockLoop);

        sched.run();

        assertThat(counter[0]).isEqualTo(10);
        return new LockLoops(a, b);
    }

    @Test
    void withProbabilityOneTasksArePreemptedAtSpinUnlock() {
        LockLoops run = runLockLoops(schedulers.deterministic(51, 1.0));

        assertThat(run.a().involuntarySwitches()).isPositive();
        assertThat(run.b().involuntarySwitches()).isPositive();
        assertThat(run.a().voluntarySwitches()).isZero();
        assertThat(run.b().voluntarySwitches()).isZero();
    }

    @Test
    void withProbabilityZeroNoTaskIsPreempted() {
        DeterministicScheduler sched = schedulers.deterministic(52, 0.0);
        LockLoops run = runLockLoops(sched);

        assertThat(run.a().involuntarySwitches()).isZero();
        assertThat(run.b().involuntarySwitches()).isZero();
        // Without preemption each task runs from start to exit: two switches in all.
        assertThat(sched.switches()).isEqualTo(2);
    }

    @Test
    void condReschedIsAPreemptionPoint() {
        DeterministicScheduler sched = schedulers.deterministic(53, 1.0);
        Task a = sched.spawn("a", Sched::condResched);
        Task b = sched.spawn("b", Sched::condResched);

        sched.run();

        assertThat(a.involuntarySwitches() + b.involuntarySwitches()).isPositive();
    }

    @Test
    void nothingIsPreemptedWhileASpinlockIsHeld() {
        DeterministicScheduler sched = schedulers.deterministic(54, 1.0);
        SpinLock outer = new SpinLock();
        SpinLock inner = new SpinLock();
        long[] inside = {-1, -1};
        sched.spawn("t", () -> {
            outer.lock();
            long involuntary = Task.current().involuntarySwitches();
            long switches = sched.switches();
            for (int i = 0; i < 10; i++) {
                inner.lock();
                inner.unlock();
                Sched.condResched();
            }
            inside[0] = Task.current().involuntarySwitches() - involuntary;
            inside[1] = sched.switches() - switches;
            outer.unlock();
        });
        sched.spawn("other", () -> {
            for (int i = 0; i < 10; i++) {
                Sched.condResched();
            }
        });

        sched.run();

        assertThat(inside).containsExactly(0, 0);
    }

    @Test
    void voluntarySwitchesCountSleeps() {
        DeterministicScheduler sched = schedulers.deterministic(55);
        Task t = sched.spawn("t", () -> {
            for (int i = 0; i < 4; i++) {
                Sched.scheduleTimeoutUninterruptible(1_000);
            }
            // Running: schedule() only yields, which is no sleep.
            Sched.schedule();
        });

        sched.run();

        assertThat(t.voluntarySwitches()).isEqualTo(4);
        assertThat(t.involuntarySwitches()).isZero();
    }

    // ---- (9) closing the scheduler ---------------------------------------------------------

    @Test
    void closingTheSchedulerEndsTheThreadsOfSleepingTasks() throws InterruptedException {
        DeterministicScheduler sched = new DeterministicScheduler(61);
        Task sleeper = sched.spawn("sleeper", DeterministicSchedulerTest::sleepForever);
        Task timed = sched.spawn("timed", () -> Sched.scheduleTimeoutUninterruptible(Sched.MAX_SCHEDULE_TIMEOUT));
        sched.runUntilIdle();
        Task neverRan = sched.spawn("neverran", () -> {
            throw new AssertionError("a task spawned after the last run never runs");
        });
        int eventsBefore = sched.trace().events().size();

        sched.close();

        join(sleeper);
        join(timed);
        join(neverRan);
        assertThat(sched.tasks()).extracting(Task::state).containsOnly(TASK_DEAD);
        // A killed task does not exit through the normal path: no exit event, no failure.
        assertThat(sched.trace().events()).hasSize(eventsBefore);
    }

    @Test
    void closingAfterARunThatEndedChangesNothing() throws InterruptedException {
        DeterministicScheduler sched = new DeterministicScheduler(62);
        Task t = sched.spawn("t", () -> Trace.mark("done"));
        sched.run();

        sched.close();

        join(t);
        assertThat(t.state()).isEqualTo(TASK_DEAD);
    }

    // ---- (10) the watchdog -----------------------------------------------------------------

    private static volatile boolean spinning;

    /**
     * The watchdog's limit is a static final read from course.watchdog.seconds when the class
     * is initialised, 10 s by default. The scheduler classes are loaded a second time in a
     * class loader of their own with the limit set to 0 s, so the test does not wait 10 s.
     */
    @Test
    void aTaskThatNeverReachesTheSchedulerIsReportedByTheWatchdog() throws Exception {
        URL classes = DeterministicScheduler.class.getProtectionDomain().getCodeSource().getLocation();
        String old = System.getProperty("course.watchdog.seconds");
        Class<?> schedulerClass;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader())) {
            System.setProperty("course.watchdog.seconds", "0");
            try {
                schedulerClass = Class.forName(DeterministicScheduler.class.getName(), true, loader);
            } finally {
                if (old == null) {
                    System.clearProperty("course.watchdog.seconds");
                } else {
                    System.setProperty("course.watchdog.seconds", old);
                }
            }
            assertThat(schedulerClass).isNotSameAs(DeterministicScheduler.class);

            Object sched = schedulerClass.getConstructor(long.class).newInstance(77L);
            // spawn and runUntilIdle are public, but spawn is declared by the package-private
            // BaseScheduler of the other class loader, which this class may not access.
            Method spawn = schedulerClass.getMethod("spawn", String.class, Runnable.class);
            spawn.setAccessible(true);
            Object spinner;
            spinning = true;
            try {
                spinner = spawn.invoke(sched, "spinner", (Runnable) () -> {
                    while (spinning) {
                        Thread.onSpinWait();
                    }
                });

                assertThatThrownBy(() -> invoke(schedulerClass.getMethod("runUntilIdle"), sched))
                        .satisfies(t -> assertThat(t.getClass().getName()).isEqualTo(StuckError.class.getName()))
                        .hasMessageStartingWith("watchdog: a task ran for 0 s of wall-clock time without giving up"
                                + " the CPU, is it looping? (seed 77, virtual time 0 ns)\n")
                        .hasMessageContaining("\n  pid 100   spinner        TASK_RUNNING         ");
            } finally {
                spinning = false;
            }
            Method thread = spinner.getClass().getDeclaredMethod("thread");
            thread.setAccessible(true);
            Thread t = (Thread) thread.invoke(spinner);
            t.join(5_000);
            assertThat(t.isAlive()).isFalse();
            schedulerClass.getMethod("close").invoke(sched);
        }
    }

    private static void invoke(Method method, Object target) throws Throwable {
        try {
            method.invoke(target);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
