package herd.sched;

import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static org.assertj.core.api.Assertions.assertThat;

import herd.locking.SpinLock;
import herd.trace.Ftrace;
import herd.trace.Trace;
import herd.trace.TraceEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link DeterministicScheduler#smp}: virtual CPUs whose clocks move with each traced call,
 * a woken task placed on an idle CPU first, else queued on the waker's without preempting
 * it; the CPU of every event in the trace; the same run for the same seed.
 */
class SmpSchedulerTest {
    private static final CpuCosts COSTS = CpuCosts.MEASURED;

    /** {@code n} traced calls of {@code function}: the CPU works. */
    private static void work(String function, int n) {
        for (int i = 0; i < n; i++) {
            try (var fn = Ftrace.enter(function)) {
                // a leaf call
            }
        }
    }

    private static void sleep() {
        Sched.setCurrentState(TASK_INTERRUPTIBLE);
        Sched.schedule();
    }

    private static TraceEvent mark(List<TraceEvent> events, String text) {
        return events.stream().filter(e -> e.kind() == TraceEvent.Kind.MARK && e.detail().equals(text)).findFirst()
                .orElseThrow(() -> new AssertionError("no mark " + text + " in " + events));
    }

    /** A sleeper, then a waker that wakes it and works for {@code calls} calls before it exits. */
    private static List<TraceEvent> wakeThenWork(DeterministicScheduler sched, int calls) {
        Task sleeper = sched.spawn("sleeper", () -> {
            sleep();
            Trace.mark("sleeper runs");
        });
        sched.runUntilIdle();
        sched.spawn("waker", () -> {
            Sched.wakeUpProcess(sleeper);
            work("waker_work", calls);
            Trace.mark("waker done");
        });
        sched.run();
        return sched.trace().events();
    }

    @Test
    void aWokenTaskGetsAnIdleCpuAndRunsWhileTheWakerWorks() {
        try (DeterministicScheduler sched = DeterministicScheduler.smp(1, 2)) {
            List<TraceEvent> events = wakeThenWork(sched, 1_000);
            TraceEvent runs = mark(events, "sleeper runs");
            TraceEvent done = mark(events, "waker done");
            assertThat(runs.cpu()).as("the sleeper runs on the other, idle CPU").isNotEqualTo(done.cpu());
            assertThat(runs.time()).as("it runs while the waker still works (1000 calls)").isLessThan(done.time());
            assertThat(events.indexOf(runs)).as("and the trace has it in time order").isLessThan(events.indexOf(done));
        }
    }

    @Test
    void withoutAnIdleCpuTheWokenTaskWaitsUntilTheWakerSleeps() {
        try (DeterministicScheduler sched = DeterministicScheduler.smp(1, 1)) {
            List<TraceEvent> events = wakeThenWork(sched, 1_000);
            TraceEvent runs = mark(events, "sleeper runs");
            TraceEvent done = mark(events, "waker done");
            assertThat(runs.cpu()).isZero();
            assertThat(done.cpu()).isZero();
            assertThat(runs.time()).as("EEVDF with RUN_TO_PARITY: the woken task does not preempt the waker")
                    .isGreaterThan(done.time());
        }
    }

    @Test
    void aKernelTimerDueWhileATaskWorksRunsBeforeTheTasksNextTracedCall() {
        try (DeterministicScheduler sched = DeterministicScheduler.smp(1, 1)) {
            long[] expires = {0};
            TimerList timer = new TimerList(sched, () -> Trace.mark("timer"));
            sched.spawn("worker", () -> {
                expires[0] = sched.clock() + 10 * COSTS.function();
                timer.modTimer(expires[0]);
                work("w", 20);
                Trace.mark("worker done");
            });
            sched.run();
            List<TraceEvent> events = sched.trace().events();
            TraceEvent fired = mark(events, "timer");
            assertThat(fired.time()).as("the timer runs at its expiry").isEqualTo(expires[0]);
            List<TraceEvent> workBefore = events.subList(0, events.indexOf(fired)).stream()
                    .filter(e -> e.kind() == TraceEvent.Kind.FUNC_ENTRY).toList();
            assertThat(workBefore).as("the timer softirq interrupts the worker: of its 20 calls, the 10 or 11 that "
                    + "started by the expiry come before it, the rest after").hasSizeBetween(10, 11);
            assertThat(events.indexOf(fired)).isLessThan(events.indexOf(mark(events, "worker done")));
        }
    }

