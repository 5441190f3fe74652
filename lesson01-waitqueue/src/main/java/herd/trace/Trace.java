package herd.trace;

import herd.sched.Task;
import herd.sched.TaskThread;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The event log of one scheduler's run, in the order events happened. Kernel code
 * records into the current task's trace through {@link Ftrace} and {@link Strace};
 * the formats render it as strace lines, an ftrace function graph or a Mermaid diagram.
 *
 * <p>Events are stamped with the trace's own clock: the scheduler's clock, plus a fixed
 * cost for every traced call (a kernel function or a syscall entered). The deterministic
 * scheduler's virtual clock only moves while every task sleeps, so without that cost a
 * whole wake-up would happen at one instant; with it the time moves on as the CPU works,
 * and ten callbacks take ten times as long as one. Only the trace sees this time: the
 * scheduler's clock, and so every timeout, is not moved by it.
 *
 * <p>A scheduler with several CPUs ({@code DeterministicScheduler.smp}) moves its own
 * clocks instead: each event carries the CPU it ran on ({@link TraceEvent#cpu()}), CPUs
 * that are earlier in virtual time run before a task records ({@link Cpus#reach}), and each
 * traced call is reported to the scheduler ({@link Cpus#called}), whose CPU spends the
 * call's cost in virtual time.
 */
public final class Trace {
    /** The cost of one traced call in the deterministic scheduler's traces: 1 µs. */
    public static final long CALL_COST_NS = 1_000;

    private volatile boolean enabled;
    /**
     * Like the static key of a tracepoint: false until some trace of this JVM records, so
     * that while none does (the parallel scheduler's default) a traced kernel function
     * costs one read, not a look-up of the current task's trace.
     */
    private static volatile boolean anyEnabled;
    private final LongSupplier clock;
    private final long callCost;
    private final Cpus cpus;
    /**
     * The events a trace keeps, like ftrace's ring buffer has a size: a task that loops
     * forever (a wrong exercise, until its test times out) must not fill the memory.
     * Later events are counted as lost; the first ones, where a run goes wrong, stay.
     */
    public static final int MAX_EVENTS = 1_000_000;
    private final List<TraceEvent> events = new ArrayList<>();
    /** Events not kept once the trace was full; guarded by {@link #events}. */
    private long lost;
    /** The trace clock: the time of the next event, at least; guarded by {@link #events}. */
    private long next;

    /** A trace that records when {@code enabled}, stamping events with {@code clock} as it is. */
    public Trace(boolean enabled, LongSupplier clock) {
        this(enabled, clock, 0);
    }

    /**
     * A trace that records when {@code enabled}, stamping events with {@code clock}, each
     * traced call costing {@code callCost} ns more on the trace's clock.
     */
    public Trace(boolean enabled, LongSupplier clock, long callCost) {
        this(enabled, clock, callCost, Cpus.ONE);
    }

    /**
     * A trace that records when {@code enabled}, stamping events with {@code clock} and
     * the CPU {@code cpus} names, each traced call costing {@code callCost} ns more on the
     * trace's clock and reported to {@code cpus}.
     */
    public Trace(boolean enabled, LongSupplier clock, long callCost, Cpus cpus) {
        this.clock = clock;
        tracingOn(enabled);
        this.callCost = callCost;
        this.cpus = cpus;
    }

    /** The CPUs a trace's events run on, as the scheduler sees them. */
    public interface Cpus {
        /** One CPU, number 0, whose calls cost nothing but the trace's own call cost. */
        Cpus ONE = new Cpus() {
            @Override
            public int current() {
                return 0;
            }

            @Override
            public void reach(Task task) {
            }

            @Override
            public void called(Task task, TraceEvent.Kind kind) {
            }
        };

        /** {@code smp_processor_id()}: the CPU of the context that records, -1 if unknown. */
        int current();

        /**
         * {@code task} is about to record an event: the scheduler may first let CPUs that are
         * earlier in virtual time run up to it, so that the trace stays in time order.
         */
        void reach(Task task);

        /**
         * {@code task} made a traced call of {@code kind} (a kernel function or a syscall
         * entered), its event recorded: its CPU spends the call's cost.
         */
        void called(Task task, TraceEvent.Kind kind);
    }

    /** True if events are recorded. */
    public boolean enabled() {
        return enabled;
    }

    /**
     * {@code echo 1 > tracing_on} (or 0): starts or stops recording; the events so far
     * stay. A long run that only needs its counters turns it off.
     */
    public void tracingOn(boolean on) {
        enabled = on;
        if (on) {
            anyEnabled = true;
        }
    }

    /**
     * Runs a timer's callback: it interrupts whatever task is on the CPU, so what it
     * records belongs to no task ({@code <idle>-0}), and kernel functions it calls are
     * not traced as calls of that task.
     */
    public static void runTimer(Runnable callback) {
        runTimer(null, callback);
    }

    /**
     * Runs a kernel timer's function ({@code struct timer_list}) in timer context, with the
     * kernel functions it calls traced into {@code trace} as {@code <idle>-0}'s.
     */
    public static void runTimer(Trace trace, Runnable callback) {
        TaskThread.runTimer(trace, callback);
    }

    /** The task events are recorded for: the current task, or null in a timer. */
    public static Task context() {
        Task current = Task.current();
        return current == null || TaskThread.inTimer() ? null : current;
    }

    /** The trace of the current task (or of the running kernel timer), or null outside a task or when it is off. */
    static Trace ofCurrent() {
        if (!anyEnabled) {
            return null;
        }
        Trace trace;
        if (TaskThread.inTimer()) {
            trace = TaskThread.timerTrace();
        } else {
            Task current = Task.current();
            trace = current == null ? null : current.scheduler().trace();
        }
        return trace != null && trace.enabled ? trace : null;
    }

    /** Records an event of {@code task} (null for the idle/timer context). */
    public void record(Task task, TraceEvent.Kind kind, String name, String detail, long ret, Task peer) {
        if (!enabled) {
            return;
        }
        if (task != null) {
            cpus.reach(task);
        }
        long now = clock.getAsLong();
        int cpu = cpus.current();
        boolean call = kind == TraceEvent.Kind.FUNC_ENTRY || kind == TraceEvent.Kind.SYSCALL_ENTER;
        synchronized (events) {
            long time = Math.max(now, next);
            next = call ? time + callCost : time;
            if (events.size() < MAX_EVENTS) {
                events.add(new TraceEvent(time, task == null ? 0 : task.pid(), task == null ? "<idle>" : task.comm(),
                        kind, name, detail, ret, peer == null ? null : peer.toString(), cpu));
            } else {
                lost++;
            }
        }
        if (call && task != null) {
            cpus.called(task, kind);
        }
    }

    /** A free-form mark in the current task's trace, shown by every format. */
    public static void mark(String text) {
        Trace trace = ofCurrent();
        if (trace != null) {
            trace.record(context(), TraceEvent.Kind.MARK, "mark", text, 0, null);
        }
    }

    /** The events recorded after the trace was full ({@value #MAX_EVENTS}), as ftrace counts its overruns. */
    public long lost() {
        synchronized (events) {
            return lost;
        }
    }

    /** A copy of the events so far. */
    public List<TraceEvent> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }
}
