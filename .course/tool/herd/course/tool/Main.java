package herd.course.tool;

import herd.course.ExerciseId;
import herd.course.LessonId;
import java.util.List;
import java.util.Map;

/** The course tool's commands: {@code java .course/Course.java help} lists them. */
public final class Main {
    private static final String LEARNER_USAGE = """
            The course tool. Run it from the course root: java .course/Course.java COMMAND

            Working on exercises:
              watch [ID]        re-runs an exercise's tests each time you save, moves on when it passes
                                (keys: h hint, p progress, q quit; --poll if saving does not re-run)
              test ID           runs the tests of an exercise (L01-E2) or a lesson (lesson01) once
                                [--test 'Class#method'] [-Dcourse.seed=N] to replay one test or seed
              progress          every exercise: solved, failing (and why) or not started; what is next
              hint ID           the next hint for an exercise (--all: every hint)
              demo [lessonNN]   a lesson's demo on your code (or HerdTable, Comparison, CrossCheck);
                                --reference runs it on the reference where your edition has it
              catch-up N        start at lesson N: the lessons before it become the reference
              restore           puts your own work back after a catch-up
              help              this list

            Grading (instructors):
              grade             score table, target/grading/results.json (Gradescope) and summary.txt
                                [--submission DIR] [--lesson N[,M]] [--isolate N] [--reference-all]
                                [--tests DIR] [--out DIR] [--limit SECONDS] [--no-sandbox] [--offline]
              gradescope DIR    DIR/autograder.zip: a Gradescope autograder made from this edition [--tests DIR]
            """;

    /** A mistake in how the tool was called, or a state it cannot work in: a message, exit 2. */
    public static final class UsageError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UsageError(String message) {
            super(message);
        }
    }

    /** Commands that only the maintainers' repository has (its tool has the maintainer package). */
    public interface Extension {
        /** Runs {@code args}' command if it is one of these; returns false if it is not. */
        boolean run(Args args, CourseRoot course) throws Exception;

        /** The usage lines of these commands. */
        String usage();
    }

    private Main() {
    }

    public static void main(String[] words) throws Throwable {
        CourseRoot course = new CourseRoot(java.nio.file.Path.of("").toAbsolutePath());
        int exit;
        try {
            exit = run(Args.parse(words), course);
        } catch (UsageError | IllegalArgumentException | java.util.NoSuchElementException e) {
            System.err.println("course: " + e.getMessage());
            exit = 2;
        }
        System.out.flush();
        System.exit(exit);
    }

    static int run(Args a, CourseRoot course) throws Throwable {
        Extension maintainer = maintainer();
        Build build = new Build(course);
        Runner runner = new Runner(build);
        switch (a.command()) {
            case "help", "--help", "-h" -> {
                System.out.print(LEARNER_USAGE);
                if (maintainer != null) {
                    System.out.print(maintainer.usage());
                }
                return 0;
            }
            case "test" -> {
                String group = a.positional(0, "an exercise id or a lesson, e.g. L01-E2 or lesson01");
                herd.course.Catalogue.Lesson lesson = Runner.lessonOf(group);
                String tag = ExerciseId.matches(group) ? ExerciseId.parse(group).tag() : lesson.id().tag();
                Runner.Outcome outcome = runner.run(lesson, tag, a.option("--test", null), a.properties());
                List<herd.course.Catalogue.Exercise> exercises = ExerciseId.matches(group)
                        ? List.of(herd.course.Catalogue.exercise(ExerciseId.parse(group))) : lesson.exercises();
                return Verdict.print(System.out, exercises, outcome, Integer.MAX_VALUE) ? 0 : 1;
            }
            case "watch" -> {
                String id = a.optional(0);
                new Watch(course, runner, new Hints(course), a.flag("--poll")).run(id == null ? null : ExerciseId.parse(id));
                return 0;
            }
            case "progress" -> {
                System.out.println("Running every lesson's tests on your code...");
                new Progress(course, runner).run(System.out);
                return 0;
            }
            case "demo" -> {
                List<String> rest = a.positional().size() > 1 ? a.positional().subList(1, a.positional().size()) : List.of();
                return new Demo(course, build).run(a.optional(0), a.flag("--reference"), rest);
            }
            case "hint" -> {
                new Hints(course).show(ExerciseId.parse(a.positional(0, "an exercise id, e.g. L01-E2")), a.flag("--all"));
                return 0;
            }
            case "catch-up" -> {
                new Editions(course, runner).catchUp(LessonId.parse(a.positional(0, "a lesson number, e.g. 3")));
                return 0;
            }
            case "restore" -> {
                new Editions(course, runner).restore();
                return 0;
            }
            case "grade" -> {
                new Grader(course).grade(a);
                return 0;
            }
            case "gradescope" -> {
                new GradescopeBundle(course).write(a);
                return 0;
            }
            default -> {
                if (maintainer != null && maintainer.run(a, course)) {
                    return 0;
                }
                throw new UsageError("unknown command '" + a.command() + "'; 'java .course/Course.java help' lists them");
            }
        }
    }

    private static Extension maintainer() {
        try {
            return (Extension) Class.forName("herd.course.tool.maintainer.Maintainer").getDeclaredConstructor()
                    .newInstance();
        } catch (ClassNotFoundException e) {
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
