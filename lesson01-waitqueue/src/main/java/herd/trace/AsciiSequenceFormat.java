package herd.trace;

import java.util.List;

/**
 * Renders a trace's {@link SequenceDiagram} in plain text, for a terminal: a column per
 * task with its lifeline, a line per step, an arrow {@code |---try_to_wake_up-->|} for
 * each wake-up and {@code * text} for a note. The same diagram as {@link MermaidFormat}'s.
 */
public final class AsciiSequenceFormat {
    /** The narrowest column, in characters. */
    private static final int MIN_COLUMN = 16;

    private AsciiSequenceFormat() {
    }

    /** The diagram of {@code events} as lines of text. */
    public static String render(List<TraceEvent> events) {
        SequenceDiagram diagram = SequenceDiagram.of(events);
        List<String> tasks = diagram.participants();
        int width = MIN_COLUMN;
        for (String task : tasks) {
            width = Math.max(width, task.length() + 2);
        }
        int[] centre = new int[tasks.size()];
        for (int i = 0; i < tasks.size(); i++) {
            centre[i] = i * width + width / 2;
        }
        int lineWidth = tasks.size() * width;
        StringBuilder out = new StringBuilder();
        StringBuilder header = new StringBuilder(" ".repeat(lineWidth));
        for (int i = 0; i < tasks.size(); i++) {
            String task = tasks.get(i);
            int at = Math.max(0, centre[i] - task.length() / 2);
            header.replace(at, at + task.length(), task);
        }
        out.append(header.toString().stripTrailing()).append('\n');
        out.append(lifelines(centre, lineWidth).toString().stripTrailing()).append('\n');
        for (SequenceDiagram.Step step : diagram.steps()) {
            StringBuilder line = lifelines(centre, lineWidth);
            if (step instanceof SequenceDiagram.Arrow a) {
                arrow(line, centre[tasks.indexOf(a.from())], centre[tasks.indexOf(a.to())], a.text());
            } else if (step instanceof SequenceDiagram.Note n) {
                int at = centre[tasks.indexOf(n.over())];
                String text = "* " + n.text();
                line.replace(at, Math.min(line.length(), at + text.length()), text);
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /** A line with a {@code |} at each column's centre. */
    private static StringBuilder lifelines(int[] centre, int width) {
        StringBuilder line = new StringBuilder(" ".repeat(width));
        for (int c : centre) {
            line.setCharAt(c, '|');
        }
        return line;
    }

    /** An arrow from column centre {@code from} to {@code to} on {@code line}, its label inside or after it. */
    private static void arrow(StringBuilder line, int from, int to, String text) {
        if (from == to) {
            line.setLength(from + 1);
            line.append("<-- ").append(text);
            return;
        }
        int left = Math.min(from, to);
        int right = Math.max(from, to);
        for (int x = left + 1; x < right; x++) {
            line.setCharAt(x, '-');
        }
        line.setCharAt(to > from ? right - 1 : left + 1, to > from ? '>' : '<');
        int room = right - left - 5;
        if (text.length() <= room) {
            int at = left + 2 + (room - text.length()) / 2 + 1;
            line.replace(at, at + text.length(), text);
        } else {
            line.setLength(right + 1);
            line.append(' ').append(text);
        }
    }
}
