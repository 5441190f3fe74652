package herd.course.kit;

import herd.sched.Scheduler;
import herd.trace.StraceFormat;
import herd.trace.TraceEvent;
import java.util.List;

/** Traces as text: rendered lines, and the strace of a run, whole or one task's. */
public final class Traces {
    private Traces() {
    }

    /** {@code lines}, each ended by a newline, as a rendered trace is. */
    public static String lines(String... lines) {
        return String.join("\n", lines) + "\n";
    }

    /** The strace lines of everything {@code sched} ran so far, each with its {@code [pid N]} prefix. */
    public static List<String> strace(Scheduler sched) {
        return StraceFormat.render(sched.trace().events()).lines().toList();
    }

    /**
     * The syscalls of task {@code pid} in {@code events} as {@code strace -p pid} shows them,
     * one whole line per call (no {@code [pid N]} prefix, no resumption): the call still in
     * progress ends with {@code <unfinished ...>}.
     */
    public static List<String> strace(List<TraceEvent> events, int pid) {
        String rendered = StraceFormat.render(events.stream().filter(e -> e.pid() == pid).toList());
        return rendered.lines().map(line -> line.substring(line.indexOf("] ") + 2)).toList();
    }

    /** {@link #strace(List, int)} of the whole run of {@code sched}. */
    public static List<String> strace(Scheduler sched, int pid) {
        return strace(sched.trace().events(), pid);
    }

    /** The lines of {@code lines} that start with {@code prefix}. */
    public static List<String> starting(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).toList();
    }

    /**
     * What task {@code pid} did since {@code before} (its strace lines then): the call it was
     * in, now complete, and every call after it.
     */
    public static List<String> since(List<String> before, Scheduler sched, int pid) {
        List<String> now = strace(sched, pid);
        return now.subList(before.size() - 1, now.size());
    }
}
