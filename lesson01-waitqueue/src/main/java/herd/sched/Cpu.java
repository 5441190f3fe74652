package herd.sched;

import java.util.ArrayDeque;

/**
 * One virtual CPU of {@link SmpRunQueues} ({@code struct rq}): its clock, the task on it
 * ({@code rq->curr}), and the runnable tasks waiting for it in the order they were queued.
 */
final class Cpu {
    /** {@code cpu_of(rq)}. */
    final int id;
    /** This CPU's virtual time (ns): how far it has run. */
    long clock;
    /** The task on this CPU, null when it runs the idle task. */
    Task curr;
    /** When {@link #curr} was picked: the start of its slice. */
    long pickedAt;
    /** The runnable tasks waiting for this CPU. */
    final ArrayDeque<Task> queue = new ArrayDeque<>();

    Cpu(int id) {
        this.id = id;
    }

    /** {@code available_idle_cpu()}: nothing on it and nothing queued. */
    boolean idle() {
        return curr == null && queue.isEmpty();
    }

    /** {@code rq->nr_running}. */
    int nrRunning() {
        return queue.size() + (curr == null ? 0 : 1);
    }
}
