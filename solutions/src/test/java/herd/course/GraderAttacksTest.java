package herd.course;

import static org.assertj.core.api.Assertions.assertThat;

import herd.course.tool.Splice;
import herd.course.tool.Trees;
import herd.course.tool.maintainer.Skeletons;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grader, red-teamed: each attack of issue 17 planted in a small submission of an
 * exported edition and graded with {@code java .course/Course.java grade --submission},
 * as an instructor does. Every submission is the honest one (lesson 1 with L01-E1 solved,
 * the rest untouched) plus one attack, and each must grade to the honest score, with the
 * attack reported. The attacks that need code to run past the API check (an orphan, a
 * flood of output, writing the grader's files, System.exit) are planted as an
 * instructor's extra test ({@code --tests}), which the API check does not see, to show the
 * second line: the sandbox, the process group, the capped streams, one JVM per lesson.
 * Slow (nested Maven builds): in the end-to-end profile, {@code mvn -Pe2e verify}.
 */
@Tag("e2e")
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class GraderAttacksTest {
    private static final Pattern SCORE = Pattern.compile("\"score\": ([0-9.]+),\\n  \"execution_time\"");
    private static final Pattern TOTAL = Pattern.compile("Total: ([0-9.]+) / ([0-9.]+)");
    private static final String HEAD = "lesson01-waitqueue/src/main/java/herd/wait/WaitQueueHead.java";

    @TempDir
    static Path shared;
    private static Path edition;
    private static Path reference;
    private static String honestTable;
    private static double honest;

    @BeforeAll
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    static void anEditionAndTheHonestGrade() throws Exception {
        Path root = IsolatedRun.root();
        edition = shared.resolve("edition");
        assertThat(course(root, "export", edition.toString())).contains("Wrote the student edition");
        reference = shared.resolve("reference");
        Skeletons.writeReferences(root, reference, null);
        honestTable = grade(submission("honest", s -> { }), shared.resolve("honest-out"));
        honest = total(honestTable);
        assertThat(honestTable).as("the honest submission solves L01-E1 and only that")
                .containsPattern("L01-E1 +10 / 10 +pass").containsPattern("L01-E2 +0 / 15 +fail")
                .containsPattern("L01-E6 +0 / 10 +fail");
    }

    // ---- the attacks --------------------------------------------------------------------------

    @Test
    void aStaticInitializerThatRewritesTheRecordsInAShutdownHookIsNotTaken() throws Exception {
        String hook = """
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        java.nio.file.Path dir = java.nio.file.Path.of(System.getProperty("course.grading.dir"));
                        for (java.nio.file.Path f : java.nio.file.Files.list(dir).toList()) {
                            java.util.List<String> lines = new java.util.ArrayList<>();
                            for (String l : java.nio.file.Files.readAllLines(f)) {
                                lines.add(l.replaceFirst("^(failed|started|skipped)\\t", "passed\\t"));
                            }
                            java.nio.file.Files.write(f, lines);
                        }
                    } catch (Exception e) {
                        // nothing
                    }
                }));
                """;
        Path s = submission("shutdown-hook", sub -> {
            edit(sub.resolve(HEAD), t -> t.replace("public final class WaitQueueHead {",
                    "public final class WaitQueueHead {\n    static {\n" + hook + "    }\n"));
            edit(sub.resolve(HEAD), t -> region(t, "L01-E2", 1, hook + "        return nrExclusive;"));
        });
        String table = grade(s, out("shutdown-hook"));
        assertHonest(table);
        assertThat(table).contains(HEAD + ": changed outside the exercise regions; those changes are ignored")
                .contains("L01-E2 (lesson01-waitqueue/src/main/java/herd/wait/WaitQueueHead.java:")
                .contains("uses java.lang.Runtime.addShutdownHook, which exercise code may not use");
    }

    @Test
    void codeThatLooksForTheOutputFolderThroughProcToRewriteResultsJsonLaterIsRefused() throws Exception {
        Path s = submission("proc", sub -> edit(sub.resolve(HEAD), t -> region(t, "L01-E2", 1, """
                try {
                    for (ProcessHandle p = ProcessHandle.current(); p != null; p = p.parent().orElse(null)) {
                        String args = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + p.pid() + "/cmdline"));
                        int at = args.indexOf("--out\\0");
                        if (at >= 0) {
                            String out = args.substring(at + 6).split("\\0")[0];
                            new ProcessBuilder("sh", "-c", "sleep 3; echo '{\\"score\\": 425}' > " + out + "/results.json")
                                    .start();
                        }
                    }
                } catch (Exception e) {
                    // nothing
                }
                return nrExclusive;""")));
        Path out = out("proc");
        String table = grade(s, out);
        assertHonest(table);
        assertThat(table).contains("uses java.lang.ProcessHandle.current", "uses java.nio.file.Files.readString",
                "uses java.lang.ProcessBuilder");
        assertThat(score(out)).isEqualTo(honest);
        assertThat(sandboxProcesses(table)).as("no process of the sandbox user is left once the grader is done")
                .isEmpty();
    }

    @Test
    void compilingTheReferenceAtRunTimeAndRetransformingClassesIsRefused() throws Exception {
        Path s = submission("retransform", sub -> edit(sub.resolve(HEAD), t -> region(t, "L01-E2", 1, """
                try {
                    javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
                    javac.run(null, null, null, "-d", "/tmp/ref", ".course/reference/all/lesson01-waitqueue/src/main/java/herd/wait/WaitQueueHead.java");
                    java.lang.instrument.Instrumentation agent = (java.lang.instrument.Instrumentation) Class
                            .forName("org.mockito.internal.creation.bytebuddy.InlineDelegateByteBuddyMockMaker")
                            .getDeclaredField("INSTRUMENTATION").get(null);
                    agent.retransformClasses(WaitQueueHead.class);
                } catch (Exception e) {
                    // nothing
                }
                return nrExclusive;""")));
        String table = grade(s, out("retransform"));
        assertHonest(table);
        assertThat(table).contains("uses javax.tools.ToolProvider.getSystemJavaCompiler", "uses java.lang.Class.forName",
                "java.lang.instrument.Instrumentation");
        assertThat(edition.resolve(".course/reference")).as("the default edition has no reference to compile")
                .doesNotExist();
    }

    @Test
    void theSubmissionsOwnTestsListenerAndDeletedTestsAreIgnored() throws Exception {
        Path s = submission("own-tests", sub -> {
            StringBuilder farm = new StringBuilder("""
                    package herd.wait;

                    import org.junit.jupiter.api.RepeatedTest;
                    import org.junit.jupiter.api.Tag;

                    @Tag("lesson01")
                    class PointsFarmTest {
                    """);
            for (int e = 1; e <= 6; e++) {
                farm.append("    @RepeatedTest(2000) @Tag(\"L01-E").append(e).append("\") void e").append(e)
                        .append("() { }\n");
            }
            write(sub.resolve("lesson01-waitqueue/src/test/java/herd/wait/PointsFarmTest.java"), farm + "}\n");
            delete(sub.resolve("lesson01-waitqueue/src/test/java/herd/wait/WakeUpCommonTest.java"));
            edit(sub.resolve("lesson01-waitqueue/src/test/java/herd/course/GradingListener.java"), t -> t.replace(
                    "boolean passed = result.getStatus() == TestExecutionResult.Status.SUCCESSFUL;",
                    "boolean passed = true;"));
        });
        String table = grade(s, out("own-tests"));
        assertHonest(table);
        assertThat(table).contains("differ from the course and are ignored",
                "lesson01-waitqueue/src/test/java/herd/wait/PointsFarmTest.java (not in the course)",
                "lesson01-waitqueue/src/test/java/herd/course/GradingListener.java (changed)");
    }

    @Test
    void theLessonsPomAndReadmeAreTheInstructors() throws Exception {
        Path s = submission("pom", sub -> {
            edit(sub.resolve("lesson01-waitqueue/pom.xml"), t -> t.replace("<build>", """
                    <build>
                        <sourceDirectory>../.course/reference/all/lesson01-waitqueue/src/main/java</sourceDirectory>
                    """).replace("<plugins>", """
                    <plugins>
                          <plugin>
                            <groupId>org.codehaus.mojo</groupId>
                            <artifactId>exec-maven-plugin</artifactId>
                            <executions><execution><id>forge</id><phase>verify</phase><goals><goal>exec</goal></goals>
                              <configuration><executable>sh</executable><arguments><argument>-c</argument>
                                <argument>sed -i 's/^failed/passed/' ${course.grading.dir}/*.tsv</argument>
                              </arguments></configuration></execution></executions>
                          </plugin>
                          <plugin>
                            <artifactId>maven-surefire-plugin</artifactId>
                            <configuration><excludes><exclude>**/WakeUpCommonTest.java</exclude></excludes></configuration>
                          </plugin>
                    """));
            edit(sub.resolve("lesson01-waitqueue/README.md"), t -> t.replace("### L01-E2 · ", "### L01-E9 · "));
        });
        String table = grade(s, out("pom"));
        assertHonest(table);
        assertThat(table).contains("lesson01-waitqueue/pom.xml (changed)", "lesson01-waitqueue/README.md (changed)");
    }

    @Test
    void hiddenTestsStayHiddenAndNoPathOfTheInstructorsReachesResultsJson() throws Exception {
        Path hidden = shared.resolve("instructor-hidden");
        write(hidden.resolve("lesson01-waitqueue/src/test/java/herd/wait/HiddenPlacementTest.java"), """
                package herd.wait;

                import static org.assertj.core.api.Assertions.assertThat;

                import org.junit.jupiter.api.Tag;
                import org.junit.jupiter.api.Test;

                @Tag("lesson01") @Tag("hidden")
                class HiddenPlacementTest {
                    // the secret input: 424242
                    @Test @Tag("L01-E1")
                    void anEntryAddedIsQueued() {
                        WaitQueueHead q = new WaitQueueHead("hidden-424242");
                        q.addWaitQueueLocked(new WaitQueueEntry(null, null, 0));
                        assertThat(q.head.entries()).hasSize(1);
                    }

                    @Test @Tag("L01-E2")
                    void theWalkOfAnEmptyQueueKeepsTheBudget() {
                        assertThat(new WaitQueueHead("hidden-424242").wakeUpCommon(0, 3, 0, 0)).isEqualTo(3);
                    }
                }
                """);
        Path s = submission("hidden", sub -> edit(sub.resolve(HEAD), t -> region(t, "L01-E2", 1, """
                StringBuilder seen = new StringBuilder();
                try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(java.nio.file.Path.of("..", ".."))) {
                    for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith("HiddenPlacementTest.java")).toList()) {
                        seen.append(f.toAbsolutePath()).append(java.nio.file.Files.readString(f));
                    }
                } catch (Exception e) {
                    // nothing
                }
                throw new IllegalStateException(seen.toString() + name);""")));
        Path out = out("hidden");
        String table = grade(s, out, "--tests", hidden.toString());

        assertThat(table).contains("uses java.nio.file.Files.walk").containsPattern("L01-E1 +10 / 10 +pass")
                .containsPattern("L01-E2 +0 / 15 +fail");
        String json = Files.readString(out.resolve("results.json"));
        assertThat(json).doesNotContain(shared.toString(), edition.toString(), hidden.toString(), "424242",
                "HiddenPlacementTest.java", "/tmp/");
        assertThat(json).containsPattern("\"name\": \"L01-E1 · HiddenPlacementTest · anEntryAddedIsQueued\\(\\)\", "
                + "\"score\": [0-9.]+, \"max_score\": [0-9.]+, \"status\": \"passed\".*\"visibility\": \"after_due_date\"");
        for (String entry : json.split("\n")) {
            if (entry.contains("\"status\": \"failed\"") && entry.contains("\"visibility\": \"visible\"")) {
                assertThat(entry).as("a visible failing test of a lesson with hidden tests")
                        .contains("is shown after the due date");
            }
        }
        assertThat(json).contains("\"name\": \"lesson01 · the failure messages of the visible tests\"");
    }

    @Test
    void outOfMemoryCostsTheLessonsRunAndIsReportedAsSuch() throws Exception {
        Path s = submission("oom", sub -> edit(sub.resolve(HEAD), t -> region(t, "L01-E2", 1, """
                java.util.List<long[]> hog = new java.util.ArrayList<>();
                while (hog.size() >= 0) {
                    hog.add(new long[1 << 20]);
                }
                return nrExclusive;""")));
        String table = grade(s, out("oom"));
        assertThat(table).contains("lesson01-waitqueue: the test JVM exited: System.exit or out of memory")
                .doesNotContain("wall-clock limit", "an endless loop");
    }

    @Test
    void systemExitIsRefusedAndCostsOnlyItsLessonWhenItRunsAnyway() throws Exception {
        Path s = submission("exit", sub -> edit(sub.resolve(HEAD), t -> region(t, "L01-E2", 1, """
                System.exit(0);
                return nrExclusive;""")));
        String refused = grade(s, out("exit"));
        assertHonest(refused);
        assertThat(refused).contains("uses java.lang.System.exit");

        // Past the API check (an instructor's test is not checked), System.exit ends lesson 1's JVM only.
        Path planted = shared.resolve("planted-exit");
        write(planted.resolve("lesson01-waitqueue/src/test/java/herd/wait/ExitTest.java"), """
                package herd.wait;

                import org.junit.jupiter.api.Tag;
                import org.junit.jupiter.api.Test;

                @Tag("lesson01") @Tag("L01-E6")
                class ExitTest {
                    @Test
                    void exits() {
                        System.exit(0);
                    }
                }
                """);
        Path out = out("exit-planted");
        String table = grade(submission("honest-2", sub -> { }), out, "--tests", planted.toString(), "--lesson", "1,2");
        assertThat(table).contains("lesson01-waitqueue: the test JVM exited: System.exit or out of memory")
                .doesNotContain("lesson02-eventpoll: the test JVM exited", "wall-clock limit");
        assertThat(table).as("lesson 2 ran: its exercises stop at their own stubs")
                .containsPattern("L02-E1 +0 / 10 +fail +NotDone: L0\\d-E\\d is not done yet");
    }

    @Test
    void codePastTheApiCheckCannotWriteTheGradersFilesNorHangOrFloodIt() throws Exception {
        Path report = shared.resolve("attempts.txt");
        Files.createDirectories(report.getParent());
        Files.writeString(report, "");
        report.toFile().setWritable(true, false);
        shared.toFile().setExecutable(true, false);
        Path planted = shared.resolve("planted-sandbox");
        write(planted.resolve("lesson01-waitqueue/src/test/java/herd/wait/AttackTest.java"), """
                package herd.wait;

                import java.nio.file.Files;
                import java.nio.file.Path;
                import java.nio.file.StandardOpenOption;
                import org.junit.jupiter.api.Tag;
                import org.junit.jupiter.api.Test;

                @Tag("lesson01") @Tag("L01-E6")
                class AttackTest {
                    private static final Path REPORT = Path.of("%s");

                    private static void attempt(String what, java.util.concurrent.Callable<Object> action) {
                        String result;
                        try {
                            action.call();
                            result = "allowed";
                        } catch (Throwable t) {
                            result = "denied";
                        }
                        try {
                            Files.writeString(REPORT, what + ": " + result + "\\n", StandardOpenOption.APPEND);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }

                    private static String outFolder() throws Exception {
                        for (ProcessHandle p = ProcessHandle.current(); p != null; p = p.parent().orElse(null)) {
                            String[] args = Files.readString(Path.of("/proc/" + p.pid() + "/cmdline")).split("\\0");
                            for (int i = 0; i + 1 < args.length; i++) {
                                if (args[i].equals("--out")) {
                                    return args[i + 1];
                                }
                            }
                        }
                        return null;
                    }

                    @Test
                    void attacks() throws Exception {
                        String out = outFolder();
                        attempt("found the output folder", () -> Path.of(out));
                        attempt("write results.json", () -> Files.writeString(Path.of(out, "results.json"), "{}"));
                        attempt("write into the output folder", () -> Files.writeString(Path.of(out, "forged"), "x"));
                        attempt("write a Surefire report", () -> Files.writeString(
                                Path.of("target/surefire-reports/TEST-herd.wait.Forged.xml"), "<testsuite/>"));
                        attempt("read a test's source", () -> Files.readString(
                                Path.of("src/test/java/herd/wait/AttackTest.java")));
                        attempt("forge the records", () -> {
                            Path dir = Path.of(System.getProperty("course.grading.dir"));
                            try (var files = Files.list(dir)) {
                                for (Path f : files.toList()) {
                                    Files.write(f, Files.readAllLines(f).stream()
                                            .map(l -> l.replaceFirst("^failed", "passed")).toList());
                                }
                            }
                            return null;
                        });
                        attempt("leave an orphan that holds stdout and rewrites results.json later", () ->
                                new ProcessBuilder("sh", "-c", "sleep 20; echo forged > " + out + "/results.json")
                                        .inheritIO().start());
                        byte[] line = ("x".repeat(1023) + "\\n").getBytes();
                        for (int i = 0; i < 157 * 1024; i++) {
                            System.out.write(line);
                        }
                        System.out.flush();
                        throw new AssertionError("attack done");
                    }
                }
                """.formatted(report));
        Path out = out("sandbox");
        String table = gradeWithHeap(submission("honest-3", sub -> { }), out, "-Xmx192m", "--tests",
                planted.toString());

        assertThat(table).as("the grader, with a 192 MB heap, finished").contains("Total: ");
        assertThat(total(table)).as("the planted test is one more failing L01-E6 test: the honest score")
                .isEqualTo(honest);
        assertThat(Files.readString(out.resolve("results.json"))).doesNotContain("forged");
        assertThat(out.resolve("forged")).doesNotExist();
        assertThat(Files.size(out.resolve("maven-lesson01.log"))).as("the Maven log is capped").isLessThan(9L << 20);
        assertThat(sandboxProcesses(table)).as("the orphan is gone").isEmpty();
        String attempts = Files.readString(report);
        assertThat(attempts).contains("leave an orphan that holds stdout and rewrites results.json later: ");
        if (table.contains("Sandbox: sandboxed")) {
            assertThat(attempts).contains("write results.json: denied", "write into the output folder: denied",
                    "write a Surefire report: denied", "read a test's source: denied");
            assertThat(table).contains("the test records written in the test JVM disagree with Surefire's report");
        }
    }

    @Test
    void theDefaultEditionShipsNoSolvedExercise() throws IOException {
        assertThat(edition.resolve(".course/reference")).doesNotExist();
        int regions = 0;
        for (Catalogue.Lesson lesson : Catalogue.LESSONS) {
            for (Path f : Trees.files(edition.resolve(lesson.module()).resolve("src/main/java"), ".java")) {
                List<String> lines = Files.readAllLines(f);
                for (Splice.Region r : Splice.regions(lines)) {
                    regions++;
                    assertThat(String.join("\n", lines.subList(r.from(), r.to()))).as(f + " " + r.key())
                            .contains("Todo.exercise(\"" + r.id() + "\"");
                }
            }
        }
        assertThat(regions).isGreaterThan(50);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static void assertHonest(String table) {
        assertThat(total(table)).as("graded as if the attack were not there").isEqualTo(honest);
        for (int e = 1; e <= 6; e++) {
            Matcher m = Pattern.compile("L01-E" + e + " +[0-9.]+ / [0-9]+ +(pass|fail)").matcher(honestTable);
            assertThat(m.find()).isTrue();
            assertThat(table).contains(m.group());
        }
    }

    /** A copy of the edition as a learner hands it in: lesson 1's L01-E1 solved, then {@code attack}. */
    private static Path submission(String name, Consumer<Path> attack) {
        Path s = shared.resolve("submissions").resolve(name);
        Trees.copy(edition, s, p -> Trees.isSource(edition, p) && !edition.relativize(p).startsWith(".git"));
        String solved = Trees.read(reference.resolve("all").resolve(HEAD));
        edit(s.resolve(HEAD), t -> {
            String out = t;
            List<String> ref = solved.lines().toList();
            for (Splice.Region r : Splice.regions(ref)) {
                if (r.id().toString().equals("L01-E1")) {
                    out = region(out, "L01-E1", r.occurrence(), String.join("\n", ref.subList(r.from(), r.to())));
                }
            }
            return out;
        });
        attack.accept(s);
        return s;
    }

    /** {@code text} with the body of the {@code n}-th region of {@code id} replaced. */
    private static String region(String text, String id, int n, String body) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        Splice.Region r = Splice.regions(lines).stream().filter(x -> x.key().equals(id + "#" + n)).findFirst()
                .orElseThrow();
        List<String> out = new ArrayList<>(lines.subList(0, r.from()));
        out.addAll(List.of(body.stripTrailing().split("\n", -1)));
        out.addAll(lines.subList(r.to(), lines.size()));
        return String.join("\n", out);
    }

    private static void edit(Path file, java.util.function.UnaryOperator<String> change) {
        String before = Trees.read(file);
        String after = change.apply(before);
        assertThat(after).as("the attack changes " + file).isNotEqualTo(before);
        Trees.write(file, after);
    }

    private static void write(Path file, String text) {
        Trees.write(file, text);
    }

    private static void delete(Path file) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path out(String name) {
        return shared.resolve("out").resolve(name);
    }

    /** Grades lesson 1 of {@code submission} from the edition, as an instructor does; the console output. */
    private static String grade(Path submission, Path out, String... more) throws IOException, InterruptedException {
        return gradeWithHeap(submission, out, null, more);
    }

    private static String gradeWithHeap(Path submission, Path out, String heap, String... more)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("grade", "--submission", submission.toString(), "--out",
                out.toString()));
        args.addAll(List.of(more));
        if (!args.contains("--lesson")) {
            args.addAll(List.of("--lesson", "1"));
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        if (heap != null) {
            command.add(heap);
        }
        command.add(".course/Course.java");
        command.addAll(args);
        Process p = new ProcessBuilder(command).directory(edition.toFile()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("the grader's exit code; its output:\n" + text).isZero();
        return text;
    }

    static String course(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), ".course/Course.java"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    private static double total(String table) {
        Matcher m = TOTAL.matcher(table);
        assertThat(m.find()).as("a total in:\n" + table).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static double score(Path out) throws IOException {
        Matcher m = SCORE.matcher(Files.readString(out.resolve("results.json")));
        assertThat(m.find()).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** The processes still alive of the sandbox user the grader says it used (none without a sandbox). */
    static List<Long> sandboxProcesses(String table) {
        Matcher user = Pattern.compile("runs as the unprivileged user (\\d+)").matcher(table);
        if (!user.find()) {
            return List.of();
        }
        int uid = Integer.parseInt(user.group(1));
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive).filter(p -> {
            try {
                return ((Number) Files.getAttribute(Path.of("/proc/" + p.pid()), "unix:uid")).intValue() == uid;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }).map(ProcessHandle::pid).toList();
    }
}