    @Test
    void eachTracedCallCostsItsCpuTheFunctionCost() {
        try (DeterministicScheduler sched = DeterministicScheduler.smp(1, 1)) {
            sched.spawn("worker", () -> work("f", 10));
            sched.run();
            List<TraceEvent> entries = sched.trace().events().stream()
                    .filter(e -> e.kind() == TraceEvent.Kind.FUNC_ENTRY).toList();
            assertThat(entries).hasSize(10);
            assertThat(entries.get(9).time() - entries.get(0).time()).isEqualTo(9 * COSTS.function());
            assertThat(sched.clock()).as("the clock has run through the last call").isGreaterThanOrEqualTo(
                    entries.get(9).time() + COSTS.function());
        }
    }

    @Test
    void theSameSeedGivesTheSameRunAndAnotherSeedAnotherOne() {
        List<List<TraceEvent>> runs = new java.util.ArrayList<>();
        for (long seed : new long[] {3, 3, 4}) {
            try (DeterministicScheduler sched = DeterministicScheduler.smp(seed, 4)) {
                for (int i = 0; i < 3; i++) {
                    sched.spawn("t" + i, () -> work("w", 20));
                }
                sched.run();
                runs.add(sched.trace().events());
            }
        }
        assertThat(runs.get(1)).as("seed 3 twice").isEqualTo(runs.get(0));
        assertThat(runs.get(2)).as("seed 4 draws other idle wake-up latencies").isNotEqualTo(runs.get(0));
        assertThat(runs.get(0).stream().map(TraceEvent::cpu).distinct().sorted().toList())
                .as("three new tasks on four idle CPUs: one each, from CPU 0").containsExactly(0, 1, 2);
    }

    @Test
    void aSpinlockHeldOnAnotherCpuIsWaitedForInVirtualTime() {
        try (DeterministicScheduler sched = DeterministicScheduler.smp(1, 2)) {
            SpinLock lock = new SpinLock();
            int[] inside = {0};
            int[] overlaps = {0};
            for (int i = 0; i < 2; i++) {
                sched.spawn("t" + i, () -> {
                    lock.lock();
                    try {
                        overlaps[0] += inside[0]++;
                        // Longer than the largest idle wake-up latency: the other CPU comes while it is held.
                        work("critical", 400);
                        inside[0]--;
                    } finally {
                        lock.unlock();
                    }
                });
            }
            sched.run();
            List<TraceEvent> events = sched.trace().events();
            assertThat(overlaps[0]).as("never two tasks inside").isZero();
            assertThat(events.stream().map(TraceEvent::cpu).distinct().count()).as("on two CPUs").isEqualTo(2);
            TraceEvent lastOfFirst = events.stream().filter(e -> e.pid() == events.get(0).pid()
                    && e.kind() == TraceEvent.Kind.FUNC_ENTRY).reduce((a, b) -> b).orElseThrow();
            TraceEvent firstOfSecond = events.stream().filter(e -> e.pid() != events.get(0).pid()
                    && e.kind() == TraceEvent.Kind.FUNC_ENTRY).findFirst().orElseThrow();
            assertThat(firstOfSecond.time()).as("the second critical section starts after the first ends")
                    .isGreaterThan(lastOfFirst.time());
        }
    }

    @Test
    void aTaskThatUsedItsSliceIsPreemptedForAQueuedOne() {
        long calls = 2 * COSTS.slice(1) / COSTS.function();
        try (DeterministicScheduler sched = DeterministicScheduler.smp(1, 1)) {
            Task hog = sched.spawn("hog", () -> {
                for (int i = 0; i < calls; i++) {
                    work("spin", 1);
                    Sched.condResched();
                }
                Trace.mark("hog done");
            });
            sched.spawn("other", () -> Trace.mark("other runs"));
            sched.run();
            List<TraceEvent> events = sched.trace().events();
            assertThat(mark(events, "other runs").time()).as("after one slice, not after the hog's two")
                    .isLessThan(mark(events, "hog done").time());
            assertThat(hog.involuntarySwitches()).isEqualTo(1);
        }
    }
}
