package herd.sched;

import static herd.sched.Task.TASK_DEAD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import herd.locking.SpinLock;
import herd.trace.TraceEvent;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link SmpRunQueues} and {@link CpuCosts} on their own, without threads: where
 * {@code wake_up_new_task} and {@code select_task_rq_fair} put a task, which CPU runs
 * next (the earliest in virtual time), what a switch, a traced call, an idle CPU's
 * wake-up and a spin cost, and when EEVDF's slice is used up. The costs are round
 * numbers and an idle CPU always wakes in 1000 ns, so every clock is exact.
 */
class SmpRunQueuesTest {
    private static final long FUNCTION = 10;
    private static final long SYSCALL = 20;
    private static final long SWITCH = 100;
    private static final long IDLE_WAKEUP = 1_000;
    private static final long BASE_SLICE = 5_000;
    private static final CpuCosts COSTS = new CpuCosts(FUNCTION, SYSCALL, SWITCH, List.of(IDLE_WAKEUP), BASE_SLICE);

    private static Task task(int pid) {
        return new Task(pid, "t" + pid, null);
    }

    private static SmpRunQueues cpus(int k) {
        return new SmpRunQueues(k, COSTS, new Random(0));
    }

    @Test
    void theSliceIsTheBaseSliceScaledByOnePlusIlog2OfAtMostEightCpus() {
        assertThat(CpuCosts.MEASURED.slice(1)).as("sysctl_sched_base_slice, 0.75 ms, on one CPU").isEqualTo(750_000);
        assertThat(List.of(1, 2, 3, 4, 7, 8, 64).stream().map(COSTS::slice).toList())
                .as("get_update_sysctl_factor(), SCHED_TUNABLESCALING_LOG: 1 + ilog2(min(cpus, 8))")
                .containsExactly(BASE_SLICE, 2 * BASE_SLICE, 2 * BASE_SLICE, 3 * BASE_SLICE, 3 * BASE_SLICE,
                        4 * BASE_SLICE, 4 * BASE_SLICE);
    }

    @Test
    void aTracedCallCostsWhatItsKindCostsAndEverythingElseNothing() {
        assertThat(COSTS.of(TraceEvent.Kind.FUNC_ENTRY)).as("a kernel function").isEqualTo(FUNCTION);
        assertThat(COSTS.of(TraceEvent.Kind.SYSCALL_ENTER)).as("a system call").isEqualTo(SYSCALL);
        for (TraceEvent.Kind kind : List.of(TraceEvent.Kind.SYSCALL_EXIT, TraceEvent.Kind.FUNC_EXIT,
                TraceEvent.Kind.WAKEUP, TraceEvent.Kind.SLEEP, TraceEvent.Kind.EXIT, TraceEvent.Kind.MARK)) {
            assertThat(COSTS.of(kind)).as("%s is not a call", kind).isZero();
        }
        assertThat(COSTS.idleWakeup(new Random(1))).isEqualTo(IDLE_WAKEUP);
    }

