package herd.trace;

import java.util.List;

/**
 * Renders a trace as a Mermaid sequence diagram (it renders on GitHub): one lifeline
 * per task, an arrow for each wake-up, notes for sleeps, syscall results and marks
 * ({@link SequenceDiagram}).
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
        SequenceDiagram diagram = SequenceDiagram.of(events);
        StringBuilder out = new StringBuilder("sequenceDiagram\n");
        for (String task : diagram.participants()) {
            out.append("    participant ").append(id(task)).append(" as ").append(task.replace("<", "#lt;").replace(">", "#gt;"))
                    .append('\n');
        }
        for (SequenceDiagram.Step step : diagram.steps()) {
            if (step instanceof SequenceDiagram.Arrow a) {
                out.append("    ").append(id(a.from())).append("->>").append(id(a.to())).append(": ").append(a.text())
                        .append('\n');
            } else if (step instanceof SequenceDiagram.Note n) {
                out.append("    Note over ").append(id(n.over())).append(": ").append(n.text().replace(";", ","))
                        .append('\n');
            }
        }
        return out.toString();
    }

    private static String id(String task) {
        return task.replaceAll("[^A-Za-z0-9]", "_");
    }
}
