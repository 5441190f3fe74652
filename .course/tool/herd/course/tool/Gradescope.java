package herd.course.tool;

import herd.course.Catalogue;
import herd.course.ExerciseId;
import herd.course.TestRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Gradescope's {@code results.json}: one entry per test, scored from its exercise's points. */
final class Gradescope {
    private Gradescope() {
    }

    /** An exercise's points earned and possible. */
    record Points(double earned, double possible) {
    }

    static void write(Path file, List<Catalogue.Exercise> exercises, Map<ExerciseId, Scores.Result> results,
                      Map<ExerciseId, Points> points, double total, long seconds, List<String> notes) {
        List<String> tests = new ArrayList<>();
        for (Catalogue.Exercise ex : exercises) {
            Scores.Result r = results.get(ex.id());
            double possible = points.get(ex.id()).possible();
            if (r.records().isEmpty()) {
                tests.add(test(ex.id() + " · " + ex.title().replace("`", ""), 0, possible, false, r.reason(), "visible",
                        ex.id()));
                continue;
            }
            double each = possible / r.records().size();
            for (TestRecord t : r.records()) {
                boolean ok = t.passed();
                tests.add(test(ex.id() + " · " + Verdict.testName(t), ok ? each : 0, each, ok,
                        ok ? "" : Scores.reason(t), t.visibility(), ex.id()));
            }
        }
        Trees.write(file, "{\n  \"score\": " + Json.num(total) + ",\n  \"execution_time\": " + seconds
                + ",\n  \"output\": " + Json.quote(String.join("\n", notes)) + ",\n  \"visibility\": \"visible\""
                + ",\n  \"tests\": [\n" + String.join(",\n", tests) + "\n  ]\n}\n");
    }

    private static String test(String name, double score, double max, boolean passed, String output,
                               String visibility, ExerciseId id) {
        return "    {\"name\": " + Json.quote(name) + ", \"score\": " + Json.num(score) + ", \"max_score\": "
                + Json.num(max) + ", \"status\": \"" + (passed ? "passed" : "failed") + "\", \"output\": "
                + Json.quote(output) + ", \"tags\": [" + Json.quote(id.lesson().tag()) + ", " + Json.quote(id.toString())
                + "], \"visibility\": " + Json.quote(visibility) + "}";
    }
}
