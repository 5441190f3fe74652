package herd.course.tool;

import herd.course.Catalogue;
import herd.course.LessonId;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The reference in an edition ({@code .course/reference}), and the learner's
 * {@code catch-up N} and {@code restore}: start at lesson N with the lessons before it
 * solved, your own work kept aside.
 */
public final class Editions {
    private final CourseRoot course;
    private final Runner runner;
    private final Path saved;

    Editions(CourseRoot course, Runner runner) {
        this.course = course;
        this.runner = runner;
        this.saved = course.dir().resolve(".course/state/saved");
    }

    /** The folder of a reference: for a learner starting {@code from}, or every exercise solved (null). */
    public static String referenceDir(LessonId from) {
        return from == null ? "all" : String.format("from-%02d", from.number());
    }

    void catchUp(LessonId start) {
        if (Files.exists(saved)) {
            throw new Main.UsageError("your own work is already kept in " + saved
                    + ": run 'restore' before another catch-up");
        }
        Catalogue.lesson(start);
        boolean any = false;
        for (Catalogue.Lesson lesson : course.lessons()) {
            if (lesson.id().compareTo(start) < 0) {
                Path solved = reference(course.dir(), start, lesson);
                if (passes(lesson)) {
                    System.out.println(lesson.module() + ": your code already passes every test of the lesson; it stays");
                    continue;
                }
                Path main = course.dir().resolve(lesson.module()).resolve("src/main");
                Trees.copy(main, saved.resolve(lesson.module()).resolve("src/main"), p -> true);
                Trees.delete(main.resolve("java"));
                Trees.copy(solved, main.resolve("java"), p -> true);
                System.out.println(lesson.module() + ": now the reference (your version is kept in "
                        + course.dir().relativize(saved.resolve(lesson.module())) + ")");
                any = true;
            }
        }
        System.out.println(any ? "Start lesson " + start.number()
                + "; 'java .course/Course.java restore' puts your own work back."
                : start.number() > 1 ? "Start lesson " + start.number() + ": your code of the lessons before it passes."
                : "Lesson 1 is the first lesson: nothing to catch up.");
    }

    /** Whether the learner's code passes every test of {@code lesson} (it then needs no catching up). */
    private boolean passes(Catalogue.Lesson lesson) {
        Runner.Outcome outcome = runner.run(lesson, lesson.id().tag(), null, java.util.Map.of());
        return !outcome.errors().any() && !outcome.records().isEmpty()
                && outcome.records().stream().allMatch(herd.course.TestRecord::passed);
    }

    void restore() {
        if (!Files.exists(saved)) {
            throw new Main.UsageError("nothing to restore: no catch-up was made");
        }
        for (Catalogue.Lesson lesson : course.lessons()) {
            Path mine = saved.resolve(lesson.module());
            if (Files.isDirectory(mine)) {
                Trees.delete(course.dir().resolve(lesson.module()).resolve("src/main"));
                Trees.copy(mine, course.dir().resolve(lesson.module()), p -> true);
                System.out.println(lesson.module() + ": your own work is back");
            }
        }
        Trees.delete(saved);
    }

    /**
     * The reference sources of {@code lesson} for a learner starting {@code from} (null:
     * every exercise solved), from the edition's {@code .course/reference}; fails saying
     * the edition was exported without it.
     */
    static Path reference(Path courseDir, LessonId from, Catalogue.Lesson lesson) {
        Path solved = courseDir.resolve(".course/reference").resolve(referenceDir(from)).resolve(lesson.module())
                .resolve("src/main/java");
        if (!Files.isDirectory(solved)) {
            throw new Main.UsageError("no reference of " + lesson.module() + (from == null ? "" : " for a start at lesson "
                    + from.number()) + " here: this edition was exported without it (ask your instructor, or"
                    + " export with --with-reference)");
        }
        return solved;
    }
}
