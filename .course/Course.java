import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The course's command-line tool, for learners and instructors. Plain JDK, run from the
 * course root:
 *
 * <pre>
 *   java .course/Course.java progress              every exercise: solved, failing (why) or not started; what is next
 *   java .course/Course.java hint L01-E2           the next hint for an exercise (--all: every hint)
 *   java .course/Course.java grade                 score table, target/grading/results.json (Gradescope) and summary.txt
 *        [--lesson N] [--isolate N] [--reference-all] [--tests DIR] [--out DIR] [-Dcourse.test.timeout=...]
 *   java .course/Course.java catch-up N            lessons before N from the reference; your work is kept aside
 *   java .course/Course.java restore               puts your own work back
 *   java .course/Course.java export DIR [--no-reference]   writes the student edition
 * </pre>
 */
public final class Course {
    private static final Pattern LESSON_DIR = Pattern.compile("lesson(\\d\\d)-.+");
    private static final Pattern EXERCISE = Pattern.compile("^### (L\\d\\d-E\\d+) · (.+)$");
    private static final Pattern HINT = Pattern.compile("<details><summary>Hint (\\d+)</summary>");
    /** A lesson number above every lesson: the reference with every exercise solved. */
    private static final int ALL_SOLVED = 100;
    private static final int DEFAULT_POINTS = 10;

    private final Path root;

    private Course(Path root) {
        this.root = root;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of("").toAbsolutePath();
        if (!Files.exists(root.resolve("pom.xml")) || lessons(root).isEmpty()) {
            fail("run this from the course root (the folder with pom.xml and the lesson folders)");
        }
        Course course = new Course(root);
        Args a = new Args(args);
        switch (a.command()) {
            case "progress" -> course.progress();
            case "hint" -> course.hint(a.positional(1, "an exercise id, e.g. L01-E2"), a.flag("--all"));
            case "grade" -> course.grade(a);
            case "catch-up" -> course.catchUp(Integer.parseInt(a.positional(1, "a lesson number, e.g. 3")));
            case "restore" -> course.restore();
            case "export" -> course.export(Path.of(a.positional(1, "a target folder")), !a.flag("--no-reference"));
            default -> fail("unknown command '" + a.command() + "': use progress, hint, grade, catch-up, restore or export");
        }
    }

    // ---- the exercise catalogue, read from the lesson READMEs ------------------------------

    /** An exercise as its lesson README lists it. */
    record Exercise(String id, String lesson, String module, String title, List<String> hints) {
    }

    /** The lesson modules present, in order. */
    static List<String> lessons(Path root) {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.map(p -> p.getFileName().toString()).filter(n -> LESSON_DIR.matcher(n).matches()).sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every exercise of every lesson present, in course order. */
    List<Exercise> exercises() {
        List<Exercise> all = new ArrayList<>();
        for (String module : lessons(root)) {
            Path readme = root.resolve(module).resolve("README.md");
            if (!Files.exists(readme)) {
                continue;
            }
            List<String> lines = read(readme).lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = EXERCISE.matcher(lines.get(i));
                if (m.matches()) {
                    all.add(new Exercise(m.group(1), lessonOf(module), module, m.group(2).replace("`", ""),
                            hints(lines, i + 1)));
                }
            }
        }
        return all;
    }

    private static List<String> hints(List<String> lines, int from) {
        List<String> hints = new ArrayList<>();
        for (int i = from; i < lines.size() && !EXERCISE.matcher(lines.get(i)).matches()
                && !lines.get(i).startsWith("## "); i++) {
            if (HINT.matcher(lines.get(i)).find()) {
                StringBuilder hint = new StringBuilder();
                for (i++; i < lines.size() && !lines.get(i).startsWith("</details>"); i++) {
                    hint.append(lines.get(i)).append('\n');
                }
                hints.add(hint.toString().strip());
            }
        }
        return hints;
    }

    private static String lessonOf(String module) {
        Matcher m = LESSON_DIR.matcher(module);
        if (!m.matches()) {
            throw new IllegalArgumentException(module);
        }
        return "lesson" + m.group(1);
    }