    @Test
    void aMachineHasAtLeastOneCpu() {
        assertThatThrownBy(() -> cpus(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(cpus(1).cpus()).isEqualTo(1);
        assertThat(cpus(3).cpus()).isEqualTo(3);
    }

    @Test
    void newTasksGoToTheFirstIdleCpuThenToTheLeastLoadedTheParentsOnATie() {
        SmpRunQueues rq = cpus(2);
        Task a = task(1);
        Task b = task(2);
        Task c = task(3);
        Task d = task(4);
        rq.enqueueNew(a, null, 0);
        rq.enqueueNew(b, null, 0);
        rq.enqueueNew(c, null, 0);
        rq.enqueueNew(d, null, 0);

        assertThat(List.of(rq.cpuOf(a), rq.cpuOf(b))).as("sched_balance_find_dst_cpu: idle CPUs first, from the "
                + "parent's (the controller's is CPU 0)").containsExactly(0, 1);
        assertThat(rq.cpuOf(c)).as("no idle CPU, equal loads: the parent's CPU stays the choice").isZero();
        assertThat(rq.cpuOf(d)).as("then the least loaded").isEqualTo(1);
        assertThat(rq.cpuOf(null)).as("the controller and timers are CPU 0").isZero();
    }

    @Test
    void theRunningTaskCountsInItsCpusLoad() {
        SmpRunQueues rq = cpus(2);
        Task parent = task(1);
        Task other = task(2);
        Task first = task(3);
        Task second = task(4);
        rq.enqueueNew(parent, null, 0);
        rq.enqueueNew(other, null, 0);
        assertThat(rq.pickNext(null)).as("CPU 0 is earlier: CPU 1 still wakes from idle").isSameAs(parent);
        rq.enqueueNew(first, parent, 0);
        rq.enqueueNew(second, parent, 0);

        assertThat(rq.cpuOf(first)).as("CPU 0 runs the parent (1), CPU 1 has one queued (1): a tie stays on "
                + "the parent's CPU").isZero();
        assertThat(rq.cpuOf(second)).as("rq->nr_running counts the running task as well as the queued ones: "
                + "CPU 0 has 2, CPU 1 has 1").isEqualTo(1);
    }

    @Test
    void theCpuEarliestInVirtualTimeRunsNextAndEachCpuPaysForItsSwitchesAndCalls() {
        SmpRunQueues rq = cpus(2);
        Task a = task(1);
        Task b = task(2);
        rq.enqueueNew(a, null, 0);
        rq.enqueueNew(b, null, 0);
        assertThat(rq.clock(null, 0)).as("both idle CPUs were woken from CPU 0's interrupt: a wake-up latency each")
                .isEqualTo(IDLE_WAKEUP);
        assertThat(rq.timerFirst(IDLE_WAKEUP)).as("a timer due when the first CPU starts fires first").isTrue();
        assertThat(rq.timerFirst(IDLE_WAKEUP + 1)).as("one due later waits").isFalse();

        assertThat(rq.pickNext(null)).as("a tie in virtual time goes to the first CPU").isSameAs(a);
        assertThat(rq.clock(a, 0)).as("__schedule() costs a context switch").isEqualTo(IDLE_WAKEUP + SWITCH);
        assertThat(rq.spend(a, TraceEvent.Kind.FUNC_ENTRY)).isTrue();
        assertThat(rq.clock(a, 0)).as("a traced function costs its CPU").isEqualTo(IDLE_WAKEUP + SWITCH + FUNCTION);
        assertThat(rq.spend(a, TraceEvent.Kind.MARK)).as("a mark is not a call: the clock does not move").isFalse();
        assertThat(rq.spend(b, TraceEvent.Kind.FUNC_ENTRY)).as("b is not on its CPU yet: nothing to spend").isFalse();

        assertThat(rq.otherCpuFirst(a)).as("CPU 1 is behind CPU 0 in virtual time").isTrue();
        assertThat(rq.pickNext(a)).as("so CPU 1 runs next, its first task").isSameAs(b);
        assertThat(rq.clock(b, 0)).isEqualTo(IDLE_WAKEUP + SWITCH);
        assertThat(rq.otherCpuFirst(b)).as("CPU 1 is now the earliest").isFalse();
        assertThat(rq.clock(null, 0)).as("the last CPU to stop").isEqualTo(IDLE_WAKEUP + SWITCH + FUNCTION);
        assertThat(rq.clock(null, 1_000_000)).as("never before the clock").isEqualTo(1_000_000);

        rq.dequeue(a);
        rq.dequeue(b);
        assertThat(rq.pickNext(null)).as("every CPU idle").isNull();
        assertThat(rq.timerFirst(Long.MAX_VALUE)).as("with every CPU idle a timer is all there is").isTrue();
    }

    @Test
    void theRunningTaskIsPreemptedOnlyOnceItsSliceIsUsedUpAndSomeoneWaits() {
        long slice = COSTS.slice(1);
        Task a = task(1);
        SmpRunQueues alone = cpus(1);
        alone.enqueueNew(a, null, 0);
        assertThat(alone.pickNext(null)).isSameAs(a);
        for (long spent = 0; spent < 2 * slice; spent += FUNCTION) {
            alone.spend(a, TraceEvent.Kind.FUNC_ENTRY);
        }
        assertThat(alone.preempt(a)).as("two slices used, but nobody waits for the CPU").isFalse();

        SmpRunQueues rq = cpus(1);
        Task b = task(2);
        rq.enqueueNew(a, null, 0);
        assertThat(rq.pickNext(null)).isSameAs(a);
        rq.enqueueNew(b, null, 0);
        for (long spent = 0; spent < slice - FUNCTION; spent += FUNCTION) {
            rq.spend(a, TraceEvent.Kind.FUNC_ENTRY);
        }
        assertThat(rq.preempt(a)).as("10 ns short of its slice (RUN_TO_PARITY): a keeps the CPU").isFalse();
        rq.spend(a, TraceEvent.Kind.FUNC_ENTRY);
        assertThat(rq.preempt(a)).as("its slice used up: pick_eevdf prefers the queued task").isTrue();
        assertThat(rq.pickNext(a)).as("the task that waited runs").isSameAs(b);
        assertThat(rq.preempt(a)).as("a is no longer on the CPU").isFalse();
        rq.dequeue(b);
        assertThat(rq.pickNext(null)).as("a was queued behind it").isSameAs(a);
    }

    @Test
    void aWokenTaskGoesToTheWakersCpuIfIdleElseItsOwnIfIdleElseTheNextIdleOneElseTheWakers() {
        SmpRunQueues rq = cpus(3);
        Task waker = task(1);
        rq.enqueueNew(waker, null, 0);
        assertThat(rq.pickNext(null)).isSameAs(waker);
        Task p = task(2);
        Task r = task(3);
        Task s = task(4);
        rq.enqueueNew(p, waker, 0);
        assertThat(rq.cpuOf(p)).as("a child goes to the first idle CPU from its parent's").isEqualTo(1);
        rq.dequeue(p);
        rq.enqueueNew(r, waker, 0);
        assertThat(rq.cpuOf(r)).isEqualTo(1);
        rq.dequeue(r);

        rq.enqueueWoken(p, waker, 0);
        assertThat(rq.cpuOf(p)).as("the waker's CPU is busy, the one p last ran on is idle: there").isEqualTo(1);
        rq.enqueueWoken(r, waker, 0);
        assertThat(rq.cpuOf(r)).as("its own CPU is busy too: the first idle CPU after the waker's")
                .isEqualTo(2);
        rq.enqueueWoken(s, waker, 0);
        assertThat(rq.cpuOf(s)).as("no idle CPU: the waker's, where it queues without preempting").isZero();

        rq.enqueueWoken(p, null, 0);
        assertThat(rq.cpuOf(p)).as("ttwu_runnable(): still queued, so nothing moves").isEqualTo(1);
        rq.dequeue(p);
        Task dead = task(5);
        dead.setState(TASK_DEAD);
        rq.enqueueWoken(dead, waker, 0);
        assertThat(rq.cpuOf(dead)).as("a dead task is not placed on idle CPU 1: it has no CPU yet (CPU 0 by default)")
                .isZero();
    }

    @Test
    void aWakeUpFromAnInterruptOnAnIdleCpuCostsTheIdleCpusWakeUpLatency() {
        SmpRunQueues rq = cpus(2);
        Task a = task(1);
        rq.enqueueNew(a, null, 0);
        assertThat(rq.pickNext(null)).isSameAs(a);
        rq.dequeue(a);
        long cpu0 = rq.clock(a, 0);
        rq.enqueueWoken(a, null, 0);
        assertThat(rq.clock(a, 0)).as("a timer on CPU 0 wakes the task on idle CPU 0: the CPU leaves idle")
                .isEqualTo(cpu0 + IDLE_WAKEUP);
        assertThat(rq.pickNext(null)).isSameAs(a);
        rq.dequeue(a);
        rq.enqueueWoken(a, null, cpu0 + 1_000_000);
        assertThat(rq.clock(a, 0)).as("an idle CPU's clock catches up with the waker's time first")
                .isEqualTo(cpu0 + 1_000_000 + IDLE_WAKEUP);
    }

    @Test
    void aSpinningCpuWaitsInVirtualTimeUntilTheHoldersCpuHasRunOn() {
        SmpRunQueues rq = cpus(2);
        Task holder = task(1);
        Task spinner = task(2);
        Task queued = task(3);
        rq.enqueueNew(holder, null, 0);
        rq.enqueueNew(spinner, null, 0);
        rq.enqueueNew(queued, null, 0);
        assertThat(rq.pickNext(null)).isSameAs(holder);
        assertThat(rq.pickNext(holder)).isSameAs(spinner);
        for (int i = 0; i < 50; i++) {
            rq.spend(holder, TraceEvent.Kind.FUNC_ENTRY);
        }
        SpinLock lock = new SpinLock();
        assertThat(rq.spin(spinner, holder, lock)).as("the holder runs on the other CPU").isTrue();
        assertThat(rq.clock(spinner, 0)).as("the spinner's CPU catches up with the holder's, and tries again")
                .isEqualTo(rq.clock(holder, 0) + FUNCTION);
        assertThat(rq.spin(spinner, null, lock)).as("a lock held by no task").isFalse();
        assertThat(rq.spin(spinner, spinner, lock)).as("held on its own CPU").isFalse();
        assertThat(rq.spin(spinner, queued, lock)).as("held by a task that is not on a CPU").isFalse();
        assertThat(rq.spin(task(9), holder, lock)).as("a spinner the run queues never saw").isFalse();
    }
}
