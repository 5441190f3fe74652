package herd.course;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The other direction of "the course is right" (the lesson tests passing here on the
 * reference is the first): on each untouched workbook, every exercise id has tests
 * that fail, and the failures name every id, as the learner will see them.
 */
class WorkbooksAreUnsolvedTest {
    static List<String> lessons() {
        return Skeletons.LESSONS.keySet().stream().toList();
    }

    @ParameterizedTest
    @MethodSource("lessons")
    void everyExerciseFailsOnTheUntouchedWorkbookAndNamesItsId(String module) {
        String lesson = module.substring("lesson".length(), "lesson".length() + 2);
        Set<String> ids = Skeletons.exerciseIds(IsolatedRun.root(), lesson);
        assertThat(ids).as("exercise regions of lesson " + lesson).isNotEmpty();

        Path testClasses = IsolatedRun.classes(module, "test-classes");
        List<Path> classPath = workbookClassPath(module);
        List<IsolatedRun.Result> results = IsolatedRun.run(classPath, testClasses, "lesson" + lesson);

        assertThat(results).as("lesson " + lesson + " tests run on its workbook").isNotEmpty();
        Set<String> failedIds = results.stream().filter(r -> !r.passed())
                .flatMap(r -> r.exercises().stream()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(failedIds).as("exercise ids with a failing test on the untouched workbook").containsAll(ids);
        Set<String> named = ids.stream().filter(id -> results.stream().anyMatch(r -> r.message().contains(id)))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(named).as("exercise ids named by the failures on the untouched workbook").isEqualTo(ids);
        assertThat(results.stream().filter(IsolatedRun.Result::passed).map(IsolatedRun.Result::test))
                .as("tests that pass on the untouched workbook give points for nothing").isEmpty();
    }

    /**
     * The workbook of {@code module} (with its exercises that sit in earlier lessons'
     * files) and the test classes of every lesson up to it, in front of the reference: a learner on this lesson has done the lessons before it
     * (or caught up with {@code java .course/Course.java catch-up}), so their packages
     * come from the reference, and this lesson's packages from its workbook.
     */
    private static List<Path> workbookClassPath(String module) {
        List<String> modules = lessons();
        return Stream.concat(
                Stream.of(Javac.compile("untouched-" + module, Skeletons.workbook(IsolatedRun.root(), module, id -> true))),
                Stream.concat(modules.subList(0, modules.indexOf(module) + 1).stream()
                        .map(m -> IsolatedRun.classes(m, "test-classes")),
                        Stream.of(IsolatedRun.classes("solutions", "classes"))))
                .toList();
    }
}
