package herd.fix.demo;

import herd.nginx.WorkerCounters;
import herd.sched.Task;
import java.util.List;

/** A server's workers, once started: their counters, and their tasks once they run. */
public interface Workers {
    /** Each worker's counters now, in worker order. */
    List<WorkerCounters> counters();

    /** Each worker's task, in worker order (null for one that has not run yet). */
    List<Task> tasks();
}
