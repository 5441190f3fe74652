package herd.sched;

/** Unwinds a task whose scheduler was closed while the task was still alive. */
final class TaskKilled extends Error {
    private static final long serialVersionUID = 1L;

    TaskKilled() {
        super("task killed: its scheduler was closed", null, false, false);
    }
}
