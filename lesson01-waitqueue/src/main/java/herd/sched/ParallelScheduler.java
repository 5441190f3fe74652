package herd.sched;

import static herd.sched.Task.TASK_DEAD;
import static herd.sched.Task.TASK_RUNNING;

import herd.locking.SpinLock;
import herd.trace.Trace;
import herd.trace.TraceEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Every task on its own thread, all running at once: the scheduler for stress tests and
 * benchmarks. A sleeping task parks until {@code try_to_wake_up} sets it running and
 * unparks it; the park/unpark permit keeps a wake-up that comes before the park.
 * Time is {@link System#nanoTime()}; a {@link TimerList} runs on a timer thread of its own
 * when its time comes, while the tasks run.
 */
public final class ParallelScheduler extends BaseScheduler {
    private final long start = System.nanoTime();
    /** The pending kernel timers and their scheduled runs; the timer thread starts with the first. */
    private final Map<TimerList, Armed> kernelTimers = new HashMap<>();
    private ScheduledThreadPoolExecutor timerThread;

    /** A scheduler without tracing. */
    public ParallelScheduler() {
        this(false);
    }

    /** A scheduler that records a trace if {@code tracing}. */
    public ParallelScheduler(boolean tracing) {
        super(tracing, 0);
    }

    /**
     * Waits until every task has exited; fails with a {@link StuckError} listing the
     * tasks if some are still alive after {@code timeout}, and rethrows the first
     * exception a task threw.
     */
    public void awaitExit(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (Task t : tasks) {
                // does not wait once the deadline has passed (a join of 0 ms would wait forever)
                TimeUnit.NANOSECONDS.timedJoin(t.thread(), deadline - System.nanoTime());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rethrowFailure();
        if (tasks.stream().anyMatch(t -> t.state() != TASK_DEAD)) {
            throw new StuckError(report("tasks still alive after " + timeout.toMillis() + " ms"));
        }
    }

    @Override
    String describeRun() {
        return " (parallel scheduler, " + tasks.size() + " tasks)";
    }

    /** Real threads run on the kernel's CPUs, which the model does not see. */
    @Override
    int cpuOfCurrent() {
        return -1;
    }

    @Override
    void catchUp(Task task) {
        // Every task runs at once, in real time.
    }

    @Override
    void traced(Task task, TraceEvent.Kind kind) {
        // Time is real: the call took what it took.
    }

    @Override
    void enqueueNew(Task task) {
        // A new thread is runnable as soon as it starts.
    }

    @Override
    void awaitFirstRun(Task task) {
        // Nothing to wait for.
    }

    @Override
    void exited(Task task) {
        // The thread ends.
    }

    @Override
    void failed(Task task) {
        // awaitExit rethrows the failure.
    }

    @Override
    public void schedule() {
        sleepUntil(false, 0);
    }

    @Override
    public long scheduleTimeout(long timeout) {
        if (timeout == Sched.MAX_SCHEDULE_TIMEOUT) {
            schedule();
            return timeout;
        }
        long deadline = System.nanoTime() + timeout;
        sleepUntil(true, deadline);
        return Math.max(0, deadline - System.nanoTime());
    }

    /** Parks until the task is set running, or, if {@code timed}, until the timer wakes it at {@code deadline}. */
    private void sleepUntil(boolean timed, long deadline) {
        Task current = Task.current();
        int state = current.state();
        if (state == TASK_RUNNING) {
            Thread.yield();
            return;
        }
        if (Sched.signalPendingState(state, current)) {
            current.setState(TASK_RUNNING);
            return;
        }
        current.countVoluntarySwitch();
        trace.record(current, TraceEvent.Kind.SLEEP, "sleep", Task.stateName(state), 0, null);
        while (current.state() != TASK_RUNNING) {
            if (killed) {
                throw new TaskKilled();
            }
            long left = timed ? deadline - System.nanoTime() : Long.MAX_VALUE;
            if (left <= 0) {
                Trace.runTimer(() -> Sched.wakeUpProcess(current));
            } else {
                // Parks until the deadline (untimed: Long.MAX_VALUE ns, centuries), not for a
                // slice: no wake-up can be lost. Only try_to_wake_up sets another task running, and
                // it unparks the task after (activate); close() unparks every task after setting
                // killed. A task reads its state and killed above, then parks: an unpark in between
                // leaves the permit, and park returns at once. An early return (a spurious
                // wake-up, or a permit left from an earlier wake-up) only goes round the loop.
                LockSupport.parkNanos(this, left);
            }
        }
    }

    @Override
    public void activate(Task p) {
        p.countWakeup();
        trace.record(Trace.context(), TraceEvent.Kind.WAKEUP, "sched_wakeup", null, 0, p);
        LockSupport.unpark(p.thread());
    }

    @Override
    public void preemptionPoint() {
        // The operating system preempts real threads on its own.
    }

    @Override
    public void spinContended(SpinLock lock) {
        if (killed) {
            throw new TaskKilled();
        }
        Thread.yield();
    }

    @Override
    public long clock() {
        return System.nanoTime() - start;
    }

    /** One arming of a kernel timer: its identity and its scheduled run. */
    private record Armed(Object token, ScheduledFuture<?> run) {
    }

    @Override
    public synchronized boolean modTimer(TimerList timer, long expires) {
        boolean wasPending = delTimer(timer);
        if (!killed) { // a closed scheduler arms no timer
            if (timerThread == null) {
                timerThread = new ScheduledThreadPoolExecutor(1, r -> {
                    Thread t = new Thread(r, "ktimer");
                    t.setDaemon(true);
                    return t;
                });
                timerThread.setRemoveOnCancelPolicy(true);
            }
            timer.setPending(true, expires);
            Object token = new Object();
            kernelTimers.put(timer, new Armed(token, timerThread.schedule(() -> run(timer, token),
                    Math.max(0, expires - clock()), TimeUnit.NANOSECONDS)));
        }
        return wasPending;
    }

    /** The runs queued on the timer thread, deleted timers' included unless taken off: for tests. */
    synchronized int timerQueueLength() {
        return timerThread == null ? 0 : timerThread.getQueue().size();
    }

    @Override
    public synchronized boolean delTimer(TimerList timer) {
        Armed armed = kernelTimers.remove(timer);
        if (armed == null) {
            return false;
        }
        armed.run().cancel(false);
        timer.setPending(false, 0);
        return true;
    }

    /** The timer thread's side: unless it was deleted or moved meanwhile, the timer's function, in timer context. */
    private void run(TimerList timer, Object token) {
        synchronized (this) {
            Armed armed = kernelTimers.get(timer);
            if (armed == null || armed.token() != token) {
                return;
            }
            kernelTimers.remove(timer);
            timer.setPending(false, 0);
        }
        try {
            Trace.runTimer(trace, timer.function());
        } catch (RuntimeException | Error e) {
            fail(e);
        }
    }

    @Override
    public void close() {
        super.close();
        synchronized (this) {
            if (timerThread != null) {
                timerThread.shutdownNow();
            }
            kernelTimers.clear();
        }
        tasks.forEach(t -> LockSupport.unpark(t.thread()));
    }
}
