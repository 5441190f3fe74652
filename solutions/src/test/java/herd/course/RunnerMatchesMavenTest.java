package herd.course;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The course tool's fast runner ({@code test}, {@code watch}, {@code progress}) gives the
 * verdicts Maven gives, test by test: on the untouched workbook, on lessons caught up to
 * the reference, and on a known-wrong implementation. End to end: {@code mvn -Pe2e verify}.
 */
@Tag("e2e")
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class RunnerMatchesMavenTest {
    private static final String WAKE_ALL_ORIGINAL = "&& --nrExclusive == 0) {";
    private static final String WAKE_ALL_MUTANT = "&& --nrExclusive == Integer.MIN_VALUE) {";

    private final Path root = IsolatedRun.root();

    @Test
    void theSameTestsPassAndFailUnderBothRunners(@TempDir Path tmp) throws Exception {
        Path edition = tmp.resolve("edition");
        assertThat(EditionTest.run(root, "java .course/Course.java export " + edition + " --with-reference", 3).output())
                .contains("Wrote the student edition");
        List<String> lessons = List.of("lesson01", "lesson02", "lesson03");

        assertSameVerdicts(edition, "the untouched workbook", lessons);

        assertThat(EditionTest.run(edition, "java .course/Course.java catch-up 3", 1).output()).contains("now the reference");
        assertSameVerdicts(edition, "lessons 1 and 2 caught up to the reference", lessons);

        Path queue = edition.resolve("lesson01-waitqueue/src/main/java/herd/wait/WaitQueueHead.java");
        String reference = Files.readString(queue);
        assertThat(reference).contains(WAKE_ALL_ORIGINAL);
        Files.writeString(queue, reference.replace(WAKE_ALL_ORIGINAL, WAKE_ALL_MUTANT));
        Map<String, Boolean> mutant = assertSameVerdicts(edition, "a wake-all mutant of __wake_up_common",
                List.of("lesson01"));
        assertThat(mutant.values()).as("the mutant fails some tests").contains(false);
    }

    /** Runs {@code lessons} through both runners; asserts the same verdict per test; returns them. */
    private Map<String, Boolean> assertSameVerdicts(Path edition, String what, List<String> lessons) throws Exception {
        Map<String, Boolean> fast = new TreeMap<>();
        for (String lesson : lessons) {
            EditionTest.run(edition, "java .course/Course.java test " + lesson, 5);
            Path records = edition.resolve(".course/state/build").resolve(LessonId.parse(lesson).module())
                    .resolve("records.tsv");
            fast.putAll(verdicts(List.of(records)));
        }
        Path dir = Files.createTempDirectory("maven-records");
        String modules = String.join(",", lessons.stream().map(l -> LessonId.parse(l).module()).toList());
        EditionTest.Run maven = EditionTest.run(edition, "mvn -B -q -P grade -pl " + modules + " -Dgroups="
                + String.join(",", lessons) + " -Dcourse.grading.dir=" + dir + " verify", 10);
        assertThat(maven.timedOut()).as("Maven on " + what).isFalse();
        try (Stream<Path> files = Files.list(dir)) {
            Map<String, Boolean> slow = verdicts(files.toList());
            assertThat(fast).as("tests run by the fast runner on " + what).isNotEmpty();
            assertThat(fast).as("the fast runner's verdicts against Maven's, test by test, on " + what)
                    .isEqualTo(slow);
        }
        return fast;
    }

    private static Map<String, Boolean> verdicts(List<Path> files) throws IOException {
        Map<String, Boolean> out = new TreeMap<>();
        for (Path file : files) {
            for (String line : Files.readAllLines(file)) {
                TestRecord.parse(line).filter(r -> !r.status().equals(TestRecord.STARTED))
                        .ifPresent(r -> out.put(r.uniqueId(), r.passed()));
            }
        }
        return out;
    }
}
