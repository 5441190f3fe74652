package herd.course;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestTag;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Records every test's outcome as a {@link TestRecord} line, written and flushed
 * as each test starts and ends, so that a test JVM killed by the backstop keeps what it had
 * (a test cut off shows as started and never finished). The course tool's runner gives it
 * a file; under Maven it is registered through {@code META-INF/services} and active only
 * when the system property {@code course.grading.dir} names a folder.
 */
public final class GradingListener implements TestExecutionListener {
    private final Path file;

    /** Called by the JUnit Platform: records into {@code course.grading.dir}, if set. */
    public GradingListener() {
        this(fileIn(System.getProperty("course.grading.dir")));
    }

    /** Records into {@code file}; null records nothing. */
    public GradingListener(Path file) {
        this.file = file;
    }

    private static Path fileIn(String dir) {
        return dir == null || dir.isBlank() ? null : Path.of(dir, "tests-" + ProcessHandle.current().pid() + ".tsv");
    }

    @Override
    public void executionStarted(TestIdentifier test) {
        write(test, TestRecord.STARTED, null, "");
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        write(test, TestRecord.SKIPPED, null, reason);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        boolean passed = result.getStatus() == TestExecutionResult.Status.SUCCESSFUL;
        write(test, passed ? TestRecord.PASSED : TestRecord.FAILED, result.getThrowable().orElse(null), "");
    }

    private void write(TestIdentifier test, String status, Throwable thrown, String skipReason) {
        if (file == null || !test.isTest()) {
            return;
        }
        List<String> tags = test.getTags().stream().map(TestTag::getName).toList();
        String exercise = ExerciseId.among(tags).map(ExerciseId::toString).orElse("");
        String notDone = thrown == null ? "" : Todo.notDoneIn(thrown).map(n -> n.id().toString()).orElse("");
        String reason = thrown == null ? skipReason : Failures.firstLine(thrown);
        String detail = thrown == null ? "" : Failures.messages(thrown);
        TestRecord record = new TestRecord(status, exercise, test.getUniqueId(), test.getDisplayName(), notDone,
                reason, detail, tags.contains("hidden") ? "after_due_date" : "visible");
        try {
            Files.createDirectories(file.getParent());
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND)) {
                out.write(record.toLine() + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the test record " + file, e);
        }
    }
}
