package herd.course.kit;

import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.sched.Task;

/** Running code as a task, and task states by name. */
public final class Tasks {
    private Tasks() {
    }

    /** Runs {@code body} as the only task, to its end; rethrows what it threw (a failed assertion). */
    public static void inTask(Runnable body) {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            sched.spawn("task", body);
            sched.run();
        }
    }

    /** The current task's state, by name: {@code "TASK_INTERRUPTIBLE"}. */
    public static String currentState() {
        return Task.stateName(Sched.current().state());
    }

    /** {@code t}'s state, by name: {@code "TASK_INTERRUPTIBLE"}. */
    public static String stateOf(Task t) {
        return Task.stateName(t.state());
    }

    /** True once {@code t} has exited. */
    public static boolean exited(Task t) {
        return t.state() == Task.TASK_DEAD;
    }
}
