package herd.course.tool;

import herd.course.Catalogue;
import herd.course.ExerciseId;
import herd.course.LessonId;
import herd.course.TestRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code grade}: every lesson's tests on a learner's code, scored so that the learner's
 * code cannot change its own grade.
 *
 * <ol>
 * <li>The trusted tree: a copy of this folder, the instructor's edition (poms, tests, the
 * test kit and its listener, READMEs, points), without the reference, the course's own
 * state or build output.</li>
 * <li>The learner's code: from {@code --submission DIR} (default: this folder grades
 * itself), only the text of each exercise region is taken ({@link Splice}); a change
 * anywhere else, in a pom, a test, a README, is reported and has no effect.</li>
 * <li>The API check ({@link ApiCheck}): an exercise whose code uses what exercise code may
 * not, or does not compile, gets its stub back, with the reason in the table.</li>
 * <li>Each lesson in a Maven run and a test JVM of its own, in its own process group,
 * killed whole at a wall-clock limit; as an unprivileged user when the grader is root
 * ({@link Sandbox}); output streamed to a capped log.</li>
 * <li>The score ({@link Reports}): from the trusted list of tests, checked against
 * Surefire's reports; the records written inside the test JVM are never trusted.</li>
 * </ol>
 */
final class Grader {
    private static final long LOG_CAP = 8L << 20;
    private static final long DEFAULT_LIMIT = 900;
    private static final String HIDDEN_OUTPUT = "(this test's message is shown after the due date: hidden tests ran in"
            + " the same test JVM, and code under test could carry what it saw of them into any message)";

    private final CourseRoot course;

    Grader(CourseRoot course) {
        this.course = course;
    }

    /** Exercises whose code was not graded, and why (a refused or not compiling region). */
    private final Map<ExerciseId, String> refused = new TreeMap<>();
    private final List<String> notes = new ArrayList<>();