    // ---- hint ---------------------------------------------------------------------------------

    private void hint(String id, boolean all) throws IOException {
        Exercise ex = exercises().stream().filter(e -> e.id().equalsIgnoreCase(id)).findFirst()
                .orElseGet(() -> fail("no exercise " + id + "; the ids are in each lesson's README"));
        if (ex.hints().isEmpty()) {
            System.out.println(ex.id() + " has no hints; see " + ex.module() + "/README.md#" + anchor(ex.id()));
            return;
        }
        Path state = root.resolve(".course/state/hints.properties");
        Properties shown = load(state);
        int already = Integer.parseInt(shown.getProperty(ex.id(), "0"));
        int upTo = all ? ex.hints().size() : Math.min(already + 1, ex.hints().size());
        System.out.println(ex.id() + " · " + ex.title());
        for (int level = all ? 1 : upTo; level <= upTo; level++) {
            System.out.println();
            System.out.println("Hint " + level + " of " + ex.hints().size() + ":");
            System.out.println(ex.hints().get(level - 1).indent(2).stripTrailing());
        }
        System.out.println();
        System.out.println(upTo < ex.hints().size() ? "Run the same command again for the next hint."
                : "That was the last hint. Once the tests pass, compare with the reference.");
        shown.setProperty(ex.id(), Integer.toString(Math.max(already, upTo)));
        store(state, shown);
    }

    // ---- progress -----------------------------------------------------------------------------

    private void progress() throws IOException, InterruptedException {
        List<Exercise> exercises = exercises();
        Path records = root.resolve("target/grading-progress");
        deleteTree(records);
        String groups = lessons(root).stream().map(Course::lessonOf).collect(Collectors.joining(","));
        System.out.println("Running every lesson's tests on your code (a minute at most)...");
        Path log = records.resolve("maven.log");
        maven(root, log, "-P", "grade", "-pl", String.join(",", lessons(root)), "-Dgroups=" + groups,
                "-Dcourse.grading.dir=" + records, "verify");
        Map<String, ExerciseResult> results = score(exercises, readRecords(records), log, Map.of());
        String next = null;
        String lesson = "";
        for (Exercise ex : exercises) {
            if (!ex.lesson().equals(lesson)) {
                lesson = ex.lesson();
                System.out.println();
                System.out.println(ex.module());
            }
            ExerciseResult r = results.get(ex.id());
            String state = r.solved() ? "solved" : r.notStarted() ? "not started" : "failing";
            System.out.printf("  %-7s %-12s %s%n", ex.id(), state, ex.title());
            if (!r.solved() && !r.notStarted()) {
                System.out.println("          " + r.passed() + "/" + r.tests() + " tests pass; " + clip(r.reason(), 150));
            }
            if (next == null && !r.solved()) {
                next = ex.id() + " · " + ex.title() + "\n  read " + ex.module() + "/README.md#" + anchor(ex.id())
                        + "\n  test mvn -pl " + ex.module() + " -am test -Dgroups=" + ex.id()
                        + "\n  hint java .course/Course.java hint " + ex.id();
            }
        }
        System.out.println();
        System.out.println(next == null ? "Every exercise is solved." : "Next: " + next);
    }

    // ---- grade --------------------------------------------------------------------------------

    private void grade(Args a) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Path out = Path.of(a.option("--out", root.resolve("target/grading").toString())).toAbsolutePath();
        String only = a.option("--lesson", null);
        int isolate = Integer.parseInt(a.option("--isolate", "0"));
        boolean referenceAll = a.flag("--reference-all");
        String extraTests = a.option("--tests", null);

