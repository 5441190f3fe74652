package herd.course.tool;

import static org.assertj.core.api.Assertions.assertThat;

import herd.course.ExerciseId;
import herd.course.LessonId;
import herd.course.tool.maintainer.Skeletons;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The learner's commands of the course tool, in this JVM, on a student edition in which
 * L01-E1 is written and everything else is a stub: what {@code progress}, {@code test}
 * and {@code demo} tell the learner. (Maven's libraries come from this test's class path,
 * so no Maven runs here; the end-to-end checks run the real commands.)
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@Isolated("it swaps System.out and system properties, as the tool does, which concurrent tests would see")
class ToolTest {
    @TempDir
    static Path tmp;
    private static CourseRoot edition;

    @BeforeAll
    static void anEditionWithTheFirstExerciseWritten() throws Exception {
        Path root = Path.of(System.getProperty("course.root"));
        Path dir = tmp.resolve("edition");
        Trees.copy(root, dir, p -> Trees.isSource(root, p) && !root.relativize(p).startsWith("solutions")
                && !root.relativize(p).startsWith(".git"));
        LessonId lesson1 = new LessonId(1);
        for (Map.Entry<Path, String> e : Skeletons.workbook(root, lesson1, id -> !id.equals(ExerciseId.parse("L01-E1")))
                .entrySet()) {
            Trees.write(dir.resolve(lesson1.module()).resolve("src/main/java").resolve(e.getKey()), e.getValue());
        }
        String jars = Arrays.stream(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
                .split(File.pathSeparator)).filter(p -> p.endsWith(".jar") && !p.contains("course.herd")
                && !Path.of(p).toAbsolutePath().startsWith(root)).collect(Collectors.joining("\n"));
        Trees.write(dir.resolve(".course/state/classpath.txt"), jars + "\n");
        edition = new CourseRoot(dir);
    }

    @Test
    void progressSaysWhatIsSolvedWhatIsNextAndWhyALaterLessonFails() throws Throwable {
        String out = run("progress");

        assertThat(out).containsPattern("L01-E1 +solved").containsPattern("L01-E2 +not started")
                .as("lesson 2's exercises fail because lesson 1 is not done, and progress says so")
                .containsPattern("L02-E2 +blocked")
                .containsPattern("fail probably because L01-E\\d fails")
                .contains("Next: L01-E2 · The walk: __wake_up_common",
                        "test  java .course/Course.java test L01-E2")
                .as("what the tests print goes nowhere: progress shows only its table").doesNotContain("| case");
        assertThat(out.lines().filter(l -> l.startsWith("lesson")).count()).as("a line per lesson").isEqualTo(5);
    }

    @Test
    void testGivesTheVerdictOfOneExerciseInAFewLines() throws Throwable {
        String solved = run("test", "L01-E1");
        assertThat(solved).containsPattern("L01-E1 · .*: (\\d+) of \\1 tests pass\\. Solved\\.");

        String notDone = run("test", "L01-E2");
        assertThat(notDone).containsPattern("L01-E2 · The walk: __wake_up_common: 0 of \\d+ tests pass")
                .containsPattern("todo  L01-E2 is not done yet \\(\\d+ tests stop at its stub\\): see "
                        + "lesson01-waitqueue/README.md#l01-e2")
                .contains("hint: java .course/Course.java hint L01-E2")
                .doesNotContain("\tat ", "Suppressed", "RunContext");
        assertThat(notDone.lines().filter(l -> !l.isBlank()).count()).as("lines of a not-done verdict").isLessThan(5);
    }

    @Test
    void aDemoNamesTheFirstExerciseItStillNeeds() throws Throwable {
        assertThat(run("demo", "lesson01")).contains("L01-E2 is not written yet",
                "The first exercise to do is L01-E2");
        assertThat(run("demo", "HerdTable")).as("a lesson-4 program needs lessons 1 to 4")
                .contains("your code of lessons 1 to 4, and L01-E2 is not written yet");
    }

    private static String run(String... words) throws Throwable {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream previous = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            Main.run(Args.parse(words), edition);
        } finally {
            System.setOut(previous);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
