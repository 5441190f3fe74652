package herd.course.tool;

import static org.assertj.core.api.Assertions.assertThat;

import herd.course.Catalogue;
import herd.course.ExerciseId;
import herd.course.LessonId;
import herd.course.TestRecord;
import herd.course.tool.maintainer.Skeletons;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grader's parts that decide what is graded, without running Maven: splicing the
 * exercise regions out of a submission, the API check, the score from Surefire's reports
 * against the trusted list of tests, the paths kept out of results.json, and the reference
 * an edition carries. The whole grader, attacked, is {@code herd.course.GraderAttacksTest}.
 */
class GraderPartsTest {
    private static final Path ROOT = Path.of(System.getProperty("course.root", "."));
    private static final Path HEAD = ROOT.resolve("lesson01-waitqueue/src/main/java/herd/wait/WaitQueueHead.java");

    private static String workbook() {
        return Trees.read(HEAD);
    }

    /** The workbook file with the text of one region (the {@code n}-th of {@code id}) replaced. */
    private static String withRegion(String text, String id, int n, String body) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        Splice.Region r = Splice.regions(lines).stream().filter(x -> x.key().equals(id + "#" + n)).findFirst()
                .orElseThrow();
        List<String> out = new ArrayList<>(lines.subList(0, r.from()));
        out.addAll(List.of(body.split("\n", -1)));
        out.addAll(lines.subList(r.to(), lines.size()));
        return String.join("\n", out);
    }

    @Test
    void everyWorkbookFileHasWellFormedRegionsAndSplicesIntoItselfUnchanged() {
        int regions = 0;
        for (Catalogue.Lesson lesson : Catalogue.LESSONS) {
            for (Path f : Trees.files(ROOT.resolve(lesson.module()).resolve("src/main/java"), ".java")) {
                String text = Trees.read(f);
                regions += Splice.regions(text.lines().toList()).size();
                Splice.Result r = Splice.splice(f.toString(), text, text);
                assertThat(r.text()).isEqualTo(text);
                assertThat(r.notes()).isEmpty();
            }
        }
        assertThat(regions).as("regions in the workbooks").isGreaterThan(50);
    }

    @Test
    void onlyTheRegionsAreTakenAndAChangeOutsideThemIsReportedAndIgnored() {
        String trusted = workbook();
        String answer = "        head.add(wqEntry.entry);";
        String attacked = withRegion(trusted, "L01-E1", 1, answer).replace("public final class WaitQueueHead {",
                "public final class WaitQueueHead {\n    static { Runtime.getRuntime().addShutdownHook(new Thread(() -> { })); }");
        assertThat(attacked).contains("addShutdownHook");

        Splice.Result r = Splice.splice("WaitQueueHead.java", trusted, attacked);

        assertThat(r.text()).isEqualTo(withRegion(trusted, "L01-E1", 1, answer)).doesNotContain("addShutdownHook");
        assertThat(r.notes()).singleElement().asString().contains("changed outside the exercise regions")
                .contains("ignored");
        assertThat(r.refused()).isEmpty();
    }

    @Test
    void aRegionThatReachesOutsideItsBlockIsRefusedAndKeepsItsStub() {
        String trusted = workbook();
        for (String escape : List.of(
                "        }\n    static { System.exit(0); }\n    void more() {",
                "        /* the given code below is commented out",
                "        // \\u000a } static { System.exit(0); } void more() {",
                "        String s = \"open;",
                "        if (true) { return; ")) {
            Splice.Result r = Splice.splice("WaitQueueHead.java", trusted, withRegion(trusted, "L01-E2", 1, escape));
            assertThat(r.text()).as(escape).isEqualTo(trusted);
            assertThat(r.refused()).as(escape).containsExactly(ExerciseId.parse("L01-E2"));
            assertThat(r.notes()).as(escape).anySatisfy(n -> assertThat(n).contains("L01-E2 is graded as not done")
                    .contains("refused"));
        }
    }

    @Test
    void aMissingOrBrokenRegionOrFileKeepsTheStubsAndSaysSo() {
        String trusted = workbook();
        String lost = trusted.replaceFirst("// <<< L01-E2", "// the end");
        Splice.Result broken = Splice.splice("WaitQueueHead.java", trusted, lost);
        assertThat(broken.text()).isEqualTo(trusted);
        assertThat(broken.refused()).contains(ExerciseId.parse("L01-E2"));
        assertThat(broken.notes()).anySatisfy(n -> assertThat(n).contains("regions are broken"));

        Splice.Result missing = Splice.splice("WaitQueueHead.java", trusted, null);
        assertThat(missing.text()).isEqualTo(trusted);
        assertThat(missing.notes()).singleElement().asString().contains("not in the submission");
    }

    /** The libraries on this JVM's class path (JUnit, the charts' library, JNA...), without the course's own folders. */
    private static List<Path> libraries() {
        List<Path> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!Path.of(e).toAbsolutePath().startsWith(ROOT.toAbsolutePath())) {
                out.add(Path.of(e));
            }
        }
        return out;
    }

    private static ApiCheck.Report check(Path sources) {
        Map<Path, String> names = new LinkedHashMap<>();
        List<Path> files = Trees.files(sources, ".java");
        files.forEach(f -> names.put(f.toAbsolutePath().normalize(), sources.relativize(f).toString()));
        return ApiCheck.check(files, List.of(), libraries(), names);
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
    void theReferenceAndTheWorkbookPassTheApiCheck(@TempDir Path tmp) throws IOException {
        Skeletons.writeReferences(ROOT, tmp, null);
        List<Path> sourcePath = new ArrayList<>();
        List<Path> workbookPath = new ArrayList<>();
        for (Catalogue.Lesson lesson : Catalogue.LESSONS) {
            Path reference = tmp.resolve("all").resolve(lesson.module()).resolve("src/main/java");
            Map<Path, String> names = new LinkedHashMap<>();
            ApiCheck.Report r = ApiCheck.check(Trees.files(reference, ".java"), sourcePath, libraries(), names);
            assertThat(r.forbidden()).as(lesson.module() + ", the reference").isEmpty();
            assertThat(r.compileErrors()).as(lesson.module() + ", the reference").isEmpty();
            sourcePath.add(reference);
            Path workbook = ROOT.resolve(lesson.module()).resolve("src/main/java");
            ApiCheck.Report w = ApiCheck.check(Trees.files(workbook, ".java"), workbookPath, libraries(), names);
            assertThat(w.clean()).as(lesson.module() + ", the workbook").isTrue();
            workbookPath.add(workbook);
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 2, unit = java.util.concurrent.TimeUnit.MINUTES)
    void theApiCheckNamesTheExerciseAndEachForbiddenCall(@TempDir Path tmp) {
        Path sources = tmp.resolve("java");
        Trees.copy(ROOT.resolve("lesson01-waitqueue/src/main/java"), sources, p -> true);
        Path head = sources.resolve("herd/wait/WaitQueueHead.java");
        String text = withRegion(Trees.read(head), "L01-E2", 1, """
                        try {
                            Runtime.getRuntime().addShutdownHook(new Thread(() -> { }));
                            java.nio.file.Files.writeString(java.nio.file.Path.of("results.json"), "{}");
                            ProcessHandle.current().parent();
                            new ProcessBuilder("sh").inheritIO().start();
                            Class.forName("herd.wait.Wait").getDeclaredMethods();
                            javax.tools.ToolProvider.getSystemJavaCompiler();
                            java.lang.instrument.Instrumentation agent = null;
                            getClass().getClassLoader();
                            System.exit(0);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        return 0;""");
        text = withRegion(text, "L01-E1", 1, "        head.add(wqEntry.entry); java.util.List<Integer> fine = new"
                + " java.util.ArrayList<>(); fine.add(Math.max(1, 2));");
        Trees.write(head, text);
        Path entry = sources.resolve("herd/wait/WaitQueueEntry.java");
        Trees.write(entry, withRegion(Trees.read(entry), "L01-E3", 1, "            return thisDoesNotCompile;"));

        ApiCheck.Report r = check(sources);

        assertThat(r.forbidden()).allSatisfy(f -> assertThat(f.exercise()).hasToString("L01-E2"));
        assertThat(r.forbidden()).extracting(ApiCheck.Finding::message).allSatisfy(m -> assertThat(m)
                .startsWith("L01-E2 (herd/wait/WaitQueueHead.java:").contains("which exercise code may not use"));
        String all = String.join("\n", r.forbidden().stream().map(ApiCheck.Finding::message).toList());
        assertThat(all).contains("java.lang.Runtime", "the type java.lang.Thread", "java.nio.file.Files",
                "java.lang.ProcessHandle", "java.lang.ProcessBuilder", "java.lang.Class.forName",
                "javax.tools.ToolProvider", "java.lang.instrument.Instrumentation", "java.lang.Object.getClass",
                "java.lang.System.exit").doesNotContain("L01-E1", "java.util.ArrayList", "java.lang.Math");
        assertThat(r.compileErrors()).anySatisfy(f -> {
            assertThat(f.exercise()).hasToString("L01-E3");
            assertThat(f.message()).contains("herd/wait/WaitQueueEntry.java:", "thisDoesNotCompile");
        });
    }

    @Test
    void theAllowlistIsTheModelAndASmallSetOfJavaTypes() {
        assertThat(List.of("herd.wait.WaitQueueHead", "herd.course.Todo", "java.lang.String", "java.util.ArrayList",
                "java.util.function.Predicate", "java.util.concurrent.atomic.AtomicInteger"))
                .allMatch(ApiCheck::allowedType);
        assertThat(List.of("herd.course.TestRecord", "herd.course.GradingListener", "herd.fix.crosscheck.LibC",
                "herd.nginx.demo.HerdDemo", "java.lang.System", "java.lang.Runtime", "java.lang.Thread",
                "java.lang.ClassLoader", "java.lang.reflect.Method", "java.lang.invoke.MethodHandles",
                "java.io.File", "java.nio.file.Files", "java.net.Socket", "java.util.concurrent.Executors",
                "java.util.concurrent.locks.LockSupport", "sun.misc.Unsafe", "java.util.ServiceLoader"))
                .noneMatch(ApiCheck::allowedType);
    }

    private static void write(Path file, String text) {
        Trees.write(file, text);
    }

    @Test
    void theScoreComesFromSurefiresReportsAgainstTheTrustedListNeverFromTheRecords(@TempDir Path tmp) {
        write(tmp.resolve("list.txt"), """
                herd.wait.ATest\tpasses\tL01-E1,lesson01\tpasses()
                herd.wait.ATest\ttemplate\tL01-E1,lesson01\ttemplate(int)
                herd.wait.ATest\tforgedInRecords\tL01-E2,lesson01\tforgedInRecords()
                herd.wait.ATest\tneverRan\tL01-E2,lesson01\tneverRan()
                herd.wait.ATest\thidden\tL01-E2,hidden,lesson01\thidden()
                """);
        write(tmp.resolve("reports/TEST-herd.wait.ATest.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuite name="herd.wait.ATest" tests="6">
                  <testcase name="passes" classname="herd.wait.ATest" time="0.1"/>
                  <testcase name="template(int)[1]" classname="herd.wait.ATest" time="0.1"/>
                  <testcase name="template(int)[2]" classname="herd.wait.ATest" time="0.1">
                    <failure message="expected 1 but was 2" type="org.opentest4j.AssertionFailedError">trace</failure>
                  </testcase>
                  <testcase name="forgedInRecords" classname="herd.wait.ATest" time="0.1">
                    <error message="L01-E2 is not done yet: walk the list. See lesson01-waitqueue/README.md#l01-e2"
                           type="herd.course.Todo$NotDone"/>
                  </testcase>
                  <testcase name="hidden" classname="herd.wait.ATest" time="0.1"/>
                  <testcase name="extraTest" classname="herd.wait.ATest" time="0.1"/>
                </testsuite>
                """);
        String id = "[engine:junit-jupiter]/[class:herd.wait.ATest]/[method:";
        write(tmp.resolve("records/tests-1.tsv"), String.join("\n",
                new TestRecord("passed", "L01-E1", id + "passes()]", "passes()", "", "", "", "visible").toLine(),
                new TestRecord("passed", "L01-E2", id + "forgedInRecords()]", "f", "", "", "", "visible").toLine(),
                new TestRecord("passed", "L01-E2", id + "neverRan()]", "n", "", "", "", "visible").toLine()) + "\n");
        List<String> notes = new ArrayList<>();

        List<TestRecord> decided = Reports.decide("lesson01-waitqueue", Reports.expected(tmp.resolve("list.txt")),
                Reports.surefire(tmp.resolve("reports"), notes), Reports.records(tmp.resolve("records")), null, notes);

        assertThat(decided).extracting(TestRecord::name, TestRecord::status).containsExactly(
                org.assertj.core.groups.Tuple.tuple("passes()", "passed"),
                org.assertj.core.groups.Tuple.tuple("template(int)", "failed"),
                org.assertj.core.groups.Tuple.tuple("forgedInRecords()", "failed"),
                org.assertj.core.groups.Tuple.tuple("neverRan()", "failed"),
                org.assertj.core.groups.Tuple.tuple("hidden()", "passed"));
        assertThat(decided.get(1).reason()).isEqualTo("AssertionFailedError: expected 1 but was 2");
        assertThat(decided.get(2).notDone()).isEqualTo("L01-E2");
        assertThat(decided.get(3).reason()).contains("did not run");
        assertThat(decided.get(4).visibility()).isEqualTo("after_due_date");
        assertThat(notes).anySatisfy(n -> assertThat(n).contains("disagree with Surefire's report for 3 test(s)")
                        .contains("not trusted"))
                .anySatisfy(n -> assertThat(n).contains("1 test(s) ran that are not among the instructor's tests"));
    }

    @Test
    void aHugeReportOrRecordIsNeverReadWhole(@TempDir Path tmp) throws IOException {
        Path records = tmp.resolve("records/tests-1.tsv");
        Files.createDirectories(records.getParent());
        try (var out = Files.newBufferedWriter(records)) {
            String line = "x".repeat(1 << 20);
            for (int i = 0; i < 20; i++) {
                out.write(line);
            }
            out.write("\n");
        }
        assertThat(Reports.lines(records)).singleElement().asString().hasSize(64 << 10);
        Files.move(records, tmp.resolve("TEST-huge.xml"));
        List<String> notes = new ArrayList<>();
        assertThat(Reports.surefire(tmp, notes)).isEmpty();
        assertThat(notes).singleElement().asString().contains("was not read", "count as not passed");
    }

    @Test
    void resultsNameNoFolderOfTheInstructorOrTheGrader(@TempDir Path tmp) {
        Path hidden = tmp.resolve("instructor/hidden");
        Grader.Sanitizer clean = new Grader.Sanitizer(List.of(tmp.resolve("work/course"), tmp.resolve("work"),
                tmp.resolve("instructor/edition")), hidden);
        String text = "at " + hidden + "/lesson01-waitqueue/src/test/java/herd/wait/HiddenTest.java:12 and "
                + tmp.resolve("work/course/lesson01-waitqueue/target") + " and " + tmp.resolve("instructor/edition");
        assertThat(clean.apply(text)).doesNotContain(tmp.toString(), "instructor")
                .contains("lesson01-waitqueue/src/test/java/herd/wait/HiddenTest.java:12");
    }

    @Test
    void aReferenceUpToLessonNReleasesOnlyTheLessonsBeforeIt(@TempDir Path tmp) throws IOException {
        Skeletons.writeReferences(ROOT, tmp, new LessonId(3));
        try (var dirs = Files.list(tmp)) {
            assertThat(dirs.map(p -> p.getFileName().toString()).sorted().toList())
                    .as("what catch-up 2 and 3 and --isolate 2 and 3 use; no 'all'").containsExactly("from-02",
                            "from-03");
        }
        Path from3 = tmp.resolve("from-03");
        try (var modules = Files.list(from3)) {
            assertThat(modules.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("lesson01-waitqueue", "lesson02-eventpoll");
        }
        for (Path f : Trees.files(from3, ".java")) {
            String text = Trees.read(f);
            for (Splice.Region r : Splice.regions(text.lines().toList())) {
                String body = String.join("\n", text.lines().toList().subList(r.from(), r.to()));
                if (r.id().lesson().compareTo(new LessonId(3)) >= 0) {
                    assertThat(body).as(f + " " + r.key() + ": a later lesson's exercise stays a stub")
                            .contains("Todo.exercise(\"" + r.id() + "\"");
                } else {
                    assertThat(body).as(f + " " + r.key() + ": released").doesNotContain("Todo.exercise(");
                }
            }
        }
    }

    @Test
    void theGraderNeverTakesTheReferenceOrTheMaintainersFilesIntoTheGradedTree() throws Exception {
        var trusted = Grader.class.getDeclaredMethod("trusted", Path.class);
        trusted.setAccessible(true);
        for (String p : List.of(".course/reference/all/lesson01-waitqueue/src/main/java/herd/wait/Wait.java",
                "solutions/src/main/java/herd/wait/Wait.java", ".ci/run", ".git/config")) {
            assertThat((boolean) trusted.invoke(null, Path.of(p))).as(p).isFalse();
        }
        assertThat((boolean) trusted.invoke(null, Path.of("lesson01-waitqueue/pom.xml"))).isTrue();
    }
}
