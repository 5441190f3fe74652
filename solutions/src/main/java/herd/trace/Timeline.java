package herd.trace;

import herd.uapi.Errno;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A run laid out in time, to look at: a lane per task, the calls each task made as bars
 * (its syscalls; outside a syscall, its outermost traced kernel function), the times it
 * slept, the wake-ups as arrows from the waker to the woken, and the marks. A wake-up is
 * <em>hidden</em> when the woken task sleeps again before the call it slept in returns:
 * the herd's loser that finds nothing inside {@code epoll_wait}. {@link TimelineSvg} draws
 * it, {@link TraceEventJson} writes it for Perfetto and {@code chrome://tracing}.
 *
 * <p>A lane is only a name and an id, and everything else names its lane by index, so a
 * run can have lanes of any kind: tasks here, a real kernel's threads in lesson 5's
 * cross-check, and a lane per CPU for runs that record which CPU each event ran on.
 *
 * @param title  what the run shows
 * @param clock  what the time axis measures
 * @param start  the first instant shown (ns)
 * @param end    the last instant shown (ns)
 * @param lanes  the lanes, top to bottom
 * @param bars   the calls
 * @param sleeps the times a lane's task slept
 * @param wakes  the wake-ups
 * @param marks  free-form marks
 */
public record Timeline(String title, String clock, long start, long end, List<Lane> lanes, List<Bar> bars,
                       List<Sleep> sleeps, List<Wake> wakes, List<Mark> marks) {
    /** What the deterministic scheduler's traces measure. */
    public static final String TRACE_CLOCK = "trace clock: virtual time, each traced call 1 µs";

    /** A lane: a task ({@code comm-pid}, id the pid), a thread, or a CPU. */
    public record Lane(String name, long id) {
    }

    /**
     * A call: {@code name} from {@code start} to {@code end}; {@code result} as strace prints it
     * (null: a kernel function, or a call still running); {@code cut} if it began before the
     * timeline's start or had not returned by its end.
     */
    public record Bar(int lane, long start, long end, String name, String result, boolean failed, boolean cut) {
    }

    /** A lane's task asleep from {@code start} to {@code end}. */
    public record Sleep(int lane, long start, long end) {
    }

    /** A wake-up of lane {@code to} by lane {@code from}; {@code in} is the call it woke in (null: none). */
    public record Wake(long time, int from, int to, boolean hidden, String in) {
    }

    /** A mark on a lane. */
    public record Mark(int lane, long time, String text) {
    }

    /** The timeline of a whole trace. */
    public static Timeline of(String title, List<TraceEvent> events) {
        return of(title, events, 0);
    }

    /**
     * The timeline of {@code events} from index {@code from} on: the events before it only
     * tell which calls and sleeps were under way when the timeline starts.
     */
    public static Timeline of(String title, List<TraceEvent> events, int from) {
        return of(title, events, from, task -> false);
    }

    /**
     * The same, with a lane also for each task that {@code alsoShown} accepts ({@code comm-pid})
     * although it does nothing in the timeline: a worker asleep throughout, not woken.
     */
    public static Timeline of(String title, List<TraceEvent> events, int from, Predicate<String> alsoShown) {
        return new Builder(events, from).build(title, alsoShown);
    }

    /** Reads a trace into lanes, bars, sleeps and wake-ups; lanes are named by task until {@link #build}. */
    private static final class Builder {
        /** What a task is doing while the trace is read. */
        private static final class TaskState {
            String call;
            long callStart;
            boolean syscall;
            int depth;
            long asleepSince = -1;
            final List<Integer> wakesInCall = new ArrayList<>();
        }

        private record RawBar(String task, long start, long end, String name, String result, boolean failed,
                              boolean cut) {
        }

        private record RawSleep(String task, long start, long end) {
        }

        private record RawMark(String task, long time, String text) {
        }

        /** A wake-up; {@code hidden} is set when the woken task sleeps again inside the same call. */
        private static final class RawWake {
            final long time;
            final String from;
            final String to;
            final String in;
            boolean hidden;

            RawWake(long time, String from, String to, String in) {
                this.time = time;
                this.from = from;
                this.to = to;
                this.in = in;
            }
        }

        private final List<TraceEvent> events;
        private final int from;
        private final long start;
        private final long end;
        private final Map<String, TaskState> tasks = new HashMap<>();
        private final Map<String, Long> pids = new HashMap<>();
        private final Set<String> shown = new LinkedHashSet<>();
        private final List<RawBar> bars = new ArrayList<>();
        private final List<RawSleep> sleeps = new ArrayList<>();
        private final List<RawWake> wakes = new ArrayList<>();
        private final List<RawMark> marks = new ArrayList<>();

        Builder(List<TraceEvent> events, int from) {
            this.events = events;
            this.from = from;
            this.start = from < events.size() ? events.get(from).time() : 0;
            this.end = events.isEmpty() ? start + Trace.CALL_COST_NS
                    : Math.max(start, events.get(events.size() - 1).time()) + Trace.CALL_COST_NS;
        }

        Timeline build(String title, Predicate<String> alsoShown) {
            for (int i = 0; i < events.size(); i++) {
                read(events.get(i), i >= from);
            }
            tasks.keySet().stream().filter(alsoShown).sorted().forEach(shown::add);
            for (String task : shown) {
                TaskState s = state(task);
                if (s.call != null) {
                    bars.add(new RawBar(task, Math.max(start, s.callStart), end, s.call, null, false, true));
                }
                if (s.asleepSince >= 0) {
                    sleeps.add(new RawSleep(task, Math.max(start, s.asleepSince), end));
                }
            }
            List<String> order = shown.stream()
                    .sorted(Comparator.comparing((String t) -> pids.get(t) == 0).thenComparing(pids::get)).toList();
            List<Lane> lanes = order.stream().map(t -> new Lane(t, pids.get(t))).toList();
            return new Timeline(title, TRACE_CLOCK, start, end, lanes,
                    bars.stream().map(b -> new Bar(order.indexOf(b.task()), b.start(), b.end(), b.name(), b.result(),
                            b.failed(), b.cut())).toList(),
                    sleeps.stream().map(s -> new Sleep(order.indexOf(s.task()), s.start(), s.end())).toList(),
                    wakes.stream().map(w -> new Wake(w.time, order.indexOf(w.from), order.indexOf(w.to), w.hidden, w.in))
                            .toList(),
                    marks.stream().map(m -> new Mark(order.indexOf(m.task()), m.time(), m.text())).toList());
        }

        private TaskState state(String task) {
            return tasks.computeIfAbsent(task, k -> new TaskState());
        }

        private void read(TraceEvent e, boolean shownPart) {
            String task = e.task();
            pids.put(task, (long) e.pid());
            if (shownPart) {
                shown.add(task);
            }
            TaskState s = state(task);
            long t = e.time();
            switch (e.kind()) {
                case SYSCALL_ENTER -> open(s, e.name(), t, true);
                case SYSCALL_EXIT -> close(task, s, t, StraceFormat.result(e.ret()), Errno.isError(e.ret()), shownPart);
                case FUNC_ENTRY -> {
                    if (!s.syscall) {
                        if (s.depth == 0) {
                            open(s, e.name(), t, false);
                        }
                        s.depth++;
                    }
                }
                case FUNC_EXIT -> {
                    if (!s.syscall && s.depth > 0 && --s.depth == 0) {
                        close(task, s, t, null, false, shownPart);
                    }
                }
                case SLEEP -> {
                    s.asleepSince = t;
                    s.wakesInCall.forEach(w -> wakes.get(w).hidden = true);
                    s.wakesInCall.clear();
                }
                case WAKEUP -> wake(task, e.peer(), t, shownPart);
                case MARK -> {
                    if (shownPart) {
                        marks.add(new RawMark(task, t, e.detail()));
                    }
                }
                case EXIT -> {
                }
            }
        }

        private static void open(TaskState s, String name, long t, boolean syscall) {
            s.call = name;
            s.callStart = t;
            s.syscall = syscall;
            s.wakesInCall.clear();
        }

        private void close(String task, TaskState s, long t, String result, boolean failed, boolean shownPart) {
            if (shownPart && s.call != null) {
                bars.add(new RawBar(task, Math.max(start, s.callStart), t, s.call, result, failed, s.callStart < start));
            }
            s.call = null;
            s.syscall = false;
            s.wakesInCall.clear();
        }

        private void wake(String waker, String woken, long t, boolean shownPart) {
            pids.putIfAbsent(woken, Long.parseLong(woken.substring(woken.lastIndexOf('-') + 1)));
            TaskState s = state(woken);
            if (shownPart && s.asleepSince >= 0) {
                sleeps.add(new RawSleep(woken, Math.max(start, s.asleepSince), t));
            }
            s.asleepSince = -1;
            if (shownPart) {
                shown.add(woken);
                wakes.add(new RawWake(t, waker, woken, s.call));
                if (s.call != null) {
                    s.wakesInCall.add(wakes.size() - 1);
                }
            }
        }
    }
}
