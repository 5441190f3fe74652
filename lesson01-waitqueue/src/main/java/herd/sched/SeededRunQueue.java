package herd.sched;

import static herd.sched.Task.TASK_DEAD;

import herd.locking.SpinLock;
import herd.trace.TraceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One CPU and one run queue whose every choice comes from the seed: the next task is drawn
 * from the runnable ones (the task on the CPU among them), and at each preemption point
 * the running task is preempted with a fixed probability. It explores interleavings rather
 * than following the kernel's policy, which is what the exercise tests want. Virtual time
 * moves only by timers.
 */
final class SeededRunQueue implements RunQueues {
    private final Random random;
    private final double preemptProbability;
    private final List<Task> runQueue = new ArrayList<>();

    SeededRunQueue(Random random, double preemptProbability) {
        if (preemptProbability < 0 || preemptProbability > 1) {
            throw new IllegalArgumentException("preemption probability must be in [0, 1]: " + preemptProbability);
        }
        this.random = random;
        this.preemptProbability = preemptProbability;
    }

    @Override
    public void enqueueNew(Task task, Task parent, long now) {
        runQueue.add(task);
    }

    @Override
    public void enqueueWoken(Task p, Task waker, long now) {
        if (p.state() != TASK_DEAD && !runQueue.contains(p)) {
            runQueue.add(p);
        }
    }

    @Override
    public void dequeue(Task task) {
        runQueue.remove(task);
    }

    @Override
    public boolean timerFirst(long expires) {
        return runQueue.isEmpty();
    }

    @Override
    public Task pickNext(Task prev) {
        return runQueue.isEmpty() ? null : runQueue.get(random.nextInt(runQueue.size()));
    }

    @Override
    public void switchedOut(Task prev) {
        if (runQueue.remove(prev)) {
            runQueue.add(prev);
        }
    }

    @Override
    public long clock(Task running, long now) {
        return now;
    }

    @Override
    public boolean preempt(Task current) {
        return preemptProbability != 0 && random.nextDouble() < preemptProbability;
    }

    @Override
    public boolean spend(Task current, TraceEvent.Kind kind) {
        return false;
    }

    @Override
    public boolean clocked() {
        return false;
    }

    @Override
    public boolean otherCpuFirst(Task current) {
        return false;
    }

    /** On one CPU a holder is never switched out while it holds a spinlock: a contended one was left locked. */
    @Override
    public boolean spin(Task current, Task holder, SpinLock lock) {
        return false;
    }

    @Override
    public int cpuOf(Task task) {
        return 0;
    }

    @Override
    public int cpus() {
        return 1;
    }
}
