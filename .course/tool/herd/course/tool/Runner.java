package herd.course.tool;

import herd.course.Catalogue;
import herd.course.LessonId;
import herd.course.TestRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Runs lesson tests on the learner's code in this JVM, through the course's
 * {@code herd.course.LessonRunner} (the same extensions, timeouts, seeds and records as
 * under Maven). The libraries stay loaded between runs; the course's classes get a fresh
 * class loader each run, so every run starts from clean static state.
 */
final class Runner {
    private final Build build;
    Runner(Build build) {
        this.build = build;
    }

    /** The outcome of a run: the compiler's errors, or each test's last record in order. */
    record Outcome(Build.Errors errors, List<TestRecord> records) {
    }

    /**
     * Compiles what changed, then runs the tests of {@code lesson} whose tags match
     * {@code tags} (or only {@code test}, {@code Class#method}), with {@code properties}
     * as system properties for the run ({@code course.seed}).
     */
    Outcome run(Catalogue.Lesson lesson, String tags, String test, Map<String, String> properties) {
        Build.Errors errors = build.compile(lesson.id());
        if (errors.any()) {
            return new Outcome(errors, List.of());
        }
        Path records = build.output(lesson, "records.tsv");
        Properties saved = (Properties) System.getProperties().clone();
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader course = build.loader(build.classPath(lesson.id()))) {
            Files.deleteIfExists(records);
            System.setProperty("course.runner", "tool");
            properties.forEach(System::setProperty);
            Thread.currentThread().setContextClassLoader(course);
            course.loadClass("herd.course.LessonRunner")
                    .getMethod("run", List.class, String.class, String.class, Path.class)
                    .invoke(null, List.of(build.output(lesson, "test-classes")), tags, test, records);
        } catch (InvocationTargetException e) {
            throw new Main.UsageError("the tests could not run: " + e.getCause());
        } catch (ReflectiveOperationException | IOException e) {
            throw new IllegalStateException("the course's LessonRunner could not run", e);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
            System.setProperties(saved);
        }
        return new Outcome(errors, read(records));
    }

    /** Each test's last record, in the order the tests started. */
    static List<TestRecord> read(Path records) {
        Map<String, TestRecord> last = new LinkedHashMap<>();
        if (Files.exists(records)) {
            try (var lines = Files.lines(records)) {
                lines.forEach(line -> TestRecord.parse(line).ifPresent(r -> last.put(r.uniqueId(), r)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return List.copyOf(last.values());
    }

    /** The tag expression of an exercise or a lesson, and its lesson: {@code L01-E2}, {@code lesson01}, {@code 1}. */
    static Catalogue.Lesson lessonOf(String group) {
        return herd.course.ExerciseId.matches(group) ? Catalogue.lesson(herd.course.ExerciseId.parse(group).lesson())
                : Catalogue.lesson(LessonId.parse(group));
    }
}