        Path work = Files.createTempDirectory("course-grade");
        copyTree(root, work, this::isSource);
        List<String> modules = lessons(work);
        List<String> notes = new ArrayList<>();
        for (String module : modules) {
            int n = Integer.parseInt(lessonOf(module).substring(6));
            if (referenceAll || n < isolate) {
                useReference(work, module, referenceAll ? ALL_SOLVED : isolate);
                notes.add(module + ": the reference stands in for the learner's code"
                        + (referenceAll ? " (--reference-all, a check of the grader itself)"
                        : " (--isolate " + isolate + "); its exercises are not graded"));
            }
        }
        if (extraTests != null) {
            copyTree(Path.of(extraTests).toAbsolutePath(), work, p -> true);
            notes.add("extra tests added from " + extraTests);
        }
        deleteTree(work.resolve("solutions"));
        Files.createDirectories(out);
        Path records = work.resolve("target/grading");
        Path log = out.resolve("maven.log");
        List<String> mvn = new ArrayList<>(List.of("-P", "grade", "-fae", "-Dcourse.grading.dir=" + records));
        List<Exercise> exercises = exercises();
        if (only != null) {
            String module = modules.stream().filter(m -> lessonOf(m).equals("lesson" + pad(only))).findFirst()
                    .orElseGet(() -> fail("no lesson " + only));
            mvn.addAll(List.of("-pl", module, "-am", "-Dgroups=lesson" + pad(only)));
            exercises = exercises.stream().filter(e -> e.module().equals(module)).toList();
        } else {
            mvn.addAll(List.of("-pl", String.join(",", modules)));
        }
        if (isolate > 0 && only == null) {
            String graded = modules.stream().map(Course::lessonOf)
                    .filter(l -> Integer.parseInt(l.substring(6)) >= isolate).collect(Collectors.joining(","));
            mvn.add("-Dgroups=" + graded);
            exercises = exercises.stream().filter(e -> Integer.parseInt(e.lesson().substring(6)) >= isolate).toList();
        }
        a.words().stream().filter(w -> w.startsWith("-D")).forEach(mvn::add);
        mvn.add("verify");
        System.out.println("Grading " + (only == null ? "every lesson" : "lesson " + only) + " in a copy of " + root
                + " (the Maven log goes to " + log + ")...");
        int exit = maven(work, log, mvn.toArray(String[]::new));
        Files.writeString(log, read(log).replace(work + "/", ""));
        Map<String, ExerciseResult> results = score(exercises, readRecords(records), log, points());
        deleteTree(work);

