package herd.course.tool;

import herd.course.Catalogue;
import herd.course.ExerciseId;
import herd.course.LessonId;
import herd.course.TestRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Gradescope's {@code results.json}: one entry per test, scored from its exercise's points.
 * Nothing in it names a folder of the grader's or the instructor's ({@code clean}); in a
 * lesson where hidden tests ran, the messages of its visible tests are shown only after
 * the due date (an entry of their own), since code under test could have carried what it
 * saw of the hidden tests into them; the grader's own output (stdout) is hidden.
 */
final class Gradescope {
    private static final int NOTES_CAP = 60;

    private Gradescope() {
    }

    /** An exercise's points earned and possible. */
    record Points(double earned, double possible) {
    }

    static void write(Path file, List<Catalogue.Exercise> exercises, Map<ExerciseId, Scores.Result> results,
                      Map<ExerciseId, Points> points, Map<ExerciseId, String> refused, double total, long seconds,
                      List<String> notes, Set<LessonId> withHidden, String hiddenOutput, UnaryOperator<String> clean) {
        List<String> tests = new ArrayList<>();
        StringBuilder held = new StringBuilder();
        LessonId heldFor = null;
        for (Catalogue.Exercise ex : exercises) {
            LessonId lesson = ex.id().lesson();
            if (heldFor != null && !heldFor.equals(lesson)) {
                tests.add(heldMessages(heldFor, held, clean));
                held.setLength(0);
                heldFor = null;
            }
            boolean hide = withHidden.contains(lesson);
            Scores.Result r = results.get(ex.id());
            double possible = points.get(ex.id()).possible();
            String why = refused.get(ex.id());
            if (r.records().isEmpty()) {
                tests.add(test(ex.id() + " · " + ex.title().replace("`", ""), 0, possible, false,
                        why != null ? why : r.reason(), "visible", ex.id(), clean));
                continue;
            }
            double each = possible / r.records().size();
            for (TestRecord t : r.records()) {
                boolean ok = t.passed();
                String output = ok ? "" : (why != null ? why + "\n" : "") + Scores.reason(t);
                if (hide && !ok && t.visibility().equals("visible")) {
                    heldFor = lesson;
                    held.append(ex.id()).append(" · ").append(Verdict.testName(t)).append(": ").append(output)
                            .append('\n');
                    output = hiddenOutput;
                }
                tests.add(test(ex.id() + " · " + Verdict.testName(t), ok ? each : 0, each, ok, output,
                        t.visibility(), ex.id(), clean));
            }
        }
        if (heldFor != null) {
            tests.add(heldMessages(heldFor, held, clean));
        }
        List<String> shown = notes.stream().limit(NOTES_CAP).map(clean).toList();
        String output = String.join("\n", shown) + (notes.size() > NOTES_CAP ? "\n... and " + (notes.size() - NOTES_CAP)
                + " more notes" : "");
        Trees.write(file, "{\n  \"score\": " + Json.num(total) + ",\n  \"execution_time\": " + seconds
                + ",\n  \"output\": " + Json.quote(output) + ",\n  \"visibility\": \"visible\""
                + ",\n  \"stdout_visibility\": \"hidden\""
                + ",\n  \"tests\": [\n" + String.join(",\n", tests) + "\n  ]\n}\n");
    }

    /** The visible tests' messages of a lesson with hidden tests: an entry shown after the due date. */
    private static String heldMessages(LessonId lesson, StringBuilder messages, UnaryOperator<String> clean) {
        return "    {\"name\": " + Json.quote(lesson.tag() + " · the failure messages of the visible tests") + ", \"score\": 0"
                + ", \"max_score\": 0, \"status\": \"failed\", \"output\": " + Json.quote(clean.apply(messages.toString()))
                + ", \"tags\": [" + Json.quote(lesson.tag()) + "], \"visibility\": \"after_due_date\"}";
    }

    private static String test(String name, double score, double max, boolean passed, String output,
                               String visibility, ExerciseId id, UnaryOperator<String> clean) {
        return "    {\"name\": " + Json.quote(clean.apply(name)) + ", \"score\": " + Json.num(score) + ", \"max_score\": "
                + Json.num(max) + ", \"status\": \"" + (passed ? "passed" : "failed") + "\", \"output\": "
                + Json.quote(clean.apply(output)) + ", \"tags\": [" + Json.quote(id.lesson().tag()) + ", "
                + Json.quote(id.toString()) + "], \"visibility\": " + Json.quote(visibility) + "}";
    }
}
