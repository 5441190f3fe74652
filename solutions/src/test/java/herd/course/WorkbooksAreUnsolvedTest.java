package herd.course;

import static org.assertj.core.api.Assertions.assertThat;

import herd.course.tool.maintainer.Skeletons;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The other direction of "the course is right" (the lesson tests passing here on the
 * reference is the first): on each untouched workbook, every exercise id has tests
 * that fail, and the failures name every id, as the learner will see them.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@Execution(ExecutionMode.CONCURRENT)
class WorkbooksAreUnsolvedTest {
    static List<LessonId> lessons() {
        return Catalogue.LESSONS.stream().map(Catalogue.Lesson::id).toList();
    }

    @ParameterizedTest
    @MethodSource("lessons")
    void everyExerciseFailsOnTheUntouchedWorkbookAndNamesItsId(LessonId lesson) {
        String module = lesson.module();
        Set<String> ids = Catalogue.lesson(lesson).exercises().stream().map(e -> e.id().toString())
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(ids).as("exercise regions of lesson " + lesson.number()).isNotEmpty();

        Path testClasses = IsolatedRun.classes(module, "test-classes");
        List<Path> classPath = workbookClassPath(lesson);
        List<IsolatedRun.Result> results = IsolatedRun.run(classPath, testClasses, lesson.tag());

        assertThat(results).as("lesson " + lesson.number() + " tests run on its workbook").isNotEmpty();
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
    private static List<Path> workbookClassPath(LessonId lesson) {
        return Stream.concat(
                Stream.of(Javac.compileStubbed("untouched-" + lesson.tag(), Skeletons.workbook(IsolatedRun.root(), lesson,
                        id -> true))),
                Stream.concat(lessons().stream().filter(l -> l.compareTo(lesson) <= 0)
                        .map(l -> IsolatedRun.classes(l.module(), "test-classes")),
                        Stream.of(IsolatedRun.classes("solutions", "classes"))))
                .toList();
    }
}
