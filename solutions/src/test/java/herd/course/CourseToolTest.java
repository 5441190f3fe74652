package herd.course;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learners' and instructors' tool, end to end, as they run it: {@code java
 * .course/Course.java ...} in an exported student edition, with Maven doing the builds.
 * Slow (nested Maven builds): part of the end-to-end profile, {@code mvn -Pe2e verify}.
 */
@Tag("e2e")
class CourseToolTest {
    /** An exercise's points in .course/points.properties (10 when not listed, as the grader has it). */
    private int points(String id) {
        try (var in = Files.newBufferedReader(root.resolve(".course/points.properties"))) {
            Properties points = new Properties();
            points.load(in);
            return Integer.parseInt(points.getProperty(id, "10"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final Pattern SCORE = Pattern.compile("\"score\": ([0-9.]+),\\n  \"execution_time\"");
    private static final Pattern TEST = Pattern.compile("\\{\"name\": .*?\"score\": ([0-9.]+), \"max_score\": "
            + "([0-9.]+), \"status\": \"(passed|failed)\"");

    private final Path root = IsolatedRun.root();

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void theStudentEditionBuildsAndGradesToZeroWithEveryExerciseFailed(@TempDir Path tmp) throws Exception {
        Path edition = tmp.resolve("edition");
        assertThat(course(root, "export", edition.toString())).contains("Wrote the student edition");

        assertThat(edition.resolve("solutions")).doesNotExist();
        assertThat(Files.readString(edition.resolve("pom.xml"))).doesNotContain("<id>maintainer</id>", "<id>reference</id>")
                .contains("<id>grade</id>");
        assertThat(Files.readString(edition.resolve("README.md"))).doesNotContain("maintainer-only", "Skeletons.java")
                .contains("java .course/Course.java demo      # the demo, on your own code");
        assertThat(edition.resolve(".course/reference")).as("the default edition has no reference").doesNotExist();
        assertThat(edition.resolve(".git")).as("the edition is a git repository").isDirectory();

        String table = course(edition, "grade", "--out", tmp.resolve("grade").toString());
        List<Double[]> tests = tests(tmp.resolve("grade/results.json"));
        assertThat(tests).as("graded tests").hasSizeGreaterThan(50).allSatisfy(t -> assertThat(t[0]).isZero());
        assertThat(score(tmp.resolve("grade/results.json"))).isZero();
        for (Catalogue.Exercise ex : Catalogue.exercises()) {
            // A later lesson's tests stop at the first stub they reach, which may be an earlier lesson's.
            assertThat(table).containsPattern(ex.id().lesson().tag() + " +" + ex.id()
                    + " +0 / \\d+ +fail +.*" + ExerciseId.PATTERN + " is not done yet");
        }
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void theReferenceGradesToFullMarksWithAnInstructorsHiddenTest(@TempDir Path tmp) throws Exception {
        Path hidden = tmp.resolve("hidden/lesson01-waitqueue/src/test/java/herd/wait/HiddenBudgetTest.java");
        Files.createDirectories(hidden.getParent());
        Files.writeString(hidden, """
                package herd.wait;

                import static org.assertj.core.api.Assertions.assertThat;

                import org.junit.jupiter.api.Tag;
                import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

                @Tag("lesson01") @Tag("L01-E2") @Tag("hidden")
                class HiddenBudgetTest {
                    @Test
                    void anEmptyQueueKeepsTheWholeBudget() {
                        assertThat(new WaitQueueHead("q").wakeUpCommon(0, 3, 0, 0)).isEqualTo(3);
                    }
                }
                """);
        Path edition = withReference(tmp);
        String table = course(edition, "grade", "--reference-all", "--tests", tmp.resolve("hidden").toString(),
                "--out", tmp.toString());

        assertThat(tmp.resolve("results.json")).content().containsPattern("\\{\"name\": \"L01-E2 · HiddenBudgetTest · "
                + "anEmptyQueueKeepsTheWholeBudget\\(\\)\", \"score\": [0-9.]+, \"max_score\": [0-9.]+, \"status\": "
                + "\"passed\".*\"visibility\": \"after_due_date\"}");
        List<Double[]> tests = tests(tmp.resolve("results.json"));
        assertThat(tests).hasSizeGreaterThan(50).allSatisfy(t -> assertThat(t[0]).isEqualTo(t[1]));
        double max = tests.stream().mapToDouble(t -> t[1]).sum();
        assertThat(score(tmp.resolve("results.json"))).isCloseTo(max, org.assertj.core.data.Offset.offset(0.01));
        int total = 0;
        for (Catalogue.Lesson lesson : Catalogue.LESSONS) {
            int points = lesson.exercises().stream().mapToInt(e -> points(e.id().toString())).sum();
            total += points;
            int n = lesson.exercises().size();
            assertThat(tmp.resolve("summary.txt")).content()
                    .contains(lesson.module() + ": " + points + " / " + points + " points, " + n + " of " + n);
        }
        assertThat(table).contains(String.format("Total: %d.00 / %d.00", total, total));
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void anEndlessLoopCostsOnlyItsOwnExercise(@TempDir Path tmp) throws Exception {
        Path spinning = tmp.resolve("extra/lesson01-waitqueue/src/test/java/herd/wait/AaaSpinningTest.java");
        Files.createDirectories(spinning.getParent());
        Files.writeString(spinning, """
                package herd.wait;

                import org.junit.jupiter.api.Tag;
                import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

                @Tag("lesson01") @Tag("L01-E2")
                class AaaSpinningTest {
                    @Test
                    void spinsForeverIgnoringInterrupts() {
                        while (true) {
                            Thread.onSpinWait();
                        }
                    }

                    @Test
                    void spinsForeverToo() {
                        spinsForeverIgnoringInterrupts();
                    }
                }
                """);
        String table = course(withReference(tmp), "grade", "--reference-all", "--tests", tmp.resolve("extra").toString(),
                "--out", tmp.toString(), "-Dcourse.test.timeout=2 s");

        assertThat(table).containsPattern("L01-E2 +\\d+\\.\\d+ / 15 +fail +TimeoutException: ")
                .containsPattern("L01-E1 +10 / 10 +pass").containsPattern("L01-E5 +20 / 20 +pass");
        assertThat(tmp.resolve("results.json")).as("the second endless test is skipped, not waited out").content()
                .contains("not run: an earlier test of L01-E2 timed out");
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void catchUpSolvesTheLessonsBeforeButLeavesTheLaterLessonsExercisesInTheirFiles(@TempDir Path tmp)
            throws Exception {
        Path edition = withReference(tmp);
        Path ctl = edition.resolve("lesson02-eventpoll/src/main/java/herd/epoll/EpollCtl.java");
        String workbook = Files.readString(ctl);

        assertThat(course(edition, "catch-up", "3")).contains("lesson02-eventpoll: now the reference");
        assertThat(Files.readString(ctl)).as("lesson 2's own exercises, solved by the catch-up")
                .doesNotContain("Todo.exercise(\"L02-")
                .as("lesson 5's EPOLLEXCLUSIVE exercises in the same file: still the learner's to write")
                .contains("Todo.exercise(\"L05-E1\"", "Todo.exercise(\"L05-E3\"")
                .doesNotContain("@exercise");

        assertThat(course(edition, "restore")).contains("lesson02-eventpoll: your own work is back");
        assertThat(Files.readString(ctl)).as("the learner's file after restore").isEqualTo(workbook);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void hintsComeOneLevelAtATime(@TempDir Path tmp) throws Exception {
        Path edition = tmp.resolve("edition");
        course(root, "export", edition.toString());

        assertThat(course(edition, "hint", "L01-E2")).contains("Hint 1 of 3").doesNotContain("Hint 2");
        assertThat(course(edition, "hint", "L01-E2")).contains("Hint 2 of 3").doesNotContain("Hint 1 ");
        assertThat(course(edition, "hint", "L01-E2", "--all")).contains("Hint 1 of 3", "Hint 2 of 3", "Hint 3 of 3");
        assertThat(course(edition, "catch-up", "2")).contains("no reference of lesson01-waitqueue", "exported without it");
    }

    /** An edition exported with the reference, for self-study. */
    private Path withReference(Path tmp) throws IOException, InterruptedException {
        Path edition = tmp.resolve("edition-with-reference");
        assertThat(course(root, "export", edition.toString(), "--with-reference")).contains("Wrote the student edition");
        return edition;
    }

    private static String course(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), ".course/Course.java"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    private static double score(Path results) throws IOException {
        Matcher m = SCORE.matcher(Files.readString(results));
        assertThat(m.find()).as("a top-level score in " + results).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** Each test's (score, max_score) in a results.json. */
    private static List<Double[]> tests(Path results) throws IOException {
        List<Double[]> tests = new ArrayList<>();
        Matcher m = TEST.matcher(Files.readString(results));
        while (m.find()) {
            tests.add(new Double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))});
        }
        return tests;
    }
}
