package herd.course;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestTag;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Records every lesson test's outcome for the grader, one line per test, written and
 * flushed as each test ends so that a fork killed by the backstop keeps what it had.
 * Active only when the system property {@code course.grading.dir} names a folder
 * (the grading run sets it); registered through {@code META-INF/services}.
 *
 * <p>A line is tab-separated: {@code status, lesson, exercise, test, display name,
 * first line of the reason, visibility}, with tabs and line breaks in the text
 * escaped. Visibility is Gradescope's: {@code after_due_date} for a test tagged
 * {@code hidden} (an instructor's test kept out of the student edition), else
 * {@code visible}. A
 * {@code started} line precedes each test, so a test cut off by the backstop shows as
 * started and never finished.
 */
public final class GradingListener implements TestExecutionListener {
    private final Path file;

    /** Called by the JUnit Platform. */
    public GradingListener() {
        String dir = System.getProperty("course.grading.dir");
        this.file = dir == null || dir.isBlank() ? null
                : Path.of(dir, "tests-" + ProcessHandle.current().pid() + ".tsv");
    }

    @Override
    public void executionStarted(TestIdentifier test) {
        if (test.isTest()) {
            write(test, "started", "");
        }
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        if (test.isTest()) {
            write(test, "skipped", reason);
        }
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (!test.isTest()) {
            return;
        }
        String reason = result.getThrowable().map(GradingListener::firstLine).orElse("");
        write(test, result.getStatus() == TestExecutionResult.Status.SUCCESSFUL ? "passed" : "failed", reason);
    }

    private static String firstLine(Throwable t) {
        String message = t.getMessage() == null ? t.getClass().getName() : t.getMessage().strip();
        String first = message.lines().filter(l -> !l.isBlank()).findFirst().orElse(message);
        return t.getClass().getSimpleName() + ": " + first;
    }

    private void write(TestIdentifier test, String status, String reason) {
        if (file == null) {
            return;
        }
        List<String> tags = test.getTags().stream().map(TestTag::getName).collect(Collectors.toList());
        String lesson = tags.stream().filter(t -> t.matches("lesson\\d\\d")).findFirst().orElse("");
        String exercise = tags.stream().filter(t -> t.matches("L\\d\\d-E\\d+")).findFirst().orElse("");
        if (exercise.isEmpty()) {
            return;
        }
        String visibility = tags.contains("hidden") ? "after_due_date" : "visible";
        String line = String.join("\t", status, lesson, exercise, escape(test.getUniqueId()),
                escape(test.getDisplayName()), escape(reason), visibility) + "\n";
        try {
            Files.createDirectories(file.getParent());
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND)) {
                out.write(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the grading record " + file, e);
        }
    }

    private static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "");
    }
}
