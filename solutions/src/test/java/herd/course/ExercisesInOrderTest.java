package herd.course;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The order a learner works in. On a lesson's workbook in which the exercises before
 * {@code Lnn-Em} are solved (and the lessons before it come from the reference, as after
 * {@code catch-up}), every test of {@code Lnn-Em} fails and names {@code Lnn-Em}: no test
 * of an exercise needs a later one, so working in order, each failure is about the
 * exercise at hand. And once a lesson is done, its tests pass, whatever stubs of later
 * lessons sit in its files.
 */
class ExercisesInOrderTest {
    static Stream<String> exercises() {
        return Skeletons.LESSONS.keySet().stream()
                .flatMap(module -> Skeletons.exerciseIds(IsolatedRun.root(), lessonOf(module)).stream());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exercises")
    void theTestsOfAnExerciseNeedOnlyTheExercisesBeforeIt(String id) {
        String lesson = id.substring(1, 3);
        String module = Todo.lessonModule(lesson);
        int number = number(id);
        Map<Path, String> sources = Skeletons.workbook(IsolatedRun.root(), module,
                other -> !other.startsWith("L" + lesson + "-") || number(other) >= number);
        Path workbook = Javac.compile("workbook-up-to-" + id, sources);

        Path tests = IsolatedRun.classes(module, "test-classes");
        List<IsolatedRun.Result> results = IsolatedRun.run(
                List.of(workbook, tests, IsolatedRun.classes("solutions", "classes")), tests, id);

        assertThat(results).as("tests tagged " + id).isNotEmpty();
        assertThat(results.stream().filter(IsolatedRun.Result::passed).map(IsolatedRun.Result::test))
                .as("tests of " + id + " that pass although " + id + " is not written").isEmpty();
        assertThat(results.stream().filter(r -> !r.message().contains(id))
                .map(r -> r.test() + ": " + r.message().lines().findFirst().orElse("")))
                .as("tests of " + id + " whose failure does not name " + id + " when the exercises before it are done")
                .isEmpty();
    }

    static Stream<String> lessons() {
        return Skeletons.LESSONS.keySet().stream();
    }

    /**
     * A later lesson's exercise may sit in this lesson's files (EPOLLEXCLUSIVE in the epoll
     * code); its stub must fail only when its feature is used. So with every exercise of
     * this lesson solved and the later ones still stubs, every test of the lesson passes.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("lessons")
    void aSolvedLessonPassesWithTheStubsOfLaterLessonsInItsFiles(String module) {
        String lesson = lessonOf(module);
        Path workbook = Javac.compile("solved-" + module, Skeletons.workbook(IsolatedRun.root(), module,
                other -> !other.startsWith("L" + lesson + "-")));

        Path tests = IsolatedRun.classes(module, "test-classes");
        List<IsolatedRun.Result> results = IsolatedRun.run(
                List.of(workbook, tests, IsolatedRun.classes("solutions", "classes")), tests, "lesson" + lesson);

        assertThat(results).as("tests of " + module).isNotEmpty();
        assertThat(results.stream().filter(r -> !r.passed())
                .map(r -> r.test() + ": " + r.message().lines().findFirst().orElse("")))
                .as("tests of " + module + " that fail with its own exercises solved").isEmpty();
    }

    private static int number(String id) {
        return Integer.parseInt(id.substring(id.indexOf("-E") + 2));
    }

    private static String lessonOf(String module) {
        return module.substring("lesson".length(), "lesson".length() + 2);
    }
}