    void grade(Args a) throws IOException {
        long start = System.nanoTime();
        Path root = course.dir().toAbsolutePath().normalize();
        Path out = Path.of(a.option("--out", root.resolve("target/grading").toString())).toAbsolutePath().normalize();
        Path submission = submission(Path.of(a.option("--submission", root.toString())).toAbsolutePath().normalize());
        boolean self = submission.equals(root);
        List<LessonId> only = a.options().containsKey("--lesson") ? java.util.Arrays.stream(a.option("--lesson", "")
                .split(",")).map(LessonId::parse).toList() : null;
        LessonId isolate = a.options().containsKey("--isolate") ? LessonId.parse(a.option("--isolate", "")) : null;
        boolean referenceAll = a.flag("--reference-all");
        Path extraTests = a.options().containsKey("--tests") ? Path.of(a.option("--tests", "")).toAbsolutePath() : null;
        long limit = Long.parseLong(a.option("--limit", Long.toString(DEFAULT_LIMIT)));
        List<Catalogue.Lesson> graded = course.lessons().stream()
                .filter(l -> only == null || only.contains(l.id()))
                .filter(l -> isolate == null || only != null || l.id().compareTo(isolate) >= 0).toList();
        if (graded.isEmpty()) {
            throw new Main.UsageError("no lesson to grade");
        }
        if (!Files.isDirectory(submission)) {
            throw new Main.UsageError("no submission at " + submission);
        }

        Path work = Files.createTempDirectory("course-grade").toAbsolutePath();
        Sanitizer clean = new Sanitizer(List.of(work.resolve("course"), work, root, submission, out)
                , extraTests);
        try {
            Path tree = work.resolve("course");
            Trees.copy(root, tree, p -> Trees.isSource(root, p) && trusted(root.relativize(p)));
            Set<Catalogue.Lesson> asReference = new LinkedHashSet<>();
            for (Catalogue.Lesson lesson : course.lessons()) {
                if (referenceAll || isolate != null && lesson.id().compareTo(isolate) < 0) {
                    Path main = tree.resolve(lesson.module()).resolve("src/main/java");
                    Trees.delete(main);
                    Trees.copy(Editions.reference(root, referenceAll ? null : isolate, lesson), main, p -> true);
                    asReference.add(lesson);
                    notes.add(lesson.module() + ": the reference stands in for the learner's code" + (referenceAll
                            ? " (--reference-all, a check of the grader itself)"
                            : " (--isolate " + isolate.number() + "); its exercises are not graded"));
                }
            }
            if (extraTests != null) {
                Trees.copy(extraTests, tree, p -> true);
                notes.add("the instructor's extra tests are added");
            }
            Map<Path, String> trustedText = new LinkedHashMap<>();
            for (Catalogue.Lesson lesson : course.lessons()) {
                for (Path f : Trees.files(tree.resolve(lesson.module()).resolve("src/main/java"), ".java")) {
                    trustedText.put(f, Trees.read(f));
                }
            }
            Set<Catalogue.Lesson> changed = new LinkedHashSet<>();
            if (self) {
                System.out.println("Grading " + root + " as its own submission (for a learner's work, run this from"
                        + " your own edition with --submission DIR).");
                changed.addAll(course.lessons());
                changed.removeAll(asReference);
            } else {
                System.out.println("Grading the submission " + submission + " against this edition (" + root + ").");
                splice(tree, submission, asReference, trustedText, changed);
                reportOtherChanges(root, submission);
            }
            LessonId last = graded.get(graded.size() - 1).id();
            changed.removeIf(l -> l.id().compareTo(last) > 0);
            apiCheck(tree, changed, trustedText, last);

            Files.createDirectories(out);
            Sandbox sandbox = Sandbox.setUp(work, a.options().containsKey("--maven-repo")
                    ? Path.of(a.option("--maven-repo", "")).toAbsolutePath() : null, a.flag("--no-sandbox"));
            System.out.println("Sandbox: " + clean.apply(sandbox.why()) + ".");
            for (Path secret : java.util.Arrays.asList(root.resolve(".course/reference"), extraTests)) {
                if (sandbox.active() && secret != null && Sandbox.readableByOthers(secret)) {
                    System.out.println("Note: " + secret + " can be read by other users, so by the learner's code too"
                            + " if it got past the API check: chmod 700 it (run_autograder does this on Gradescope).");
                }
            }
            prepare(tree, out, sandbox);
            List<Path> libraries = new Build(course).libraries();

            Map<ExerciseId, Scores.Result> results = new LinkedHashMap<>();
            Set<LessonId> withHidden = new LinkedHashSet<>();
            List<Catalogue.Exercise> exercises = graded.stream().flatMap(l -> l.exercises().stream()).toList();
            for (Catalogue.Lesson lesson : graded) {
                List<TestRecord> decided = runLesson(lesson, tree, work, out, sandbox, libraries, limit, a, clean);
                if (decided.stream().anyMatch(t -> t.visibility().equals("after_due_date"))) {
                    withHidden.add(lesson.id());
                }
                results.putAll(Scores.of(lesson.exercises(), decided));
            }

            Map<ExerciseId, Double> points = course.points();
            Map<ExerciseId, Gradescope.Points> scored = new LinkedHashMap<>();
            for (Catalogue.Exercise ex : exercises) {
                Scores.Result r = results.get(ex.id());
                double possible = points.get(ex.id());
                scored.put(ex.id(), new Gradescope.Points(r.tests() == 0 ? 0 : possible * r.passed() / r.tests(),
                        possible));
            }
            if (!notes.isEmpty()) {
                System.out.println();
                System.out.println("Notes:");
                notes.forEach(n -> System.out.println("  - " + clean.apply(n)));
            }
            printTable(exercises, results, scored, refused, clean);
            double total = scored.values().stream().mapToDouble(Gradescope.Points::earned).sum();
            double max = scored.values().stream().mapToDouble(Gradescope.Points::possible).sum();
            System.out.printf(Locale.ROOT, "%nTotal: %.2f / %.2f%n", total, max);
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            Gradescope.write(out.resolve("results.json"), exercises, results, scored, refused, total, seconds,
                    notes, withHidden, HIDDEN_OUTPUT, clean);
            writeSummary(out.resolve("summary.txt"), graded, results, scored);
            System.out.println("Wrote " + out.resolve("results.json") + " and " + out.resolve("summary.txt") + " ("
                    + seconds + " s).");
        } finally {
            Trees.delete(work);
        }
    }

