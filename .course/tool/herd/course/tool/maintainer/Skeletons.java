package herd.course.tool.maintainer;

import herd.course.Catalogue;
import herd.course.ExerciseId;
import herd.course.LessonId;
import herd.course.tool.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes each lesson's {@code src/main/java} from {@code solutions}: every file of the
 * lesson's packages ({@link Catalogue}), with each exercise region replaced by a stub that
 * throws {@code Todo.NotDone}. A region is
 *
 * <pre>
 *     // &#64;exercise L01-E2 what to implement, first line
 *     //   further lines of the specification: a comment with two or more spaces after //
 *     ...the solution; whole-line comments in it are kept in the stub as guidance...
 *     // &#64;end L01-E2
 * </pre>
 *
 * <p>and must end the block it stands in, since the stub is a {@code throw}. In the
 * workbook the stub stands between {@code // >>> L01-E2} and {@code // <<< L01-E2}: what
 * a learner writes there is their answer, and it is all the grader takes from a
 * submission. Run by the course tool: {@code java .course/Course.java generate [--check]}.
 */
public final class Skeletons {
    private static final Pattern BEGIN = Pattern.compile("^(\\s*)// @exercise (" + ExerciseId.PATTERN + ") (.+)$");
    private static final Pattern MORE = Pattern.compile("^\\s*//\\s{2,}(\\S.*)$");
    private static final Pattern END = Pattern.compile("^\\s*// @end (" + ExerciseId.PATTERN + ")\\s*$");
    private static final Pattern COMMENT = Pattern.compile("^\\s*//.*$");
    private static final Path SOURCES = Path.of("solutions", "src", "main", "java");
    private static final int WIDTH = 100;

    /** The line that opens an exercise region in a workbook, and the one that closes it. */
    public static String opening(ExerciseId id) {
        return "// >>> " + id;
    }

    public static String closing(ExerciseId id) {
        return "// <<< " + id;
    }

    private Skeletons() {
    }

    /** An exercise region found in a solutions file, with its specification in one line. */
    public record Region(ExerciseId id, String what, Path file, int line) {
    }

    /** Regenerates the lessons under {@code root}, or with {@code check} only lists what differs; returns the drift. */
    public static List<String> generate(Path root, boolean check) throws IOException {
        Map<Path, String> expected = generate(root);
        List<String> drift = drift(root, expected);
        if (check) {
            return drift;
        }
        for (String line : drift) {
            if (line.startsWith("extra: ")) {
                Files.delete(root.resolve(line.substring("extra: ".length())));
            }
        }
        for (Map.Entry<Path, String> e : expected.entrySet()) {
            Path target = root.resolve(e.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, e.getValue(), StandardCharsets.UTF_8);
        }
        return drift;
    }

    /** The lesson sources the generator produces, and the lesson READMEs with their commands block: path -> content. */
    public static Map<Path, String> generate(Path root) {
        Map<Path, String> out = new TreeMap<>();
        for (Path file : Trees.files(root.resolve(SOURCES), ".java")) {
            Path relative = root.resolve(SOURCES).relativize(file);
            out.put(Path.of(lessonOf(relative).module(), "src", "main", "java").resolve(relative),
                    stub(Trees.read(file), relative, id -> true));
        }
        for (Catalogue.Lesson lesson : Catalogue.LESSONS) {
            Path readme = Path.of(lesson.module(), "README.md");
            out.put(readme, ReadmeCommands.update(Trees.read(root.resolve(readme)), lesson));
        }
        return out;
    }

    /**
     * The sources of one lesson's workbook with only the exercises {@code unsolved} accepts
     * stubbed: path under the source root ({@code herd/...}) -> content. Besides the
     * lesson's own files, the files of earlier lessons that hold some of its exercises
     * (lesson 5's EPOLLEXCLUSIVE sits in lesson 2's epoll code), with only those of its
     * exercises that {@code unsolved} accepts stubbed and everything else solved.
     */
    public static Map<Path, String> workbook(Path root, LessonId lesson, Predicate<ExerciseId> unsolved) {
        Map<Path, String> out = new TreeMap<>();
        for (Path file : Trees.files(root.resolve(SOURCES), ".java")) {
            Path relative = root.resolve(SOURCES).relativize(file);
            String source = Trees.read(file);
            if (lessonOf(relative).id().equals(lesson)) {
                out.put(relative, stub(source, relative, unsolved));
            } else if (source.contains("// @exercise " + lesson.exercisePrefix())) {
                out.put(relative, stub(source, relative, id -> id.lesson().equals(lesson) && unsolved.test(id)));
            }
        }
        return out;
    }

    /**
     * Writes, under {@code out}, the reference of each lesson as {@code catch-up} and the
     * grader's {@code --isolate} need it: {@code from-NN/MODULE/src/main/java} holds the
     * lessons before NN solved, except the regions of lesson NN and later that sit in their
     * files (EPOLLEXCLUSIVE in the epoll code), which stay stubs for the learner to write.
     * {@code from-NN} is written for every lesson NN up to {@code upTo}; {@code all/}, every
     * exercise solved, only when {@code upTo} is null.
     */
    public static void writeReferences(Path root, Path out, LessonId upTo) throws IOException {
        List<LessonId> froms = new ArrayList<>();
        Catalogue.LESSONS.stream().map(Catalogue.Lesson::id).filter(l -> upTo == null || l.compareTo(upTo) <= 0)
                .forEach(froms::add);
        if (upTo == null) {
            froms.add(null);
        }
        for (LessonId from : froms) {
            for (Catalogue.Lesson lesson : Catalogue.LESSONS) {
                if (from != null && lesson.id().compareTo(from) >= 0) {
                    continue;
                }
                Map<Path, String> sources = workbook(root, lesson.id(),
                        id -> from != null && id.lesson().compareTo(from) >= 0);
                for (Map.Entry<Path, String> e : sources.entrySet()) {
                    Path target = out.resolve(herd.course.tool.Editions.referenceDir(from)).resolve(lesson.module()).resolve("src/main/java")
                            .resolve(e.getKey());
                    Files.createDirectories(target.getParent());
                    Files.writeString(target, e.getValue(), StandardCharsets.UTF_8);
                }
            }
        }
    }

    /** Every exercise region in solutions, in file order. */
    public static List<Region> regions(Path root) {
        List<Region> regions = new ArrayList<>();
        for (Path file : Trees.files(root.resolve(SOURCES), ".java")) {
            List<String> lines = Trees.read(file).lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = BEGIN.matcher(lines.get(i));
                if (m.matches()) {
                    regions.add(new Region(ExerciseId.parse(m.group(2)), specification(m.group(3), lines, i + 1),
                            root.relativize(file), i + 1));
                }
            }
        }
        return regions;
    }

    /** The exercise ids of one lesson that have regions in solutions, sorted. */
    public static TreeSet<ExerciseId> exerciseIds(Path root, LessonId lesson) {
        TreeSet<ExerciseId> ids = new TreeSet<>();
        regions(root).stream().map(Region::id).filter(id -> id.lesson().equals(lesson)).forEach(ids::add);
        return ids;
    }

    /** What differs between the lessons on disk and {@code expected}: changed, missing and extra files. */
    public static List<String> drift(Path root, Map<Path, String> expected) {
        List<String> drift = new ArrayList<>();
        for (Map.Entry<Path, String> e : expected.entrySet()) {
            Path target = root.resolve(e.getKey());
            if (!Files.exists(target)) {
                drift.add("missing: " + e.getKey());
            } else if (!Trees.read(target).equals(e.getValue())) {
                drift.add("changed: " + e.getKey());
            }
        }
        for (Catalogue.Lesson lesson : Catalogue.LESSONS) {
            Path main = root.resolve(lesson.module()).resolve("src").resolve("main").resolve("java");
            for (Path file : Trees.files(main, ".java")) {
                Path relative = root.relativize(file);
                if (!expected.containsKey(relative)) {
                    drift.add("extra: " + relative);
                }
            }
        }
        return drift;
    }

    private static Catalogue.Lesson lessonOf(Path relative) {
        if (relative.getNameCount() < 3 || !relative.getName(0).toString().equals("herd")) {
            throw new IllegalStateException(relative + ": every source must be in a package under herd");
        }
        return Catalogue.lessonOfPackage(relative.getName(1).toString());
    }

    /** The first line of a region's specification and its continuation lines, as one line. */
    private static String specification(String first, List<String> lines, int from) {
        StringBuilder spec = new StringBuilder(first.strip());
        for (int i = from; i < lines.size(); i++) {
            Matcher more = MORE.matcher(lines.get(i));
            if (!more.matches()) {
                break;
            }
            spec.append(' ').append(more.group(1).strip());
        }
        return spec.toString();
    }

    /**
     * The file with the regions of the exercises {@code unsolved} accepts replaced by their
     * stubs, and the others kept as solved; both between the workbook's region lines.
     */
    static String stub(String source, Path file, Predicate<ExerciseId> unsolved) {
        List<String> lines = List.of(source.split("\n", -1));
        StringBuilder out = new StringBuilder();
        ExerciseId open = null;
        boolean solved = false;
        String indent = "";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher begin = BEGIN.matcher(line);
            Matcher end = END.matcher(line);
            if (begin.matches()) {
                if (open != null) {
                    throw new IllegalStateException(file + ":" + (i + 1) + ": region " + begin.group(2)
                            + " starts inside region " + open);
                }
                open = ExerciseId.parse(begin.group(2));
                indent = begin.group(1);
                solved = !unsolved.test(open);
                String spec = specification(begin.group(3), lines, i + 1);
                while (i + 1 < lines.size() && MORE.matcher(lines.get(i + 1)).matches()) {
                    i++;
                }
                out.append(indent).append(opening(open)).append('\n');
                if (!solved) {
                    List<String> wrapped = wrap(spec, WIDTH - indent.length() - 3);
                    // A specification longer than a line is easier to read wrapped than in the throw.
                    for (String text : wrapped.size() > 1 ? wrapped : List.<String>of()) {
                        out.append(indent).append("// ").append(text).append('\n');
                    }
                    stubBody(lines, i + 1, out);
                    out.append(indent).append("throw herd.course.Todo.exercise(\"").append(open).append("\", \"")
                            .append(spec.replace("\\", "\\\\").replace("\"", "\\\"")).append("\");\n");
                }
            } else if (end.matches()) {
                if (open == null || !ExerciseId.parse(end.group(1)).equals(open)) {
                    throw new IllegalStateException(file + ":" + (i + 1) + ": @end " + end.group(1)
                            + " does not close " + (open == null ? "any region" : open));
                }
                out.append(indent).append(closing(open)).append('\n');
                open = null;
            } else if (open == null || solved) {
                out.append(line).append('\n');
            }
        }
        if (open != null) {
            throw new IllegalStateException(file + ": region " + open + " is never closed");
        }
        return out.substring(0, out.length() - 1);
    }

    /** The whole-line comments of an unsolved region, up to its end, which the stub keeps as guidance. */
    private static void stubBody(List<String> lines, int from, StringBuilder out) {
        for (int i = from; i < lines.size() && !END.matcher(lines.get(i)).matches(); i++) {
            if (COMMENT.matcher(lines.get(i)).matches()) {
                out.append(lines.get(i)).append('\n');
            }
        }
    }

    /** {@code text} in lines of at most {@code width} characters, broken at spaces. */
    private static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.length() == 0 ? "" : " ").append(word);
        }
        lines.add(line.toString());
        return lines;
    }

}
