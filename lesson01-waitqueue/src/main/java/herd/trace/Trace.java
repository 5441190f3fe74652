package herd.trace;

import herd.sched.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The event log of one scheduler's run, in the order events happened. Kernel code
 * records into the current task's trace through {@link Ftrace} and {@link Strace};
 * the formats render it as strace lines, an ftrace function graph or a Mermaid diagram.
 */
public final class Trace {
    private final boolean enabled;
    private final LongSupplier clock;
    private final List<TraceEvent> events = new ArrayList<>();

    /** A trace that records when {@code enabled}, stamping events with {@code clock}. */
    public Trace(boolean enabled, LongSupplier clock) {
        this.enabled = enabled;
        this.clock = clock;
    }

    /** True if events are recorded. */
    public boolean enabled() {
        return enabled;
    }

    private static final ThreadLocal<Boolean> IN_TIMER = ThreadLocal.withInitial(() -> false);

    /**
     * Runs a timer's callback: it interrupts whatever task is on the CPU, so what it
     * records belongs to no task ({@code <idle>-0}), and kernel functions it calls are
     * not traced as calls of that task.
     */
    public static void runTimer(Runnable callback) {
        IN_TIMER.set(true);
        try {
            callback.run();
        } finally {
            IN_TIMER.set(false);
        }
    }

    /** The task events are recorded for: the current task, or null in a timer. */
    public static Task context() {
        return IN_TIMER.get() ? null : Task.current();
    }

    /** The trace of the current task, or null outside a task, in a timer or when it is off. */
    static Trace ofCurrent() {
        Task current = context();
        if (current == null) {
            return null;
        }
        Trace trace = current.scheduler().trace();
        return trace.enabled ? trace : null;
    }

    /** Records an event of {@code task} (null for the idle/timer context). */
    public void record(Task task, TraceEvent.Kind kind, String name, String detail, long ret, Task peer) {
        if (!enabled) {
            return;
        }
        TraceEvent event = new TraceEvent(clock.getAsLong(), task == null ? 0 : task.pid(),
                task == null ? "<idle>" : task.comm(), kind, name, detail, ret,
                peer == null ? null : peer.toString());
        synchronized (events) {
            events.add(event);
        }
    }

    /** A free-form mark in the current task's trace, shown by every format. */
    public static void mark(String text) {
        Trace trace = ofCurrent();
        if (trace != null) {
            trace.record(Task.current(), TraceEvent.Kind.MARK, "mark", text, 0, null);
        }
    }

    /** A copy of the events so far. */
    public List<TraceEvent> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }
}
