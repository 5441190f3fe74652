package herd.course.tool.maintainer;

import herd.course.Catalogue;
import herd.course.ExerciseId;
import herd.course.tool.CourseRoot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code timings}: the learner's loop measured in a fresh student edition, as a learner
 * meets it: {@code test ID} from a cold start, {@code progress}, and in {@code watch} the
 * time from saving a file to the verdict on screen, each the median of {@code runs}.
 * Timings belong here, not in tests: run it on a quiet machine and quote what it prints.
 */
final class LoopTimings {
    private static final Pattern VERDICT_DONE = Pattern.compile("^(\\033\\[H\\033\\[2J)?\\(\\d+\\.\\d s\\).*");
    private static final List<String> WATCHED = List.of("L01-E2", "L01-E5", "L02-E3", "L02-E5");

    private final CourseRoot course;

    LoopTimings(CourseRoot course) {
        this.course = course;
    }

    void run(int runs) throws Exception {
        Path edition = Files.createTempDirectory("course-timings").resolve("edition");
        new Export(course).write(edition, false, null);
        java("test", edition, "L01-E1"); // the first run asks Maven for the libraries: not a learner's loop
        List<String> rows = new ArrayList<>();
        rows.add(row("test L01-E2, cold start (a new JVM)", timesOf(runs, () -> java("test", edition, "L01-E2"))));
        rows.add(row("test lesson02, cold start", timesOf(runs, () -> java("test", edition, "lesson02"))));
        rows.add(row("progress, the whole course", timesOf(runs, () -> java("progress", edition))));
        for (String id : WATCHED) {
            rows.add(row("watch " + id + ": save to verdict", watch(edition, ExerciseId.parse(id), runs)));
        }
        System.out.printf("%n%-44s %8s %8s %8s%n", "what (" + runs + " runs)", "median", "min", "max");
        rows.forEach(System.out::println);
        System.out.println("\n" + Runtime.getRuntime().availableProcessors() + " CPUs, Java "
                + System.getProperty("java.version") + "; load average when done: "
                + Files.readString(Path.of("/proc/loadavg")).strip());
    }

    private interface Timed {
        void run() throws Exception;
    }

    private static List<Double> timesOf(int runs, Timed body) throws Exception {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            body.run();
            times.add((System.nanoTime() - start) / 1e9);
        }
        return times;
    }

    /** Starts watch on {@code id}, then touches the exercise's file {@code runs} times, timing each verdict. */
    private static List<Double> watch(Path edition, ExerciseId id, int runs) throws Exception {
        Path file = fileOf(edition, id);
        Process p = new ProcessBuilder(javaCommand("watch", id.toString())).directory(edition.toFile())
                .redirectErrorStream(true).start();
        List<Double> times = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            awaitVerdict(out);
            for (int i = 0; i < runs; i++) {
                TimeUnit.MILLISECONDS.sleep(300); // a learner does not save twice within the watcher's settling time
                long start = System.nanoTime();
                Files.write(file, Files.readAllBytes(file)); // a save writes the file (a new time alone is no event on Linux)
                awaitVerdict(out);
                times.add((System.nanoTime() - start) / 1e9);
            }
        } finally {
            if (p.isAlive()) {
                p.getOutputStream().write('q');
                p.getOutputStream().close();
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        return times;
    }

    private static void awaitVerdict(BufferedReader out) throws IOException {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (VERDICT_DONE.matcher(line).matches()) {
                return;
            }
        }
        throw new IllegalStateException("watch ended before its verdict");
    }

    /** A workbook file that holds the exercise's stub. */
    private static Path fileOf(Path edition, ExerciseId id) throws IOException {
        for (Catalogue.Lesson lesson : Catalogue.LESSONS) {
            try (var files = Files.walk(edition.resolve(lesson.module()).resolve("src/main/java"))) {
                for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    if (Files.readString(f).contains("// >>> " + id + "\n")) {
                        return f;
                    }
                }
            }
        }
        throw new IllegalStateException("no file holds " + id);
    }

    private static void java(String command, Path edition, String... args) throws Exception {
        List<String> words = new ArrayList<>(List.of(command));
        words.addAll(List.of(args));
        Process p = new ProcessBuilder(javaCommand(words.toArray(String[]::new))).directory(edition.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor();
    }

    private static List<String> javaCommand(String... words) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), ".course/Course.java"));
        command.addAll(List.of(words));
        return command;
    }

    private static String row(String what, List<Double> times) {
        List<Double> sorted = new ArrayList<>(times);
        Collections.sort(sorted);
        return String.format(Locale.ROOT, "%-44s %7.2fs %7.2fs %7.2fs", what, sorted.get(sorted.size() / 2),
                sorted.get(0), sorted.get(sorted.size() - 1));
    }
}