    /** What of the instructor's edition the trusted tree takes: not the reference, not the maintainers' parts. */
    private static boolean trusted(Path relative) {
        return !relative.startsWith("solutions") && !relative.startsWith(".course/reference")
                && !relative.startsWith(".ci") && !relative.startsWith(".git");
    }

    /** A submission folder, or the one course folder inside it (an upload that was zipped with its folder). */
    private static Path submission(Path dir) throws IOException {
        if (Files.exists(dir.resolve("pom.xml")) || !Files.isDirectory(dir)) {
            return dir;
        }
        try (var entries = Files.list(dir)) {
            List<Path> inner = entries.filter(p -> Files.exists(p.resolve("pom.xml"))).toList();
            return inner.size() == 1 ? inner.get(0).toAbsolutePath().normalize() : dir;
        }
    }

    /** Puts the submission's exercise regions into the trusted tree's workbook files. */
    private void splice(Path tree, Path submission, Set<Catalogue.Lesson> asReference, Map<Path, String> trustedText,
                        Set<Catalogue.Lesson> changed) {
        for (Catalogue.Lesson lesson : course.lessons()) {
            if (asReference.contains(lesson)) {
                continue;
            }
            Path main = tree.resolve(lesson.module()).resolve("src/main/java");
            for (Path file : Trees.files(main, ".java")) {
                String name = lesson.module() + "/src/main/java/" + main.relativize(file);
                Path theirs = submission.resolve(name);
                String submitted = null;
                try {
                    if (Files.isRegularFile(theirs) && Files.size(theirs) < (4 << 20)) {
                        submitted = new String(Files.readAllBytes(theirs), java.nio.charset.StandardCharsets.UTF_8);
                    }
                } catch (IOException e) {
                    notes.add(name + ": cannot be read from the submission (" + e.getMessage() + ")");
                }
                Splice.Result r = Splice.splice(name, trustedText.get(file), submitted);
                notes.addAll(r.notes());
                for (ExerciseId id : r.refused()) {
                    refused.putIfAbsent(id, "not graded: its region in " + name + " is missing or broken");
                }
                if (!r.text().equals(trustedText.get(file))) {
                    Trees.write(file, r.text());
                    changed.add(lesson);
                }
            }
        }
    }

    /** Lists (at most 20 of) the submission's files outside the exercise regions that differ from this edition. */
    private void reportOtherChanges(Path root, Path submission) {
        List<String> differ = new ArrayList<>();
        int[] count = {0};
        try (var walk = Files.walk(submission)) {
            walk.filter(Files::isRegularFile).filter(p -> Trees.isSource(submission, p)).limit(50_000).forEach(p -> {
                Path rel = submission.relativize(p);
                if (rel.toString().contains("/src/main/java/") && rel.toString().endsWith(".java")
                        && Files.exists(root.resolve(rel)) || !trusted(rel) || rel.startsWith(".course/state")) {
                    return; // workbook files are spliced and reported by region
                }
                Path mine = root.resolve(rel.toString());
                boolean same;
                try {
                    same = Files.isRegularFile(mine) && Files.size(mine) == Files.size(p) && Files.mismatch(mine, p) < 0;
                } catch (IOException e) {
                    same = false;
                }
                if (!same) {
                    count[0]++;
                    if (differ.size() < 20) {
                        differ.add(rel + (Files.exists(mine) ? " (changed)" : " (not in the course)"));
                    }
                }
            });
        } catch (IOException e) {
            notes.add("the submission could not be read whole: " + e.getMessage());
        }
        if (count[0] > 0) {
            notes.add(count[0] + " file(s) of the submission outside the exercise regions differ from the course and are"
                    + " ignored (the course's own tests, poms, READMEs and test kit are used): " + String.join(", ",
                    differ) + (count[0] > differ.size() ? ", ..." : ""));
        }
    }

