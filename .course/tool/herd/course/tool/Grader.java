package herd.course.tool;

import herd.course.Catalogue;
import herd.course.ExerciseId;
import herd.course.LessonId;
import herd.course.TestRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code grade}: every lesson's tests on a learner's code in a copy of the course, through
 * Maven's grading profile; a score table, Gradescope's {@code results.json} and a summary.
 */
final class Grader {
    private static final long LOG_CAP = 8L << 20;

    private final CourseRoot course;

    Grader(CourseRoot course) {
        this.course = course;
    }

    void grade(Args a) throws IOException {
        long start = System.nanoTime();
        Path root = course.dir();
        Path out = Path.of(a.option("--out", root.resolve("target/grading").toString())).toAbsolutePath();
        LessonId only = a.options().containsKey("--lesson") ? LessonId.parse(a.option("--lesson", "")) : null;
        LessonId isolate = a.options().containsKey("--isolate") ? LessonId.parse(a.option("--isolate", "")) : null;
        boolean referenceAll = a.flag("--reference-all");
        String extraTests = a.option("--tests", null);

        Path work = Files.createTempDirectory("course-grade");
        Trees.copy(root, work, p -> Trees.isSource(root, p) && !root.relativize(p).startsWith("solutions"));
        List<String> notes = new ArrayList<>();
        for (Catalogue.Lesson lesson : course.lessons()) {
            if (referenceAll || isolate != null && lesson.id().compareTo(isolate) < 0) {
                Path main = work.resolve(lesson.module()).resolve("src/main/java");
                Trees.delete(main);
                Trees.copy(Editions.reference(root, referenceAll ? null : isolate, lesson), main, p -> true);
                notes.add(lesson.module() + ": the reference stands in for the learner's code" + (referenceAll
                        ? " (--reference-all, a check of the grader itself)"
                        : " (--isolate " + isolate.number() + "); its exercises are not graded"));
            }
        }
        if (extraTests != null) {
            Trees.copy(Path.of(extraTests).toAbsolutePath(), work, p -> true);
            notes.add("extra tests added");
        }
        Files.createDirectories(out);
        Path records = work.resolve("target/grading");
        List<String> mvn = new ArrayList<>(List.of("-P", "grade", "-fae", "-Dcourse.grading.dir=" + records));
        List<Catalogue.Lesson> graded = course.lessons().stream()
                .filter(l -> only == null || l.id().equals(only))
                .filter(l -> isolate == null || only != null || l.id().compareTo(isolate) >= 0).toList();
        if (graded.isEmpty()) {
            throw new Main.UsageError("no lesson to grade");
        }
        String modules = String.join(",", course.lessons().stream().map(Catalogue.Lesson::module).toList());
        mvn.addAll(List.of("-pl", only == null ? modules : only.module(), "-am",
                "-Dgroups=" + String.join(",", graded.stream().map(l -> l.id().tag()).toList())));
        a.properties().forEach((k, v) -> mvn.add("-D" + k + "=" + v));
        mvn.add("verify");
        List<Catalogue.Exercise> exercises = graded.stream().flatMap(l -> l.exercises().stream()).toList();
        Path log = out.resolve("maven.log");
        System.out.println("Grading " + (only == null ? "every lesson" : "lesson " + only.number()) + " in a copy of "
                + root + " (the Maven log goes to " + log + ")...");
        Maven.Result result = Maven.run(work, log, LOG_CAP, 0, mvn.toArray(String[]::new));
        Files.writeString(log, Trees.read(log).replace(work + "/", ""));
        Map<ExerciseId, Scores.Result> results = Scores.of(exercises, records(records));
        Trees.delete(work);

        Map<ExerciseId, Double> points = course.points();
        Map<ExerciseId, Gradescope.Points> scored = new LinkedHashMap<>();
        for (Catalogue.Exercise ex : exercises) {
            Scores.Result r = results.get(ex.id());
            double possible = points.get(ex.id());
            scored.put(ex.id(), new Gradescope.Points(r.tests() == 0 ? 0 : possible * r.passed() / r.tests(), possible));
        }
        printTable(exercises, results, scored);
        double total = scored.values().stream().mapToDouble(Gradescope.Points::earned).sum();
        double max = scored.values().stream().mapToDouble(Gradescope.Points::possible).sum();
        System.out.printf(Locale.ROOT, "%nTotal: %.2f / %.2f%n", total, max);
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        Gradescope.write(out.resolve("results.json"), exercises, results, scored, total, seconds, notes);
        writeSummary(out.resolve("summary.txt"), graded, results, scored);
        System.out.println("Wrote " + out.resolve("results.json") + " and " + out.resolve("summary.txt")
                + " (Maven exited " + result.exit() + ", " + seconds + " s).");
    }

    private static List<TestRecord> records(Path dir) {
        List<TestRecord> all = new ArrayList<>();
        try (Stream<Path> files = Files.isDirectory(dir) ? Files.list(dir) : Stream.empty()) {
            for (Path file : files.filter(f -> f.toString().endsWith(".tsv")).sorted().toList()) {
                all.addAll(Runner.read(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all;
    }

    private static void printTable(List<Catalogue.Exercise> exercises, Map<ExerciseId, Scores.Result> results,
                                   Map<ExerciseId, Gradescope.Points> points) {
        System.out.println();
        System.out.printf("%-9s %-8s %-15s %-6s %s%n", "lesson", "exercise", "points", "result", "first failure");
        for (Catalogue.Exercise ex : exercises) {
            Scores.Result r = results.get(ex.id());
            Gradescope.Points p = points.get(ex.id());
            System.out.printf("%-9s %-8s %-15s %-6s %s%n", ex.id().lesson().tag(), ex.id(),
                    String.format(Locale.ROOT, "%.2f / %.2f", p.earned(), p.possible()).replace(".00", ""),
                    r.solved() ? "pass" : "fail", Progress.clip(r.reason(), 100));
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
}
