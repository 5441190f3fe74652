package herd.sched;

import static herd.sched.Task.TASK_DEAD;

import herd.trace.Trace;
import herd.trace.TraceEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** What both schedulers share: tasks on daemon threads, pids, the trace, and the first failure of a run. */
abstract class BaseScheduler implements Scheduler, AutoCloseable {
    private final AtomicInteger nextPid = new AtomicInteger(100);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    final List<Task> tasks = new CopyOnWriteArrayList<>();
    final Trace trace;
    volatile boolean killed;

    BaseScheduler(boolean tracing, long traceCallCost) {
        this.trace = new Trace(tracing, this::clock, traceCallCost, new Trace.Cpus() {
            @Override
            public int current() {
                return cpuOfCurrent();
            }

            @Override
            public void reach(Task task) {
                catchUp(task);
            }

            @Override
            public void called(Task task, TraceEvent.Kind kind) {
                traced(task, kind);
            }
        });
    }

    /** {@code smp_processor_id()} of the calling context, for the trace; -1 if the scheduler does not know. */
    abstract int cpuOfCurrent();

    /** {@code task} is about to record an event: CPUs earlier in virtual time may run first. */
    abstract void catchUp(Task task);

    /** {@code task} made a traced call of {@code kind}: the scheduler may make its CPU spend time on it. */
    abstract void traced(Task task, TraceEvent.Kind kind);

    /** Pids of tasks spawned from now on start at {@code pid} (the demo matches a real log with it). */
    public void pidsFrom(int pid) {
        nextPid.set(pid);
    }

    @Override
    public final Task spawn(String comm, Consumer<Task> attach, Runnable body) {
        Task task = new Task(nextPid.getAndIncrement(), comm, this);
        Thread thread = new TaskThread(task, () -> taskMain(task, body));
        task.setThread(thread);
        tasks.add(task);
        attach.accept(task); // copy_process: the new task joins its process before anything can run it
        enqueueNew(task);
        thread.start();
        return task;
    }

    private void taskMain(Task task, Runnable body) {
        try {
            awaitFirstRun(task);
            body.run();
            task.setState(TASK_DEAD);
            trace.record(task, TraceEvent.Kind.EXIT, "exit", null, 0, null);
            exited(task);
        } catch (TaskKilled killed) {
            task.setState(TASK_DEAD);
        } catch (Throwable t) {
            task.setState(TASK_DEAD);
            if (failure.compareAndSet(null, t)) {
                t.addSuppressed(new RunContext("in task " + task + describeRun()));
            }
            failed(task);
        }
    }

    /** Puts a new task where the scheduler will find it. */
    abstract void enqueueNew(Task task);

    /** Blocks a new task's thread until the scheduler first runs it. */
    abstract void awaitFirstRun(Task task);

    /** The task's body returned. */
    abstract void exited(Task task);

    /** The task's body threw; the failure is recorded. */
    abstract void failed(Task task);

    /** Where to find this run again, for failure reports (the seed of a deterministic run). */
    abstract String describeRun();

    /** Rethrows the first failure of a task, if any. */
    final void rethrowFailure() {
        Throwable t = failure.get();
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    final boolean hasFailed() {
        return failure.get() != null;
    }

    final void fail(Throwable t) {
        failure.compareAndSet(null, t);
    }

    /** The tasks spawned so far, in spawn order. */
    public final List<Task> tasks() {
        return List.copyOf(tasks);
    }

    @Override
    public final Trace trace() {
        return trace;
    }

    final String report(String what) {
        return what + describeRun() + "\n" + TaskDump.of(tasks);
    }

    /** Tasks still alive are unwound when they next reach the scheduler. */
    @Override
    public void close() {
        killed = true;
    }

    /** Context added to a task's failure: which task, which seed. */
    static final class RunContext extends Exception {
        private static final long serialVersionUID = 1L;

        RunContext(String message) {
            super(message, null, false, false);
        }
    }
}