    /**
     * Checks the exercise code of the lessons whose files changed; gives every refused or
     * not compiling region its stub back, and checks again, until everything compiles.
     */
    private void apiCheck(Path tree, Set<Catalogue.Lesson> changed, Map<Path, String> trustedText, LessonId last) {
        if (changed.isEmpty()) {
            return;
        }
        List<Path> libraries = new Build(course).libraries();
        for (int round = 0; round < 8; round++) {
            boolean again = false;
            List<Path> sourcePath = new ArrayList<>();
            for (Catalogue.Lesson lesson : course.lessons()) {
                Path main = tree.resolve(lesson.module()).resolve("src/main/java");
                if (lesson.id().compareTo(last) > 0) {
                    break;
                }
                if (changed.contains(lesson) || changed.stream().anyMatch(c -> c.id().compareTo(lesson.id()) < 0)) {
                    Map<Path, String> names = new LinkedHashMap<>();
                    List<Path> sources = Trees.files(main, ".java");
                    sources.forEach(f -> names.put(f.toAbsolutePath().normalize(), tree.relativize(f).toString()));
                    ApiCheck.Report report = ApiCheck.check(sources, sourcePath, libraries, names);
                    for (ApiCheck.Finding f : report.forbidden()) {
                        notes.add(f.message());
                        refused.putIfAbsent(f.exercise(), "refused: " + f.message().replace(": " + ApiCheck.RULE, ""));
                        again |= revert(f, trustedText);
                    }
                    if (report.forbidden().isEmpty()) {
                        for (ApiCheck.Finding f : report.compileErrors()) {
                            if (f.region() == null) {
                                notes.add("the given code does not compile: " + f.message());
                                continue;
                            }
                            notes.add(f.exercise() + " does not compile (" + f.message() + "); it is graded as not done");
                            refused.putIfAbsent(f.exercise(), "does not compile: " + f.message());
                            again |= revert(f, trustedText);
                        }
                    }
                    if (again) {
                        break;
                    }
                }
                sourcePath.add(main);
            }
            if (!again) {
                return;
            }
        }
    }

    /** Puts the stub back in one region of a file; returns whether the file changed. */
    private static boolean revert(ApiCheck.Finding f, Map<Path, String> trustedText) {
        List<String> lines = new ArrayList<>(List.of(Trees.read(f.file()).split("\n", -1)));
        Splice.Region now = Splice.regions(lines).stream().filter(r -> r.key().equals(f.region().key())).findFirst()
                .orElse(null);
        if (now == null) {
            return false;
        }
        String trusted = trustedText.get(f.file());
        List<String> stub = null;
        if (trusted != null) {
            List<String> mine = List.of(trusted.split("\n", -1));
            stub = Splice.regions(mine).stream().filter(r -> r.key().equals(now.key())).findFirst()
                    .map(r -> mine.subList(r.from(), r.to())).orElse(null);
        }
        if (stub == null || stub.equals(lines.subList(now.from(), now.to()))) {
            String indent = lines.get(now.from() - 1).replaceAll("\\S.*", "");
            stub = List.of(indent + "throw herd.course.Todo.exercise(\"" + now.id() + "\", \"the grader did not take"
                    + " this code (see the grade's notes)\");");
            if (stub.equals(lines.subList(now.from(), now.to()))) {
                return false;
            }
        }
        List<String> out = new ArrayList<>(lines.subList(0, now.from()));
        out.addAll(stub);
        out.addAll(lines.subList(now.to(), lines.size()));
        Trees.write(f.file(), String.join("\n", out));
        return true;
    }

