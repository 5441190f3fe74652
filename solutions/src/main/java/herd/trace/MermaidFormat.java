package herd.trace;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Renders a trace as a Mermaid sequence diagram (it renders on GitHub): one lifeline
 * per task, an arrow for each wake-up, notes for sleeps, syscall results and marks.
 */
public final class MermaidFormat {
    private MermaidFormat() {
    }

    /** The diagram of {@code events} in a Markdown code fence, ready to paste into a README. */
    public static String fenced(List<TraceEvent> events) {
        return "```mermaid\n" + render(events) + "```\n";
    }

    /** The diagram of {@code events}, without the surrounding code fence. */
    public static String render(List<TraceEvent> events) {
        Set<String> tasks = new LinkedHashSet<>();
        for (TraceEvent e : events) {
            tasks.add(e.task());
            if (e.peer() != null) {
                tasks.add(e.peer());
            }
        }
        StringBuilder out = new StringBuilder("sequenceDiagram\n");
        for (String task : tasks) {
            out.append("    participant ").append(id(task)).append(" as ").append(task.replace("<", "#lt;").replace(">", "#gt;"))
                    .append('\n');
        }
        for (TraceEvent e : events) {
            String who = id(e.task());
            switch (e.kind()) {
                case WAKEUP -> out.append("    ").append(who).append("->>").append(id(e.peer()))
                        .append(": try_to_wake_up\n");
                case SLEEP -> note(out, who, "sleeps (" + e.detail() + ")");
                case SYSCALL_EXIT -> note(out, who, e.name() + "() = " + StraceFormat.result(e.ret()));
                case EXIT -> note(out, who, "exits");
                case MARK -> note(out, who, e.detail());
                default -> {
                }
            }
        }
        return out.toString();
    }

    private static void note(StringBuilder out, String who, String text) {
        out.append("    Note over ").append(who).append(": ").append(text.replace(";", ",")).append('\n');
    }

    private static String id(String task) {
        return task.replaceAll("[^A-Za-z0-9]", "_");
    }
}
