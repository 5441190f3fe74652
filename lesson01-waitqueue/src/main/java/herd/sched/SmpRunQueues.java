package herd.sched;

import static herd.sched.Task.TASK_DEAD;

import herd.locking.SpinLock;
import herd.trace.TraceEvent;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * k virtual CPUs, each with its own run queue and clock, placed and preempted as Linux
 * 6.18's fair class does it (kernel/sched/core.c, kernel/sched/fair.c), simplified:
 *
 * <ul>
 * <li><b>Time.</b> A CPU's clock moves as its task works: each traced call costs what
 *     {@link CpuCosts} says, a context switch too. The CPU that is earliest in virtual
 *     time runs next, so one thread runs at a time and a run is exact.
 * <li><b>Placement</b> ({@code select_task_rq_fair} → {@code select_idle_sibling}): a
 *     woken task goes to the waker's CPU if it is idle, else to the CPU it last ran on if
 *     that is idle, else to the first idle CPU after the waker's, else to the waker's. A new
 *     task ({@code wake_up_new_task}, {@code sched_balance_find_dst_cpu}) goes to the first
 *     idle CPU from its parent's, else to the least loaded. Wake-ups from a timer or the
 *     controller come from CPU 0, which takes every interrupt. An idle CPU that gets a task
 *     from elsewhere starts it after a wake-up latency drawn from the seed.
 * <li><b>Preemption</b> (EEVDF, {@code check_preempt_wakeup_fair} → {@code pick_eevdf} with
 *     {@code RUN_TO_PARITY}): every task has the same weight and slice, so a woken task never
 *     preempts the running one; it waits in its CPU's queue, in the order of the wake-ups
 *     (equal lags give deadlines in that order), until the running task sleeps or has used
 *     its slice ({@link CpuCosts#slice}), which is checked at preemption points, as the tick
 *     would.
 * <li><b>Not modelled:</b> load balancing (a queued task stays on its CPU), wake-up
 *     preemption by shorter slices ({@code PREEMPT_SHORT}), SMT, caches, interrupts on
 *     other CPUs than 0.
 * </ul>
 */
final class SmpRunQueues implements RunQueues {
    private final Cpu[] cpus;
    private final CpuCosts costs;
    private final Random random;
    private final long slice;
    /** {@code task_cpu(p)}: the CPU each task runs or last ran on. */
    private final Map<Task, Cpu> taskCpu = new ConcurrentHashMap<>();

    SmpRunQueues(int k, CpuCosts costs, Random random) {
        if (k < 1) {
            throw new IllegalArgumentException("a machine has at least one CPU: " + k);
        }
        this.cpus = new Cpu[k];
        for (int i = 0; i < k; i++) {
            cpus[i] = new Cpu(i);
        }
        this.costs = costs;
        this.random = random;
        this.slice = costs.slice(k);
    }

    /** The CPU {@code task} runs on; CPU 0 for the controller and timers (null). */
    private Cpu cpu(Task task) {
        return task == null ? cpus[0] : taskCpu.getOrDefault(task, cpus[0]);
    }

    @Override
    public void enqueueNew(Task task, Task parent, long now) {
        Cpu from = cpu(parent);
        Cpu target = firstIdleFrom(from.id);
        if (target == null) {
            target = from;
            for (Cpu c : cpus) {
                if (c.nrRunning() < target.nrRunning()) {
                    target = c;
                }
            }
        }
        place(task, target, parent == null ? null : from, now);
    }

    @Override
    public void enqueueWoken(Task p, Task waker, long now) {
        Cpu prev = taskCpu.get(p);
        if (p.state() == TASK_DEAD || prev != null && (prev.curr == p || prev.queue.contains(p))) {
            return; // ttwu_runnable(): still on its CPU (woken before it slept), nothing to move
        }
        Cpu thisCpu = cpu(waker);
        place(p, selectTaskRq(prev == null ? thisCpu : prev, thisCpu), waker == null ? null : thisCpu, now);
    }

    /** {@code select_idle_sibling(p, prev, target)}, the waker's CPU being the target. */
    private Cpu selectTaskRq(Cpu prev, Cpu target) {
        if (target.idle()) {
            return target;
        }
        if (prev.idle()) {
            return prev;
        }
        Cpu idle = firstIdleFrom(target.id + 1);
        return idle != null ? idle : target;
    }

    /** The first idle CPU from {@code id} on, wrapping ({@code for_each_cpu_wrap}); null if none. */
    private Cpu firstIdleFrom(int id) {
        for (int i = 0; i < cpus.length; i++) {
            Cpu c = cpus[(id + i) % cpus.length];
            if (c.idle()) {
                return c;
            }
        }
        return null;
    }

    /**
     * Queues {@code p} on {@code target}; {@code from} is the CPU that did it (null: an
     * interrupt). An idle CPU woken from elsewhere runs the task after its wake-up latency.
     */
    private void place(Task p, Cpu target, Cpu from, long now) {
        if (target.idle()) {
            target.clock = Math.max(target.clock, now) + (target == from ? 0 : costs.idleWakeup(random));
        }
        target.queue.add(p);
        taskCpu.put(p, target);
    }

    @Override
    public void dequeue(Task task) {
        Cpu c = taskCpu.get(task);
        if (c == null) {
            return;
        }
        if (c.curr == task) {
            c.curr = null;
        } else {
            c.queue.remove(task);
        }
    }

    @Override
    public boolean timerFirst(long expires) {
        Cpu next = earliest(null);
        return next == null || expires <= next.clock;
    }

    /** The busy CPU earliest in virtual time, {@code first} on a tie; null if every CPU is idle. */
    private Cpu earliest(Cpu first) {
        Cpu best = first != null && !first.idle() ? first : null;
        for (Cpu c : cpus) {
            if (!c.idle() && (best == null || c.clock < best.clock)) {
                best = c;
            }
        }
        return best;
    }

    @Override
    public Task pickNext(Task prev) {
        Cpu c = earliest(prev == null ? null : taskCpu.get(prev));
        if (c == null) {
            return null;
        }
        if (c.curr == null) {
            // __schedule() on this CPU: the first queued task (pick_eevdf, equal deadlines in queue order).
            c.curr = c.queue.poll();
            c.clock += costs.contextSwitch();
            c.pickedAt = c.clock;
        }
        return c.curr;
    }

    @Override
    public void switchedOut(Task prev) {
        // A task switched out stays its CPU's curr: only that CPU's clock decides when it goes on.
    }

    /** A running task's CPU clock; it may be behind the clock of the CPU that ran before it. */
    @Override
    public long clock(Task running, long now) {
        if (running != null) {
            return cpu(running).clock;
        }
        long last = now;
        for (Cpu c : cpus) {
            last = Math.max(last, c.clock);
        }
        return last;
    }

    @Override
    public boolean preempt(Task current) {
        Cpu c = taskCpu.get(current);
        if (c == null || c.curr != current || c.queue.isEmpty() || c.clock - c.pickedAt < slice) {
            return false;
        }
        // The slice is used up: the deadline has passed, and pick_eevdf prefers a queued task.
        c.queue.add(current);
        c.curr = null;
        return true;
    }

    @Override
    public boolean spend(Task current, TraceEvent.Kind kind) {
        long cost = costs.of(kind);
        Cpu c = taskCpu.get(current);
        if (cost == 0 || c == null || c.curr != current) {
            return false;
        }
        c.clock += cost;
        return true;
    }

    @Override
    public boolean clocked() {
        return true;
    }

    @Override
    public boolean otherCpuFirst(Task current) {
        Cpu c = cpu(current);
        return earliest(c) != c;
    }

    /** A spinning CPU waits, in virtual time, until the holder's CPU has run past it. */
    @Override
    public boolean spin(Task current, Task holder, SpinLock lock) {
        Cpu mine = taskCpu.get(current);
        Cpu theirs = holder == null ? null : taskCpu.get(holder);
        if (mine == null || theirs == null || theirs.curr != holder || theirs == mine) {
            return false;
        }
        mine.clock = Math.max(mine.clock, theirs.clock) + costs.function();
        return true;
    }

    @Override
    public int cpuOf(Task task) {
        return cpu(task).id;
    }

    @Override
    public int cpus() {
        return cpus.length;
    }
}
