package herd.course.tool;

import herd.course.Catalogue;
import herd.course.ExerciseId;
import java.io.PrintStream;
import java.util.Map;

/**
 * {@code progress}: every lesson's tests on the learner's code in one JVM, a block per
 * lesson as soon as it has run, then the next exercise to work on. It never points back
 * to a solved exercise, and it says when an exercise fails only because an earlier one does.
 */
final class Progress {
    private final Runner runner;
    private final CourseRoot course;

    Progress(CourseRoot course, Runner runner) {
        this.course = course;
        this.runner = runner;
    }

    /** Runs every lesson, prints each, and returns the next exercise to work on (null when all are solved). */
    ExerciseId run(PrintStream out) {
        ExerciseId next = null;
        for (Catalogue.Lesson lesson : course.lessons()) {
            long start = System.nanoTime();
            Runner.Outcome outcome = runner.run(lesson, lesson.id().tag(), null, Map.of());
            out.printf("%s (%.1f s)%n", lesson.module(), (System.nanoTime() - start) / 1e9);
            if (outcome.errors().any()) {
                out.println("  does not compile: " + outcome.errors().messages().get(0).lines().findFirst().orElse(""));
                out.println("  (java .course/Course.java test " + lesson.id().tag() + " shows every error)");
                next = next == null ? lesson.exercises().get(0).id() : next;
                break;
            }
            for (Scores.Result r : Scores.of(lesson.exercises(), outcome.records()).values()) {
                ExerciseId id = r.exercise().id();
                out.printf("  %-7s %-12s %s%n", id, words(r.state()), r.exercise().title().replace("`", ""));
                switch (r.state()) {
                    case FAILING, NOT_RUN -> out.println("          " + r.passed() + "/" + r.tests() + " tests pass; "
                            + clip(r.reason(), 140));
                    case BLOCKED -> out.println("          " + r.passed() + "/" + r.tests() + " tests pass; "
                            + (r.passed() == 0 ? "they" : "the others") + " fail probably because " + r.blockedBy()
                            + " fails");
                    case WAITING -> out.println("          done as far as it can be tested: the other tests reach "
                            + "later exercises' stubs");
                    default -> { }
                }
                if (next == null && r.state() != Scores.State.SOLVED && r.state() != Scores.State.WAITING) {
                    next = id;
                }
            }
            out.flush();
        }
        out.println();
        if (next == null) {
            out.println("Every exercise is solved.");
        } else {
            out.println("Next: " + next + " · " + next.title().replace("`", ""));
            out.println("  read  " + next.readme());
            out.println("  test  java .course/Course.java test " + next);
            out.println("  watch java .course/Course.java watch " + next);
            out.println("  hint  java .course/Course.java hint " + next);
        }
        return next;
    }

    private static String words(Scores.State state) {
        return state.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    static String clip(String s, int max) {
        String line = s.lines().findFirst().orElse("");
        return line.length() <= max ? line : line.substring(0, max - 3) + "...";
    }
}
