package herd.course.tool;

import herd.course.Catalogue;
import herd.course.ExerciseId;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A folder of the course (the maintainers' repository, a student edition, a copy being
 * graded): which of the catalogue's lessons it has, the hints its READMEs give, the points
 * of each exercise.
 */
public record CourseRoot(Path dir) {
    private static final Pattern HEADING = Pattern.compile("^### (" + ExerciseId.PATTERN + ") · (.+)$");
    private static final Pattern HINT = Pattern.compile("<details><summary>Hint (\\d+)</summary>");
    private static final double DEFAULT_POINTS = 10;

    /** The catalogue's lessons whose module this folder has, in order. */
    public List<Catalogue.Lesson> lessons() {
        return Catalogue.LESSONS.stream().filter(l -> Files.isDirectory(dir.resolve(l.module()))).toList();
    }

    /** The exercises of the lessons this folder has, in course order. */
    public List<Catalogue.Exercise> exercises() {
        return lessons().stream().flatMap(l -> l.exercises().stream()).toList();
    }

    /** Whether this is the maintainers' repository (the reference solution is here). */
    public boolean isMaintainers() {
        return Files.isDirectory(dir.resolve("solutions/src/main/java"));
    }

    /** The hints of an exercise, from its section of the lesson README, in order. */
    public List<String> hints(ExerciseId id) {
        List<String> lines = Trees.read(dir.resolve(id.lesson().module()).resolve("README.md")).lines().toList();
        List<String> hints = new ArrayList<>();
        int i = 0;
        while (i < lines.size() && !isHeadingOf(lines.get(i), id)) {
            i++;
        }
        for (i++; i < lines.size() && !HEADING.matcher(lines.get(i)).matches() && !lines.get(i).startsWith("## "); i++) {
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

    private static boolean isHeadingOf(String line, ExerciseId id) {
        Matcher m = HEADING.matcher(line);
        return m.matches() && m.group(1).equals(id.toString());
    }

    /** The exercise headings of a lesson README: id -> title. */
    public Map<String, String> headings(Catalogue.Lesson lesson) {
        Map<String, String> headings = new TreeMap<>();
        for (String line : Trees.read(dir.resolve(lesson.module()).resolve("README.md")).lines().toList()) {
            Matcher m = HEADING.matcher(line);
            if (m.matches()) {
                headings.put(m.group(1), m.group(2));
            }
        }
        return headings;
    }

    /**
     * Points per exercise, from {@code .course/points.properties} ({@value DEFAULT_POINTS}
     * for an exercise not listed); a key that is not an exercise of the catalogue fails,
     * so that a typo cannot silently give an exercise the default.
     */
    public Map<ExerciseId, Double> points() {
        Properties p = new Properties();
        Path file = dir.resolve(".course/points.properties");
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file)) {
                p.load(in);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        Map<ExerciseId, Double> points = new TreeMap<>();
        for (Catalogue.Exercise e : Catalogue.exercises()) {
            points.put(e.id(), DEFAULT_POINTS);
        }
        for (String key : p.stringPropertyNames()) {
            ExerciseId id;
            try {
                id = ExerciseId.parse(key);
            } catch (IllegalArgumentException e) {
                throw new Main.UsageError(file + ": '" + key + "' is not an exercise id");
            }
            if (!points.containsKey(id)) {
                throw new Main.UsageError(file + ": " + key + " is not an exercise of the course");
            }
            points.put(id, Double.parseDouble(p.getProperty(key)));
        }
        return points;
    }
}
