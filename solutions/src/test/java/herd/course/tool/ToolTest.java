package herd.course.tool;

import static org.assertj.core.api.Assertions.assertThat;

import herd.course.ExerciseId;
import herd.course.LessonId;
import herd.course.tool.maintainer.Skeletons;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
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

    @ParameterizedTest(name = "watch {0}")
    @ValueSource(strings = {"with file events", "--poll"})
    void watchRunsTheTestsOnEverySaveMovesOnWhenTheyPassAndAnswersKeys(String mode) throws Throwable {
        Path root = Path.of(System.getProperty("course.root"));
        Path file = edition.dir().resolve("lesson01-waitqueue/src/main/java/herd/wait/WaitQueueHead.java");
        String stub = Files.readString(file);
        String solved = Skeletons.workbook(root, new LessonId(1), id -> !id.equals(ExerciseId.parse("L01-E1"))
                && !id.equals(ExerciseId.parse("L01-E2"))).get(Path.of("herd/wait/WaitQueueHead.java"));
        PipedOutputStream keys = new PipedOutputStream();
        InputStream keyboard = new PipedInputStream(keys);
        Lines screen = new Lines();
        InputStream previousIn = System.in;
        PrintStream previousOut = System.out;
        System.setIn(keyboard);
        System.setOut(new PrintStream(screen, true, StandardCharsets.UTF_8));
        String[] words = mode.equals("--poll") ? new String[] {"watch", "L01-E2", "--poll"}
                : new String[] {"watch", "L01-E2"};
        CompletableFuture<Integer> watch = CompletableFuture.supplyAsync(() -> {
            try {
                return Main.run(Args.parse(words), edition);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            screen.await("L01-E2 · The walk: __wake_up_common: 0 of \\d+ tests pass");
            screen.await("\\(\\d+\\.\\d s\\) Watching .*Keys: h hint, p progress, q quit\\.");
            for (int save = 1; save <= 3; save++) {
                Files.writeString(file, stub); // an editor's save, nothing changed
                screen.await("L01-E2 · The walk: __wake_up_common: 0 of \\d+ tests pass");
                screen.await("\\(\\d+\\.\\d s\\) Watching .*");
            }
            Files.writeString(file, solved);
            screen.await("L01-E2 · .*: (\\d+) of \\1 tests pass\\. Solved\\.");
            screen.await(".*L01-E2 passes\\. On to L01-E3 · .*");
            screen.await("L01-E3 · .*: 0 of \\d+ tests pass");
            keys.write('h');
            keys.flush();
            screen.await("Hint 1 of \\d+:");
            keys.write('q');
            keys.flush();
            assertThat(watch.get(1, TimeUnit.MINUTES)).as("watch ends on q").isZero();
        } finally {
            System.setIn(previousIn);
            System.setOut(previousOut);
            keys.close();
            Files.writeString(file, stub);
            Files.deleteIfExists(edition.dir().resolve(".course/state/hints.properties"));
        }
    }

    @Test
    void aSaveThatKeepsTheApiRecompilesItsModuleOnlyAndOneThatChangesItRecompilesWhatDependsOnIt() throws Exception {
        Build build = new Build(edition);
        LessonId lesson1 = new LessonId(1);
        Path entry = edition.dir().resolve("lesson01-waitqueue/src/main/java/herd/wait/WaitQueueEntry.java");
        Path mainClass = build.output(herd.course.Catalogue.lesson(lesson1), "classes")
                .resolve("herd/wait/WaitQueueEntry.class");
        Path testClass = build.output(herd.course.Catalogue.lesson(lesson1), "test-classes")
                .resolve("herd/wait/WakeUpCommonTest.class");
        String original = Files.readString(entry);
        try {
            assertThat(build.compile(lesson1).any()).isFalse();
            long main = Files.getLastModifiedTime(mainClass).toMillis();
            long tests = Files.getLastModifiedTime(testClass).toMillis();

            Files.writeString(entry, original.replace("    public static final int WQ_FLAG_EXCLUSIVE = 0x01;",
                    "    public static final int WQ_FLAG_EXCLUSIVE = 0x01; // a comment and a private member\n"
                            + "    private static int unused;"));
            assertThat(build.compile(lesson1).any()).isFalse();
            assertThat(Files.getLastModifiedTime(mainClass).toMillis()).as("the changed module is compiled").isNotEqualTo(main);
            assertThat(Files.getLastModifiedTime(testClass).toMillis())
                    .as("the tests are compiled against the API, which did not change").isEqualTo(tests);

            // javac copies a constant into the code that reads it: a new value must recompile the tests
            Files.writeString(entry, original.replace("WQ_FLAG_EXCLUSIVE = 0x01;", "WQ_FLAG_EXCLUSIVE = 0x02;"));
            assertThat(build.compile(lesson1).any()).isFalse();
            assertThat(Files.getLastModifiedTime(testClass).toMillis()).as("a new constant is a new API").isNotEqualTo(tests);
        } finally {
            Files.writeString(entry, original);
            build.compile(lesson1);
        }
    }

    /** What the tool writes, line by line, for a test to wait on (never longer than a minute a line). */
    private static final class Lines extends OutputStream {
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private final List<String> seen = new ArrayList<>();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                lines.add(line.toString(StandardCharsets.UTF_8).replace("\033[H\033[2J", ""));
                line.reset();
            } else {
                line.write(b);
            }
        }

        /** Waits for the next line that matches {@code regex}. */
        void await(String regex) throws InterruptedException {
            for (String l = lines.poll(1, TimeUnit.MINUTES); l != null; l = lines.poll(1, TimeUnit.MINUTES)) {
                seen.add(l);
                if (l.matches(regex)) {
                    return;
                }
            }
            throw new AssertionError("no line matches " + regex + " within a minute; the tool wrote:\n"
                    + String.join("\n", seen));
        }
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