    /** The folders' permissions for the sandbox: the tree readable, its sources and settings root's only. */
    private static void prepare(Path tree, Path out, Sandbox sandbox) throws IOException {
        if (!sandbox.active()) {
            return;
        }
        Sandbox.open(tree);
        Sandbox.open(out);
        for (Path dir : Trees.directories(tree)) {
            Path name = dir.getFileName();
            if (name != null && (name.toString().equals("src") || dir.equals(tree.resolve(".course")))) {
                sandbox.hide(dir);
            }
        }
    }

    /** Runs one lesson's tests in its own Maven run and test JVM; decides each trusted test's outcome. */
    private List<TestRecord> runLesson(Catalogue.Lesson lesson, Path tree, Path work, Path out, Sandbox sandbox,
                                       List<Path> libraries, long limit, Args a, Sanitizer clean) throws IOException {
        String tag = lesson.id().tag();
        Path records = Files.createDirectories(work.resolve("records").resolve(tag));
        Sandbox.open(records.getParent());
        sandbox.give(records);
        Path reports = tree.resolve(lesson.module()).resolve("target/surefire-reports");
        Trees.delete(reports);
        List<String> mvn = new ArrayList<>(List.of("-P", "grade", "-fae", "-pl", lesson.module(), "-am",
                "-Dgroups=" + tag, "-Dcourse.grading.dir=" + records));
        // Naming the lesson's test classes spares the modules before it a test JVM each (they have none of them).
        Path tests = tree.resolve(lesson.module()).resolve("src/test/java");
        List<String> classes = Trees.files(tests, ".java").stream().map(f -> tests.relativize(f).toString())
                .map(f -> f.substring(0, f.length() - ".java".length()))
                .filter(f -> f.replaceAll(".*/", "").matches("Test.*|.*Tests?|.*TestCase")).toList();
        if (!classes.isEmpty()) {
            mvn.add("-Dtest=" + String.join(",", classes));
        }
        mvn.addAll(sandbox.mavenOptions());
        if (a.flag("--offline")) {
            mvn.add("-o");
        }
        a.properties().forEach((k, v) -> mvn.add("-D" + k + "=" + v));
        mvn.add("verify");
        Path log = out.resolve("maven-" + tag + ".log");
        System.out.println("Grading " + lesson.module() + " (its Maven log: " + log + ")...");
        Maven.Result result = Maven.run(tree, log, LOG_CAP, limit, mvn.toArray(String[]::new));
        sandbox.killLeftovers();
        String crash = crash(log, result, limit, a);
        if (crash != null) {
            notes.add(lesson.module() + ": " + crash);
        }

        Path listing = work.resolve("tests-" + tag + ".txt");
        List<String> cp = new ArrayList<>();
        libraries.forEach(p -> cp.add(sandbox.readable(p).toString()));
        for (Catalogue.Lesson l : course.lessons()) {
            if (l.id().compareTo(lesson.id()) <= 0) {
                cp.add(tree.resolve(l.module()).resolve("target/classes").toString());
                cp.add(tree.resolve(l.module()).resolve("target/test-classes").toString());
            }
        }
        Path lister = work.resolve("ListTests.java");
        Files.copy(tree.resolve(".course/grader/ListTests.java"), lister, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<String> command = new ArrayList<>(sandbox.prefix());
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                String.join(java.io.File.pathSeparator, cp), lister.toString(), tag,
                tree.resolve(lesson.module()).resolve("target/test-classes").toString()));
        Maven.Result listed = Maven.exec(work, listing, Reports.FILE_CAP, 300, command);
        List<Reports.Expected> expected = Reports.expected(listing);
        if (expected.isEmpty()) {
            notes.add(lesson.module() + ": its list of tests could not be made (exit " + listed.exit() + "): "
                    + listed.tail(5));
        }
        return Reports.decide(lesson.module(), expected, Reports.surefire(reports, notes), Reports.records(records),
                crash, notes);
    }

    /** Why the lesson's test JVM stopped early, from Maven's log and how the run ended; null if it did not. */
    private static String crash(Path log, Maven.Result result, long limit, Args a) {
        if (result.timedOut()) {
            return "the grader killed the lesson's run at its wall-clock limit of " + limit + " s (--limit): an endless"
                    + " loop that ignores interrupts, or a process that never ends?";
        }
        for (String line : Reports.lines(log)) {
            if (line.contains("There was a timeout in the fork") || line.contains("timed out after")
                    && line.contains("fork")) {
                return "the test JVM was killed after " + a.properties().getOrDefault("course.fork.timeout", "300")
                        + " s (course.fork.timeout): an endless loop that ignores interrupts?";
            }
            if (line.contains("The forked VM terminated without properly saying goodbye")
                    || line.contains("ExecutionException The forked VM terminated")) {
                return "the test JVM exited: System.exit or out of memory (the tests it had not finished count as"
                        + " failed)";
            }
            if (line.contains("COMPILATION ERROR")) {
                return "the lesson did not compile (see its Maven log)";
            }
        }
        return null;
    }

    private static void printTable(List<Catalogue.Exercise> exercises, Map<ExerciseId, Scores.Result> results,
                                   Map<ExerciseId, Gradescope.Points> points, Map<ExerciseId, String> refused,
                                   Sanitizer clean) {
        System.out.println();
        System.out.printf("%-9s %-8s %-15s %-6s %s%n", "lesson", "exercise", "points", "result", "first failure");
        for (Catalogue.Exercise ex : exercises) {
            Scores.Result r = results.get(ex.id());
            Gradescope.Points p = points.get(ex.id());
            System.out.printf("%-9s %-8s %-15s %-6s %s%n", ex.id().lesson().tag(), ex.id(),
                    String.format(Locale.ROOT, "%.2f / %.2f", p.earned(), p.possible()).replace(".00", ""),
                    r.solved() ? "pass" : "fail", Progress.clip(clean.apply(r.solved() ? ""
                            : refused.getOrDefault(ex.id(), r.reason())), 100));
        }
    }

    private static void writeSummary(Path file, List<Catalogue.Lesson> lessons, Map<ExerciseId, Scores.Result> results,
                                     Map<ExerciseId, Gradescope.Points> points) {
        StringBuilder out = new StringBuilder();
        for (Catalogue.Lesson lesson : lessons) {
            double earned = lesson.exercises().stream().mapToDouble(x -> points.get(x.id()).earned()).sum();
            double possible = lesson.exercises().stream().mapToDouble(x -> points.get(x.id()).possible()).sum();
            long solved = lesson.exercises().stream().filter(x -> results.get(x.id()).solved()).count();
            out.append(String.format("%s: %s / %s points, %d of %d exercises solved%n", lesson.module(),
                    Json.num(earned), Json.num(possible), solved, lesson.exercises().size()));
        }
        Trees.write(file, out.toString());
    }

    /** Takes the instructor's and the grader's paths out of text that goes into results.json. */
    static final class Sanitizer implements java.util.function.UnaryOperator<String> {
        private final List<String> paths = new ArrayList<>();

        Sanitizer(List<Path> paths, Path hidden) {
            List<Path> all = new ArrayList<>(paths);
            if (hidden != null) {
                all.add(0, hidden);
            }
            all.add(Path.of(System.getProperty("user.home")));
            all.add(Path.of(System.getProperty("java.io.tmpdir")));
            for (Path p : all) {
                String s = p.toAbsolutePath().normalize().toString();
                if (s.length() > 1) {
                    this.paths.add(s);
                }
            }
            this.paths.sort((x, y) -> y.length() - x.length());
        }

        @Override
        public String apply(String text) {
            String out = text;
            for (String p : paths) {
                out = out.replace(p + "/", "").replace(p, "<folder>");
            }
            return out;
        }
    }
}
