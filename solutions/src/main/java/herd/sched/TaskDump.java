package herd.sched;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The per-task lines of a stuck-run report: pid, name, state and where the task is in the code. */
final class TaskDump {
    private static final int FRAMES = 3;
    /** The scheduler's own classes, whose frames say nothing about where a task is. */
    private static final Set<String> SCHEDULER = Set.of("herd.sched.Sched", "herd.sched.Task",
            "herd.sched.BaseScheduler", "herd.sched.DeterministicScheduler", "herd.sched.ParallelScheduler",
            "herd.sched.SmpRunQueues", "herd.trace.Trace");

    private TaskDump() {
    }

    static String of(List<Task> tasks) {
        StringBuilder out = new StringBuilder();
        for (Task t : tasks) {
            out.append(String.format("  pid %-5d %-14s %-20s %s%n", t.pid(), t.comm(), Task.stateName(t.state()),
                    t.state() == Task.TASK_DEAD ? "" : where(t)));
        }
        return out.toString();
    }

    /** The innermost frames of the task's thread outside the JDK and the scheduler itself. */
    private static String where(Task t) {
        Thread thread = t.thread();
        if (thread == null) {
            return "";
        }
        String frames = Arrays.stream(thread.getStackTrace())
                .filter(f -> !f.getClassName().startsWith("java.") && !f.getClassName().startsWith("jdk.")
                        && !f.getClassName().startsWith("sun.") && !isScheduler(f.getClassName()))
                .limit(FRAMES)
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName()
                        + "(" + f.getFileName() + ":" + f.getLineNumber() + ")")
                .collect(Collectors.joining(" <- "));
        return frames.isEmpty() ? "" : "in " + frames;
    }

    private static boolean isScheduler(String className) {
        int nested = className.indexOf('$');
        return SCHEDULER.contains(nested < 0 ? className : className.substring(0, nested));
    }
}
