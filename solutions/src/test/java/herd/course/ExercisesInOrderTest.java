package herd.course;

import static org.assertj.core.api.Assertions.assertThat;

import herd.course.tool.maintainer.Skeletons;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
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
 * exercise stays finished.</li>
 * </ul>
 * And once a lesson is done, its tests pass, whatever stubs of later lessons sit in its files.
 */
class ExercisesInOrderTest {
    static Stream<ExerciseId> exercises() {
        return Catalogue.exercises().stream().map(Catalogue.Exercise::id);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exercises")
    void theTestsOfAnExerciseFailNamingItWhenOnlyTheExercisesBeforeItAreDone(ExerciseId id) {
        List<IsolatedRun.Result> results = runWorkbook(id, other -> other.compareTo(id) >= 0);

        assertThat(results).as("tests tagged " + id).isNotEmpty();
        assertThat(results.stream().filter(IsolatedRun.Result::passed).map(IsolatedRun.Result::test))
                .as("tests of " + id + " that pass although " + id + " is not written").isEmpty();
        assertThat(results.stream().filter(r -> !r.message().contains(id.toString()))
                .map(r -> r.test() + ": " + r.message().lines().findFirst().orElse("")))
                .as("tests of " + id + " whose failure does not name " + id + " when the exercises before it are done")
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exercises")
    void theTestsOfAnExercisePassWhenItAndTheExercisesBeforeItAreDone(ExerciseId id) {
        List<IsolatedRun.Result> results = runWorkbook(id, other -> other.compareTo(id) > 0);

        assertThat(results).as("tests tagged " + id).isNotEmpty();
        assertThat(results.stream().filter(r -> !r.passed())
                .map(r -> r.test() + ": " + r.message().lines().findFirst().orElse("")))
                .as("tests of " + id + " that fail with " + id + " and the exercises before it solved, the later ones"
                        + " still stubs (a test of " + id + " must not need a later exercise)")
                .isEmpty();
    }

    /** The workbook of {@code id}'s lesson with the exercises {@code unsolved} accepts as stubs; the tests of {@code id}. */
    private static List<IsolatedRun.Result> runWorkbook(ExerciseId id, Predicate<ExerciseId> unsolved) {
        LessonId lesson = id.lesson();
        Path workbook = Javac.compile("workbook-" + id + "-" + unsolved.hashCode(),
                Skeletons.workbook(IsolatedRun.root(), lesson, other -> other.lesson().equals(lesson)
                        && unsolved.test(other)));
        Path tests = IsolatedRun.classes(lesson.module(), "test-classes");
        return IsolatedRun.run(List.of(workbook, tests, IsolatedRun.classes("solutions", "classes")), tests,
                id.tag());
    }

    static Stream<LessonId> lessons() {
        return Catalogue.LESSONS.stream().map(Catalogue.Lesson::id);
    }

    /**
     * A later lesson's exercise may sit in this lesson's files (EPOLLEXCLUSIVE in the epoll
     * code); its stub must fail only when its feature is used. So with every exercise of
     * this lesson solved and the later ones still stubs, every test of the lesson passes.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("lessons")
    void aSolvedLessonPassesWithTheStubsOfLaterLessonsInItsFiles(LessonId lesson) {
        Path workbook = Javac.compile("solved-" + lesson.tag(), Skeletons.workbook(IsolatedRun.root(), lesson,
                other -> !other.lesson().equals(lesson)));
        Path tests = IsolatedRun.classes(lesson.module(), "test-classes");
        List<IsolatedRun.Result> results = IsolatedRun.run(
                List.of(workbook, tests, IsolatedRun.classes("solutions", "classes")), tests, lesson.tag());

        assertThat(results).as("tests of " + lesson.module()).isNotEmpty();
        assertThat(results.stream().filter(r -> !r.passed())
                .map(r -> r.test() + ": " + r.message().lines().findFirst().orElse("")))
                .as("tests of " + lesson.module() + " that fail with its own exercises solved").isEmpty();
    }
}
