package herd.course;

import static org.assertj.core.api.Assertions.assertThat;

import herd.course.tool.maintainer.Skeletons;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The order a learner works in, both ways, for every exercise {@code k} of a lesson (the
 * lessons before it come from the reference, as after {@code catch-up}):
 * <ul>
 * <li>with the exercises before {@code k} solved, every test of {@code k} fails and names
 * {@code k}: working in order, each failure is about the exercise at hand;</li>
 * <li>with the exercises up to and including {@code k} solved and the later ones stubs,
 * every test of {@code k} passes: no test of an exercise needs a later one, so a finished
 * exercise stays finished;</li>
 * <li>with every exercise of the lesson solved, every test of the lesson passes, whatever
 * stubs of later lessons sit in its files (EPOLLEXCLUSIVE in the epoll code).</li>
 * </ul>
 * One workbook per point of progress serves two exercises: solved up to {@code k}, the
 * tests of {@code k} must pass and those of {@code k + 1} must fail naming it.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@Execution(ExecutionMode.CONCURRENT)
class ExercisesInOrderTest {
    /** A lesson's workbook with its first {@code solved} exercises written. */
    record Progress(Catalogue.Lesson lesson, int solved) {
        ExerciseId done() {
            return solved == 0 ? null : lesson.exercises().get(solved - 1).id();
        }

        ExerciseId next() {
            return solved == lesson.exercises().size() ? null : lesson.exercises().get(solved).id();
        }

        @Override
        public String toString() {
            return lesson.id().tag() + (solved == 0 ? " with nothing solved" : " solved up to " + done());
        }
    }

    /**
     * Every point of progress but the last lesson solved in full: that workbook is the
     * reference itself, whose tests Surefire runs in this build already.
     */
    static Stream<Progress> progress() {
        List<Progress> all = new ArrayList<>();
        Catalogue.Lesson last = Catalogue.LESSONS.get(Catalogue.LESSONS.size() - 1);
        for (Catalogue.Lesson lesson : Catalogue.LESSONS) {
            int end = lesson == last ? lesson.exercises().size() - 1 : lesson.exercises().size();
            for (int solved = 0; solved <= end; solved++) {
                all.add(new Progress(lesson, solved));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("progress")
    void theDoneExercisePassesAndTheNextFailsNamingItself(Progress p) {
        LessonId lesson = p.lesson().id();
        Path workbook = Javac.compileStubbed("workbook-" + p.lesson().id().tag() + "-" + p.solved(),
                Skeletons.workbook(IsolatedRun.root(), lesson, id -> id.lesson().equals(lesson)
                        && id.number() > p.solved()));
        Path tests = IsolatedRun.classes(lesson.module(), "test-classes");
        String tags = p.next() == null ? lesson.tag() : p.done() == null ? p.next().tag() : p.done() + " | " + p.next();
        List<IsolatedRun.Result> results = IsolatedRun.run(
                List.of(workbook, tests, IsolatedRun.classes("solutions", "classes")), tests, tags);

        if (p.next() == null) {
            assertThat(results).as("tests of " + lesson.module()).isNotEmpty();
            assertThat(failures(results)).as("tests of " + lesson.module() + " that fail with its own exercises "
                    + "solved and the later lessons' stubs in its files").isEmpty();
            return;
        }
        List<IsolatedRun.Result> next = results.stream().filter(r -> r.exercises().contains(p.next().toString())).toList();
        assertThat(next).as("tests tagged " + p.next()).isNotEmpty();
        assertThat(next.stream().filter(IsolatedRun.Result::passed).map(IsolatedRun.Result::test))
                .as("tests of " + p.next() + " that pass although " + p.next() + " is not written").isEmpty();
        assertThat(next.stream().filter(r -> !r.message().contains(p.next().toString()))
                .map(r -> r.test() + ": " + r.message().lines().findFirst().orElse("")))
                .as("tests of " + p.next() + " whose failure does not name " + p.next()
                        + " when the exercises before it are done").isEmpty();
        if (p.done() != null) {
            List<IsolatedRun.Result> done = results.stream().filter(r -> r.exercises().contains(p.done().toString()))
                    .toList();
            assertThat(done).as("tests tagged " + p.done()).isNotEmpty();
            assertThat(failures(done)).as("tests of " + p.done() + " that fail with " + p.done() + " and the exercises "
                    + "before it solved, the later ones still stubs (a test of " + p.done()
                    + " must not need a later exercise)").isEmpty();
        }
    }

    private static List<String> failures(List<IsolatedRun.Result> results) {
        return results.stream().filter(r -> !r.passed())
                .map(r -> r.test() + ": " + r.message().lines().findFirst().orElse("")).toList();
    }
}
