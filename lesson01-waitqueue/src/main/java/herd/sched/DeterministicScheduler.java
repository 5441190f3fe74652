package herd.sched;

import static herd.sched.Task.TASK_DEAD;
import static herd.sched.Task.TASK_RUNNING;

import herd.locking.SpinLock;
import herd.trace.FtraceFormat;
import herd.trace.Trace;
import herd.trace.TraceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Tasks on virtual CPUs, one thread running at a time, a virtual clock: the scheduler for
 * exact tests, traces and demos. It comes in two kinds, which share everything but their
 * {@link RunQueues}:
 *
 * <ul>
 * <li>{@code new DeterministicScheduler(seed, p)}: <b>one CPU that explores</b>. At every
 *     switch the next task is drawn from the run queue by a {@link Random} seeded with
 *     {@link #seed()}, and at every preemption point (a spinlock released to preempt count
 *     0, {@code cond_resched}) the running task is preempted with probability {@code p}
 *     ({@link SeededRunQueue}). Virtual time only moves when every task sleeps and a timer
 *     is pending: the clock jumps to the earliest timer.
 * <li>{@link #smp(long, int)}: <b>k CPUs as the kernel runs them</b>: per-CPU run queues,
 *     placement by {@code select_task_rq}, EEVDF's preemption rule, and a clock per CPU
 *     that moves with the cost of each traced call ({@link SmpRunQueues}, {@link CpuCosts});
 *     the CPU earliest in virtual time runs next, and the seed draws the idle CPUs' wake-up
 *     latencies.
 * </ul>
 *
 * <p>Every task is a real thread, but only the task the scheduler chose runs; the others
 * wait on their own semaphore. The same seed therefore gives the same run, event for event.
 * A task's own timeout wakes that task; a {@link TimerList} runs its function in timer
 * context, and every {@link TimerList} due at that instant runs before any task gets the
 * CPU (the timer softirq runs on the way out of the tick's interrupt, before the scheduler
 * picks the woken task).
 *
 * <p>A test drives it from a thread that is not a task: {@link #run()} or
 * {@link #runUntilIdle()}. Between runs that thread may act as an interrupt handler
 * (wake tasks, send signals). A run that cannot finish fails with a {@link StuckError}
 * listing every task and where it sleeps.
 */
public final class DeterministicScheduler extends BaseScheduler {
    private static final long WATCHDOG_SECONDS = Long.getLong("course.watchdog.seconds", 10);
    private static final long MAX_SWITCHES = 2_000_000;

    private final long seed;
    private final RunQueues runQueues;
    /** Each task's CPU token. Concurrent: a task that just handed the CPU on still reads its own while the next one may spawn. */
    private final Map<Task, Semaphore> cpu = new ConcurrentHashMap<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    /** The queued entry of each pending {@link TimerList}. */
    private final Map<TimerList, Timer> kernelTimers = new ConcurrentHashMap<>();
    private final Semaphore idle = new Semaphore(0);
    private long now;
    /** The run's deadline: timers expiring later wait for the next run. */
    private long deadline = Long.MAX_VALUE;
    private long timerSeq;
    private long switches;
    /** {@link #switches} when the current run began: the livelock limit is per run. */
    private long switchesAtRunStart;
    private long maxSwitches = MAX_SWITCHES;
    private boolean inScheduler;

    /** A pending timer: a task's timeout ({@code task}) or a kernel timer ({@code timer}). */
    private record Timer(long expires, long seq, Task task, TimerList timer) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            return expires != o.expires ? Long.compare(expires, o.expires) : Long.compare(seq, o.seq);
        }
    }

    /** One exploring CPU whose choices follow {@code seed}, without preemption. */
    public DeterministicScheduler(long seed) {
        this(seed, 0.0);
    }

    /** One exploring CPU that also preempts at each preemption point with {@code preemptProbability}. */
    public DeterministicScheduler(long seed, double preemptProbability) {
        super(true, Trace.CALL_COST_NS);
        this.seed = seed;
        this.runQueues = new SeededRunQueue(new Random(mix(seed)), preemptProbability);
    }

    private DeterministicScheduler(long seed, int cpus, CpuCosts costs) {
        super(true, 0);
        this.seed = seed;
        this.runQueues = new SmpRunQueues(cpus, costs, new Random(mix(seed)));
    }

    /**
     * {@code cpus} virtual CPUs run as Linux runs them, with the {@link CpuCosts#MEASURED}
     * costs; {@code seed} draws the idle CPUs' wake-up latencies.
     */
    public static DeterministicScheduler smp(long seed, int cpus) {
        return new DeterministicScheduler(seed, cpus, CpuCosts.MEASURED);
    }

    /**
     * SplitMix64's finaliser: {@link Random}'s first outputs barely differ between small
     * seeds, which would make seeds 0, 1, 2... explore the same first choices.
     */
    private static long mix(long seed) {
        long z = (seed ^ (seed >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The seed that replays this run. */
    public long seed() {
        return seed;
    }

    /** Context switches so far (on several CPUs: every hand-over from one thread to another). */
    public long switches() {
        return switches;
    }

    /** The number of virtual CPUs. */
    public int cpus() {
        return runQueues.cpus();
    }

    /** A run that makes more than {@code max} context switches fails as a livelock (2 000 000 by default). */
    void livelockAfter(long max) {
        this.maxSwitches = max;
    }

    @Override
    String describeRun() {
        return " (seed " + seed + (cpus() > 1 ? ", " + cpus() + " CPUs" : "") + ", virtual time " + now + " ns)";
    }

    // ---- the controller's side ------------------------------------------------------------

    /**
     * Runs tasks until none is runnable and no timer is pending; tasks may be left
     * asleep. Rethrows the first exception a task threw.
     */
    public void runUntilIdle() {
        runUntil(Long.MAX_VALUE);
    }

    /**
     * Runs tasks, firing only the timers that expire by {@code deadline} (virtual ns),
     * until none is runnable; then the clock reads at least {@code deadline}. It lets
     * virtual time pass for tasks that never stop setting timers (a server polling every
     * 500 ms). Rethrows the first exception a task threw.
     */
    public void runUntil(long deadline) {
        if (Task.current() != null) {
            throw new IllegalStateException("the scheduler is run by the test, not by a task");
        }
        if (deadline < now) {
            throw new IllegalArgumentException("deadline " + deadline + " ns is before the clock, " + now + " ns");
        }
        this.deadline = deadline;
        rethrowFailure();
        switchesAtRunStart = switches;
        switchFrom(null, false);
        try {
            if (!idle.tryAcquire(WATCHDOG_SECONDS, TimeUnit.SECONDS)) {
                throw new StuckError(report("watchdog: a task ran for " + WATCHDOG_SECONDS
                        + " s of wall-clock time without giving up the CPU, is it looping?") + traceTail(), true);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StuckError(report("interrupted while the tasks ran"));
        }
        rethrowFailure();
        now = runQueues.clock(null, now);
        if (deadline != Long.MAX_VALUE) {
            now = Math.max(now, deadline);
        }
    }

    /** Runs until every task has exited; fails with a {@link StuckError} if some sleep forever. */
    public void run() {
        runUntilIdle();
        if (tasks.stream().anyMatch(t -> t.state() != TASK_DEAD)) {
            throw new StuckError(report("deadlock: every task that is left sleeps and no timer is pending")
                    + traceTail());
        }
    }

    private String traceTail() {
        List<TraceEvent> events = trace.events();
        List<TraceEvent> tail = events.subList(Math.max(0, events.size() - 40), events.size());
        return "last " + tail.size() + " trace events:\n" + FtraceFormat.render(tail);
    }

    @Override
    public void close() {
        super.close();
        for (Task t : tasks) {
            if (t.state() != TASK_DEAD) {
                cpu.get(t).release();
            }
        }
    }

    // ---- the tasks' side --------------------------------------------------------------------

    @Override
    void enqueueNew(Task task) {
        cpu.put(task, new Semaphore(0));
        runQueues.enqueueNew(task, Task.current(), now);
    }

    @Override
    void awaitFirstRun(Task task) {
        waitForCpu(task);
    }

    @Override
    void exited(Task task) {
        runQueues.dequeue(task);
        switchFrom(task, false);
    }

    @Override
    void failed(Task task) {
        runQueues.dequeue(task);
        handToController();
    }

    @Override
    public void schedule() {
        Task prev = Task.current();
        int state = prev.state();
        if (state != TASK_RUNNING) {
            if (Sched.signalPendingState(state, prev)) {
                prev.setState(TASK_RUNNING);
            } else {
                runQueues.dequeue(prev);
                prev.countVoluntarySwitch();
                trace.record(prev, TraceEvent.Kind.SLEEP, "sleep", Task.stateName(state), 0, null);
            }
        }
        switchFrom(prev, true);
    }

    @Override
    public long scheduleTimeout(long timeout) {
        if (timeout >= Sched.MAX_SCHEDULE_TIMEOUT - now) {
            schedule();
            return timeout;
        }
        Task current = Task.current();
        long expires = now + timeout;
        Timer timer = new Timer(expires, timerSeq++, current, null);
        timers.add(timer);
        schedule();
        timers.remove(timer);
        return Math.max(0, expires - now);
    }

    @Override
    public void activate(Task p) {
        p.countWakeup();
        trace.record(Trace.context(), TraceEvent.Kind.WAKEUP, "sched_wakeup", null, 0, p);
        runQueues.enqueueWoken(p, Trace.context(), now);
    }

    @Override
    public void preemptionPoint() {
        Task current = Task.current();
        if (current == null || current.scheduler() != this || inScheduler || killed
                || current.preemptCount() != 0 || !runQueues.preempt(current)) {
            return;
        }
        long before = switches;
        switchFrom(current, true);
        if (switches != before) {
            current.countInvoluntarySwitch();
        }
    }

    @Override
    public void spinContended(SpinLock lock) {
        Task current = Task.current();
        Task holder = tasks.stream().filter(t -> t.thread() == lock.owner()).findFirst().orElse(null);
        if (!runQueues.spin(current, holder, lock)) {
            throw new IllegalStateException("BUG: spinlock held by " + lock.holder() + ", which is not on the CPU: "
                    + "a task cannot be switched out while holding a spinlock, so it must have left it locked "
                    + "(an exception or a missing unlock)");
        }
        switchFrom(current, true);
    }

    @Override
    int cpuOfCurrent() {
        return runQueues.cpuOf(Trace.context());
    }

    /**
     * Before {@code task} records an event, every CPU that is earlier in virtual time, and
     * every timer due before it, runs up to it: what they do happened first.
     */
    @Override
    void catchUp(Task task) {
        if (runQueues.clocked() && task.scheduler() == this && task == Task.current() && !inScheduler && !killed
                && (runQueues.otherCpuFirst(task) || timerDue())) {
            switchFrom(task, true);
        }
    }

    /** The CPU of {@code task} spends the traced call's cost. */
    @Override
    void traced(Task task, TraceEvent.Kind kind) {
        if (task.scheduler() == this && task == Task.current() && !inScheduler && !killed
                && runQueues.spend(task, kind)) {
            now = runQueues.clock(task, now);
        }
    }

    private boolean timerDue() {
        return !timers.isEmpty() && timers.peek().expires() <= deadline && runQueues.timerFirst(timers.peek().expires());
    }

    @Override
    public boolean modTimer(TimerList timer, long expires) {
        boolean wasPending = delTimer(timer);
        Timer entry = new Timer(expires, timerSeq++, null, timer);
        kernelTimers.put(timer, entry);
        timers.add(entry);
        timer.setPending(true, expires);
        return wasPending;
    }

    @Override
    public boolean delTimer(TimerList timer) {
        Timer entry = kernelTimers.remove(timer);
        if (entry == null) {
            return false;
        }
        timers.remove(entry);
        timer.setPending(false, 0);
        return true;
    }

    @Override
    public long clock() {
        return now;
    }

    // ---- switching ----------------------------------------------------------------------------

    /**
     * Chooses the next task and hands it the CPU. {@code prev} (null for the controller)
     * keeps running if it is chosen again; otherwise, if {@code prevWaits}, it blocks until
     * it is chosen later.
     */
    private void switchFrom(Task prev, boolean prevWaits) {
        Task next = pickNext(prev);
        if (next != null && next == prev) {
            return;
        }
        if (prev != null) {
            runQueues.switchedOut(prev);
        }
        if (next == null) {
            handToController();
        } else if (++switches - switchesAtRunStart > maxSwitches) {
            fail(new StuckError(report("livelock: " + maxSwitches + " context switches without the run ending")));
            handToController();
        } else {
            cpu.get(next).release();
        }
        if (prevWaits) {
            waitForCpu(prev);
        }
    }

    /**
     * The next runnable task; while there is none, fires the earliest timer, then every
     * kernel timer due by then. Null when idle.
     */
    private Task pickNext(Task prev) {
        inScheduler = true;
        try {
            while (timerDue() && !hasFailed()) {
                Timer timer = timers.poll();
                now = Math.max(now, timer.expires());
                fire(timer);
                while (!timers.isEmpty() && timers.peek().timer() != null && timers.peek().expires() <= now
                        && !hasFailed()) {
                    fire(timers.poll());
                }
            }
            Task next = hasFailed() ? null : runQueues.pickNext(prev);
            if (next != null) {
                now = runQueues.clock(next, now);
            }
            return next;
        } finally {
            inScheduler = false;
        }
    }

    /** Runs a timer in timer context: wakes the sleeping task, or calls the kernel timer's function. */
    private void fire(Timer timer) {
        if (timer.task() != null) {
            Trace.runTimer(() -> Sched.wakeUpProcess(timer.task()));
            return;
        }
        kernelTimers.remove(timer.timer());
        timer.timer().setPending(false, 0);
        try {
            Trace.runTimer(trace, timer.timer().function());
        } catch (TaskKilled killed) {
            throw killed;
        } catch (RuntimeException | Error e) {
            fail(e);
        }
    }

    private void handToController() {
        idle.release();
    }

    private void waitForCpu(Task task) {
        cpu.get(task).acquireUninterruptibly();
        if (killed) {
            throw new TaskKilled();
        }
    }
}
