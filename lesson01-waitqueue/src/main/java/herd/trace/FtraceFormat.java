package herd.trace;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a trace as ftrace's function_graph tracer with the {@code funcgraph-proc}
 * and {@code funcgraph-abstime} options: time, task and the nested calls, a leaf call
 * as {@code fn();}, events as comments and syscalls as their strace text.
 */
public final class FtraceFormat {
    private static final String HEADER = """
            # tracer: function_graph
            #
            #     TIME        TASK/PID          FUNCTION CALLS
            #      |           |    |            |   |   |   |
            """;

    private FtraceFormat() {
    }

    /** The function graph of {@code events}. */
    public static String render(List<TraceEvent> events) {
        StringBuilder out = new StringBuilder(HEADER);
        Map<Integer, Integer> depth = new HashMap<>();
        String lastTask = null;
        for (int i = 0; i < events.size(); i++) {
            TraceEvent e = events.get(i);
            if (lastTask != null && !lastTask.equals(e.task())) {
                out.append(" ------------------------------------------\n")
                        .append(String.format("  %s => %s%n", lastTask, e.task()))
                        .append(" ------------------------------------------\n");
            }
            lastTask = e.task();
            int d = depth.getOrDefault(e.pid(), 0);
            switch (e.kind()) {
                case FUNC_ENTRY -> {
                    TraceEvent next = i + 1 < events.size() ? events.get(i + 1) : null;
                    if (next != null && next.kind() == TraceEvent.Kind.FUNC_EXIT && next.pid() == e.pid()
                            && next.name().equals(e.name())) {
                        line(out, e, d, e.name() + "();");
                        i++;
                    } else {
                        line(out, e, d, e.name() + "() {");
                        depth.put(e.pid(), d + 1);
                    }
                }
                case FUNC_EXIT -> {
                    depth.put(e.pid(), Math.max(0, d - 1));
                    line(out, e, Math.max(0, d - 1), "}");
                }
                case SYSCALL_ENTER -> line(out, e, d, "/* sys_enter: " + e.name() + "(" + e.detail().replaceAll(",\\s*$", "") + ") */");
                case SYSCALL_EXIT -> line(out, e, d, "/* sys_exit: " + e.name() + " = "
                        + StraceFormat.result(e.ret()) + " */");
                case WAKEUP -> line(out, e, d, "/* sched_wakeup: " + e.peer() + " */");
                case SLEEP -> line(out, e, d, "/* sched_switch: prev_state=" + e.detail() + " */");
                case EXIT -> line(out, e, d, "/* sched_process_exit */");
                case MARK -> line(out, e, d, "/* " + e.detail() + " */");
            }
        }
        return out.toString();
    }

    private static void line(StringBuilder out, TraceEvent e, int depth, String text) {
        out.append(String.format("%6d.%06d | %16s | %s%s%n", e.time() / 1_000_000_000L,
                (e.time() / 1_000) % 1_000_000, e.task(), "  ".repeat(depth + 1), text));
    }
}
