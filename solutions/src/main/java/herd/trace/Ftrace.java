package herd.trace;

import herd.sched.Task;

/**
 * A kernel function's entry and exit in the trace, as ftrace's function_graph tracer
 * records them: {@code try (var fn = Ftrace.enter("__wake_up_common")) { ... }}.
 */
public final class Ftrace implements AutoCloseable {
    private static final Ftrace OFF = new Ftrace(null, null, null);

    private final Trace trace;
    private final Task task;
    private final String function;

    private Ftrace(Trace trace, Task task, String function) {
        this.trace = trace;
        this.task = task;
        this.function = function;
    }

    /** Records the entry of {@code function} for the current task. */
    public static Ftrace enter(String function) {
        Trace trace = Trace.ofCurrent();
        if (trace == null) {
            return OFF;
        }
        Task task = Trace.context();
        trace.record(task, TraceEvent.Kind.FUNC_ENTRY, function, null, 0, null);
        return new Ftrace(trace, task, function);
    }

    /** Records the function's exit. */
    @Override
    public void close() {
        if (trace != null) {
            trace.record(task, TraceEvent.Kind.FUNC_EXIT, function, null, 0, null);
        }
    }
}
