package herd.trace;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A trace as a sequence diagram, before it is drawn: the tasks as participants (in the
 * order they first appear), an arrow for each wake-up, and notes for sleeps, syscall
 * results, exits and marks. {@link MermaidFormat} and {@link AsciiSequenceFormat} draw it.
 *
 * @param participants the tasks, {@code comm-pid}
 * @param steps        what happens, in order
 */
public record SequenceDiagram(List<String> participants, List<Step> steps) {
    /** One line of the diagram. */
    public sealed interface Step permits Arrow, Note {
    }

    /** An arrow from one participant to another, labelled. */
    public record Arrow(String from, String to, String text) implements Step {
    }

    /** A note over one participant. */
    public record Note(String over, String text) implements Step {
    }

    /** The diagram of {@code events}. */
    public static SequenceDiagram of(List<TraceEvent> events) {
        Set<String> tasks = new LinkedHashSet<>();
        for (TraceEvent e : events) {
            tasks.add(e.task());
            if (e.peer() != null) {
                tasks.add(e.peer());
            }
        }
        List<Step> steps = new ArrayList<>();
        for (TraceEvent e : events) {
            String who = e.task();
            switch (e.kind()) {
                case WAKEUP -> steps.add(new Arrow(who, e.peer(), "try_to_wake_up"));
                case SLEEP -> steps.add(new Note(who, "sleeps (" + e.detail() + ")"));
                case SYSCALL_EXIT -> steps.add(new Note(who, e.name() + "() = " + StraceFormat.result(e.ret())));
                case EXIT -> steps.add(new Note(who, "exits"));
                case MARK -> steps.add(new Note(who, e.detail()));
                default -> {
                }
            }
        }
        return new SequenceDiagram(List.copyOf(tasks), List.copyOf(steps));
    }
}
