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

    /**
     * The outcome of a run: the compiler's errors, or each test's last record in order, and
     * how many threads the run left running (a test that timed out in an endless loop).
     */
    record Outcome(Build.Errors errors, List<TestRecord> records, int leftRunning) {
    }

    /**
     * Compiles what changed, then runs the tests of {@code lesson} whose tags match
     * {@code tags} (or only {@code test}, {@code Class#method}), with {@code properties}
     * as system properties for the run ({@code course.seed}).
     */
    Outcome run(Catalogue.Lesson lesson, String tags, String test, Map<String, String> properties) {
        Build.Errors errors = build.compile(lesson.id());
        if (errors.any()) {
            return new Outcome(errors, List.of(), 0);
        }
        Path records = build.output(lesson, "records.tsv");
        java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
        Properties saved = (Properties) System.getProperties().clone();
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        java.io.PrintStream out = System.out;
        java.io.PrintStream err = System.err;
        if (test == null) {
            // What tests print (tables, traces) is for one test run on its own (--test), not for a verdict.
            java.io.PrintStream nowhere = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
            System.setOut(nowhere);
            System.setErr(nowhere);
        }
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
            System.setOut(out);
            System.setErr(err);
            Thread.currentThread().setContextClassLoader(previous);
            System.setProperties(saved);
        }
        return new Outcome(errors, read(records), leftRunning(before));
    }

    /**
     * The threads started during a run that are still alive a moment after it: a test that
     * timed out leaves its thread spinning in the learner's loop, and no JVM can stop it.
     */
    private static int leftRunning(java.util.Set<Thread> before) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
        List<Thread> alive;
        do {
            alive = Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t) && t.isAlive())
                    .filter(t -> t.getState() == Thread.State.RUNNABLE && !isJvmThread(t)).toList();
            if (!alive.isEmpty()) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        } while (!alive.isEmpty() && System.nanoTime() < deadline);
        return alive.size();
    }

    /** The JVM's own threads (an attach listener, a signal handler) are not the learner's. */
    private static boolean isJvmThread(Thread t) {
        ThreadGroup group = t.getThreadGroup();
        return group == null || group.getParent() == null;
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
