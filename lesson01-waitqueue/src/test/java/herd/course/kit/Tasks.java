package herd.course.kit;

import static org.assertj.core.api.Assertions.assertThat;

import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.sched.Task;

/** Running code as a task, tasks asleep, and task states by name. */
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

    /**
     * Spawns a task {@code comm} that sleeps in {@code state} (sets it and calls
     * {@code schedule()}) and runs {@code sched} until it sleeps; fails unless it is asleep.
     */
    public static Task sleeper(DeterministicScheduler sched, String comm, int state) {
        Task task = sched.spawn(comm, () -> {
            Sched.setCurrentState(state);
            Sched.schedule();
        });
        sched.runUntilIdle();
        assertThat(stateOf(task))
                .as("setup: %s set %s and called schedule(), so it must be asleep", task, Task.stateName(state))
                .isEqualTo(Task.stateName(state));
        return task;
    }

    /** True once {@code t} has exited. */
    public static boolean exited(Task t) {
        return t.state() == Task.TASK_DEAD;
    }
}