        printTable(exercises, results);
        double total = results.values().stream().mapToDouble(ExerciseResult::earned).sum();
        double max = results.values().stream().mapToDouble(ExerciseResult::possible).sum();
        System.out.printf(Locale.ROOT, "%nTotal: %.2f / %.2f%n", total, max);
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        writeGradescope(out.resolve("results.json"), exercises, results, total, seconds, notes);
        writeSummary(out.resolve("summary.txt"), exercises, results);
        System.out.println("Wrote " + out.resolve("results.json") + " and " + out.resolve("summary.txt")
                + " (Maven exited " + exit + ", " + seconds + " s).");
    }

    private static String pad(String lesson) {
        return lesson.length() == 1 ? "0" + lesson : lesson;
    }

    /** Points per exercise: {@code .course/points.properties}, {@value DEFAULT_POINTS} when not listed. */
    private Map<String, Double> points() throws IOException {
        Properties p = load(root.resolve(".course/points.properties"));
        Map<String, Double> points = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> points.put(k, Double.parseDouble(p.getProperty(k))));
        return points;
    }

    /** One test's last record. */
    record TestRecord(String status, String lesson, String exercise, String id, String name, String reason,
                      String visibility) {
    }

    /** What an exercise scored. */
    record ExerciseResult(int tests, int passed, double earned, double possible, String reason, boolean notStarted,
                          List<TestRecord> records) {
        boolean solved() {
            return tests > 0 && passed == tests;
        }
    }

    private static Map<String, TestRecord> readRecords(Path dir) throws IOException {
        Map<String, TestRecord> last = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            return last;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".tsv")).sorted().toList()) {
                for (String line : read(file).lines().toList()) {
                    String[] f = line.split("\t", -1);
                    if (f.length == 7) {
                        last.put(f[3], new TestRecord(f[0], f[1], f[2], unescape(f[3]), unescape(f[4]),
                                unescape(f[5]), f[6]));
                    }
                }
            }
        }
        return last;
    }

    private Map<String, ExerciseResult> score(List<Exercise> exercises, Map<String, TestRecord> records, Path log,
                                              Map<String, Double> points) {
        String buildError = firstBuildError(log);
        Map<String, ExerciseResult> results = new LinkedHashMap<>();
        for (Exercise ex : exercises) {
            List<TestRecord> tests = records.values().stream().filter(r -> r.exercise().equals(ex.id()))
                    .map(r -> r.status().equals("started")
                            ? new TestRecord("failed", r.lesson(), r.exercise(), r.id(), r.name(),
                            "killed: the test JVM ran past its time limit while this test ran (an endless loop?)",
                            r.visibility())
                            : r)
                    .toList();
            double possible = points.getOrDefault(ex.id(), (double) DEFAULT_POINTS);
            int passed = (int) tests.stream().filter(t -> t.status().equals("passed")).count();
            String reason;
            if (tests.isEmpty()) {
                boolean killed = records.values().stream()
                        .anyMatch(r -> r.lesson().equals(ex.lesson()) && r.status().equals("started"));
                reason = buildError != null ? "not run: the build failed: " + buildError
                        : killed ? "not run: the test JVM was killed at its time limit before reaching these tests"
                        : "not run: no test of " + ex.id() + " ran";
            } else {
                reason = tests.stream().filter(t -> !t.status().equals("passed")).map(TestRecord::reason).findFirst()
                        .orElse("");
            }
            boolean notStarted = !tests.isEmpty() && passed == 0 && tests.stream()
                    .allMatch(t -> t.reason().contains(" is not done yet: ") || t.status().equals("skipped"));
            double earned = tests.isEmpty() ? 0 : possible * passed / tests.size();
            results.put(ex.id(), new ExerciseResult(tests.size(), passed, earned, possible, reason, notStarted, tests));
        }
        return results;
    }

    private static String firstBuildError(Path log) {
        if (!Files.exists(log)) {
            return null;
        }
        return read(log).lines().filter(l -> l.startsWith("[ERROR] ") && l.contains(".java:["))
                .map(l -> l.substring("[ERROR] ".length())).findFirst().orElse(null);
    }

    private static void printTable(List<Exercise> exercises, Map<String, ExerciseResult> results) {
        System.out.println();
        System.out.printf("%-9s %-8s %-15s %-6s %s%n", "lesson", "exercise", "points", "result", "first failure");
        for (Exercise ex : exercises) {
            ExerciseResult r = results.get(ex.id());
            System.out.printf("%-9s %-8s %-15s %-6s %s%n", ex.lesson(), ex.id(),
                    String.format(Locale.ROOT, "%.2f / %.2f", r.earned(), r.possible()).replace(".00", ""),
                    r.solved() ? "pass" : "fail", clip(r.reason(), 100));
        }
    }

    private static void writeSummary(Path file, List<Exercise> exercises, Map<String, ExerciseResult> results)
            throws IOException {
        StringBuilder out = new StringBuilder();
        Map<String, List<Exercise>> byLesson = exercises.stream()
                .collect(Collectors.groupingBy(Exercise::module, TreeMap::new, Collectors.toList()));
        for (Map.Entry<String, List<Exercise>> e : byLesson.entrySet()) {
            double earned = e.getValue().stream().mapToDouble(x -> results.get(x.id()).earned()).sum();
            double possible = e.getValue().stream().mapToDouble(x -> results.get(x.id()).possible()).sum();
            long solved = e.getValue().stream().filter(x -> results.get(x.id()).solved()).count();
            out.append(String.format("%s: %s / %s points, %d of %d exercises solved%n", e.getKey(), num(earned),
                    num(possible), solved, e.getValue().size()));
        }
        Files.writeString(file, out.toString());
    }

    /** Gradescope's results.json: one entry per test, scored from its exercise's points. */
    private static void writeGradescope(Path file, List<Exercise> exercises, Map<String, ExerciseResult> results,
                                        double total, long seconds, List<String> notes) throws IOException {
        List<String> tests = new ArrayList<>();
        for (Exercise ex : exercises) {
            ExerciseResult r = results.get(ex.id());
            if (r.records().isEmpty()) {
                tests.add(testJson(ex.id() + " · " + ex.title(), 0, r.possible(), false, r.reason(), "visible", ex));
                continue;
            }
            double each = r.possible() / r.records().size();
            for (TestRecord t : r.records()) {
                boolean ok = t.status().equals("passed");
                tests.add(testJson(ex.id() + " · " + testClass(t.id()) + " · " + t.name(), ok ? each : 0, each, ok,
                        t.reason(), t.visibility(), ex));
            }
        }
        String json = "{\n  \"score\": " + num(total) + ",\n  \"execution_time\": " + seconds
                + ",\n  \"output\": " + quote(String.join("\n", notes)) + ",\n  \"visibility\": \"visible\""
                + ",\n  \"tests\": [\n" + String.join(",\n", tests) + "\n  ]\n}\n";
        Files.writeString(file, json);
    }

    /** The simple class name in a JUnit unique id ({@code [class:herd.wait.WaitEventTest]}). */
    private static String testClass(String uniqueId) {
        Matcher m = Pattern.compile("\\[class:(?:[\\w.]+\\.)?([\\w$]+)]").matcher(uniqueId);
        return m.find() ? m.group(1) : "";
    }

    private static String testJson(String name, double score, double max, boolean passed, String output,
                                   String visibility, Exercise ex) {
        return "    {\"name\": " + quote(name) + ", \"score\": " + num(score) + ", \"max_score\": " + num(max)
                + ", \"status\": \"" + (passed ? "passed" : "failed") + "\", \"output\": " + quote(output)
                + ", \"tags\": [" + quote(ex.lesson()) + ", " + quote(ex.id()) + "], \"visibility\": "
                + quote(visibility) + "}";
    }

    // ---- catch-up, restore, export ------------------------------------------------------------

    private void catchUp(int lesson) throws IOException {
        Path saved = root.resolve(".course/state/saved");
        if (Files.exists(saved)) {
            fail("your own work is already kept in " + saved + ": run 'restore' before another catch-up");
        }
        for (String module : lessons(root)) {
            if (Integer.parseInt(lessonOf(module).substring(6)) < lesson) {
                copyTree(root.resolve(module).resolve("src/main"), saved.resolve(module).resolve("src/main"), p -> true);
                useReference(root, module, lesson);
                System.out.println(module + ": now the reference (your version is kept in " + saved.resolve(module)
                        + ")");
            }
        }
        System.out.println("Start lesson " + lesson + "; 'java .course/Course.java restore' puts your own work back.");
    }

    private void restore() throws IOException {
        Path saved = root.resolve(".course/state/saved");
        if (!Files.exists(saved)) {
            fail("nothing to restore: no catch-up was made");
        }
        for (String module : lessons(saved)) {
            deleteTree(root.resolve(module).resolve("src/main"));
            copyTree(saved.resolve(module), root.resolve(module), p -> true);
            System.out.println(module + ": your own work is back");
        }
        deleteTree(saved);
    }

    private void export(Path target, boolean withReference) throws IOException {
        Path to = target.toAbsolutePath();
        if (Files.exists(to) && Files.list(to).findAny().isPresent()) {
            fail(to + " is not empty");
        }
        copyTree(root, to, p -> isSource(p) && !root.relativize(p).startsWith("solutions")
                && !root.relativize(p).startsWith(".ci"));
        for (String file : List.of("pom.xml", "README.md")) {
            Path f = to.resolve(file);
            Files.writeString(f, read(f)
                    .replaceAll("(?s)[ \\t]*<!-- maintainer-only:begin -->.*?<!-- maintainer-only:end -->\\n", "")
                    .replaceAll("(?s)<!-- student-only:begin\\n(.*?)student-only:end -->\\n", "$1"));
        }
        if (withReference) {
            writeReferences(root, to.resolve(".course/reference"));
        }
        System.out.println("Wrote the student edition to " + to + (withReference
                ? " (with the reference under .course/reference for catch-up)" : " (without the reference)"));
    }

    /**
     * Replaces a lesson module's workbook under {@code dir} by the reference for a learner
     * starting lesson {@code from}: every exercise solved except those of lesson {@code from}
     * and later that sit in the module's files, which stay stubs.
     */
    private void useReference(Path dir, String module, int from) throws IOException {
        Path references = root.resolve(".course/reference");
        Path made = null;
        if (!Files.isDirectory(references)) {
            if (!Files.isDirectory(root.resolve("solutions/src/main/java"))) {
                fail("no reference here: this edition was exported without it");
            }
            made = Files.createTempDirectory("course-reference");
            writeReferences(root, made);
            references = made;
        }
        Path solved = references.resolve(from == ALL_SOLVED ? "all" : String.format("from-%02d", from))
                .resolve(module).resolve("src/main/java");
        if (!Files.isDirectory(solved)) {
            fail("no reference of " + module + " for lesson " + from);
        }
        Path main = dir.resolve(module).resolve("src/main/java");
        deleteTree(main);
        copyTree(solved, main, p -> true);
        if (made != null) {
            deleteTree(made);
        }
    }

    /**
     * Writes the references under {@code to} with the course's own generator
     * ({@code Skeletons --references}): {@code from-NN/MODULE} for each lesson NN and
     * {@code all/MODULE}.
     */
    private static void writeReferences(Path root, Path to) throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "solutions/src/test/java/herd/course/Skeletons.java", "--references", to.toString());
        Process p = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (p.waitFor() != 0) {
                fail("writing the reference failed:\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while writing the reference");
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Runs Maven in {@code dir} with its output in {@code log}; returns its exit code. */
    private static int maven(Path dir, Path log, String... args) throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>();
        boolean windows = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("win");
        command.add(windows ? "mvn.cmd" : "mvn");
        command.add("-B");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        return p.waitFor();
    }

    private boolean isSource(Path p) {
        Path rel = root.relativize(p);
        for (Path part : rel) {
            String name = part.toString();
            if (name.equals("target") || name.equals(".git") || name.equals("state") && rel.startsWith(".course")) {
                return false;
            }
        }
        return true;
    }

    private static void copyTree(Path from, Path to, java.util.function.Predicate<Path> keep) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(from) && !keep.test(dir)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (keep.test(file)) {
                    Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (var in = Files.newBufferedReader(file)) {
                p.load(in);
            }
        }
        return p;
    }

    private static void store(Path file, Properties p) throws IOException {
        Files.createDirectories(file.getParent());
        try (var out = Files.newBufferedWriter(file)) {
            p.store(out, "hints already shown, per exercise");
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                out.append(n == 't' ? '\t' : n == 'n' ? '\n' : n);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static String num(double d) {
        return d == Math.rint(d) ? Long.toString((long) d)
                : String.format(Locale.ROOT, "%.4f", d).replaceAll("0+$", "");
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    private static String anchor(String id) {
        return id.toLowerCase(Locale.ROOT);
    }

    private static <T> T fail(String message) {
        System.err.println("course: " + message);
        System.exit(2);
        return null;
    }

    /** The command line: a command, positional words and {@code --options}. */
    private record Args(List<String> words) {
        Args(String[] args) {
            this(List.of(args));
        }

        String command() {
            return words.isEmpty() ? "help" : words.get(0);
        }

        String positional(int i, String what) {
            List<String> plain = new ArrayList<>();
            for (int k = 0; k < words.size(); k++) {
                if (words.get(k).startsWith("--")) {
                    k += takesValue(words.get(k)) ? 1 : 0;
                } else {
                    plain.add(words.get(k));
                }
            }
            return i < plain.size() ? plain.get(i) : fail("missing " + what);
        }

        boolean flag(String name) {
            return words.contains(name);
        }

        String option(String name, String otherwise) {
            int i = words.indexOf(name);
            return i >= 0 && i + 1 < words.size() ? words.get(i + 1) : otherwise;
        }

        private static boolean takesValue(String option) {
            return List.of("--lesson", "--isolate", "--tests", "--out").contains(option);
        }
    }
}
