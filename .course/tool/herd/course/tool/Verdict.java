package herd.course.tool;

import herd.course.Catalogue;
import herd.course.ExerciseId;
import herd.course.TestRecord;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A run's verdict as a learner reads it: per exercise, how many tests pass; each failure's
 * message once, without stack traces; a not-done test as one line; the hint command.
 */
final class Verdict {
    private static final int MESSAGE_LINES = 30;
    private static final Pattern TEST_NAME = Pattern.compile("\\[class:(?:[\\w.]+\\.)?([\\w$]+)]");

    private Verdict() {
    }

    /**
     * Prints the verdict of {@code outcome} for {@code exercises}, the first {@code detailed}
     * failures in full and the others in a line each; returns whether all of them passed.
     */
    static boolean print(PrintStream out, List<Catalogue.Exercise> exercises, Runner.Outcome outcome, int detailed) {
        if (outcome.errors().any()) {
            out.println("Your code does not compile:");
            outcome.errors().messages().stream().limit(10).forEach(m -> out.println("  " + m.replace("\n", "\n  ")));
            return false;
        }
        Map<ExerciseId, Scores.Result> results = Scores.of(exercises, outcome.records());
        boolean all = true;
        for (Scores.Result r : results.values()) {
            if (r.tests() == 0) {
                continue;
            }
            ExerciseId id = r.exercise().id();
            out.println(id + " · " + r.exercise().title().replace("`", "") + ": " + r.passed() + " of " + r.tests()
                    + " tests pass" + (r.solved() ? ". Solved." : ""));
            Map<ExerciseId, Long> stubs = r.records().stream().filter(t -> !t.passed())
                    .flatMap(t -> Scores.stubHit(t).stream())
                    .collect(java.util.stream.Collectors.groupingBy(s -> s, java.util.TreeMap::new,
                            java.util.stream.Collectors.counting()));
            stubs.forEach((stub, n) -> out.println("  todo  " + (stub.equals(id) ? id + " is not done yet"
                    : stub + " is not done yet, and " + id + "'s tests need it") + " (" + n + (n == 1 ? " test stops"
                    : " tests stop") + " at its stub): see " + stub.readme()));
            int shown = 0;
            for (TestRecord t : r.records()) {
                if (!t.passed() && Scores.stubHit(t).isEmpty()) {
                    if (shown++ < detailed) {
                        printFailure(out, t);
                    } else {
                        out.println("  FAIL  " + testName(t) + ": " + Progress.clip(Scores.reason(t), 100));
                    }
                }
            }
            if (shown > detailed) {
                out.println("  (java .course/Course.java test " + id + " shows every failure in full)");
            }
            if (!r.solved()) {
                all = false;
                out.println("  hint: java .course/Course.java hint " + id);
            }
            out.println();
        }
        if (outcome.records().isEmpty()) {
            out.println("No test ran: check the exercise id (they are listed in each lesson's README).");
            return false;
        }
        return all;
    }

    private static void printFailure(PrintStream out, TestRecord t) {
        String name = testName(t);
        out.println("  FAIL  " + name);
        String message = t.status().equals(TestRecord.FAILED) ? t.detail() : Scores.reason(t);
        List<String> lines = message.lines().toList();
        lines.stream().limit(MESSAGE_LINES).forEach(l -> out.println("        " + l));
        if (lines.size() > MESSAGE_LINES) {
            out.println("        ... (" + (lines.size() - MESSAGE_LINES) + " more lines)");
        }
    }

    /** {@code Class · method()} from the record. */
    static String testName(TestRecord t) {
        Matcher m = TEST_NAME.matcher(t.uniqueId());
        return (m.find() ? m.group(1) + " · " : "") + t.name();
    }
}
