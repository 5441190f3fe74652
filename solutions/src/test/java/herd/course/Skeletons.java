package herd.course;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes each lesson's {@code src/main/java} from {@code solutions}: every file of the
 * lesson's packages, with each exercise region replaced by a stub that throws
 * {@link Todo.NotDone}. A region is
 *
 * <pre>
 *     // &#64;exercise L01-E2 what to implement, in one line
 *     ...the solution...
 *     // &#64;end L01-E2
 * </pre>
 *
 * <p>and must end the block it stands in, since the stub is a {@code throw}. Uses only
 * the JDK, so it runs without a build:
 * {@code java solutions/src/test/java/herd/course/Skeletons.java} regenerates, and
 * {@code --check} only reports what differs (the build's drift test does the same).
 */
public final class Skeletons {
    /** The packages each lesson module holds, as source folders under {@code herd/}. */
    static final Map<String, List<String>> LESSONS = new LinkedHashMap<>();
    static {
        LESSONS.put("lesson01-waitqueue", List.of("course", "list", "uapi", "sched", "locking", "wait", "trace",
                "demo"));
        LESSONS.put("lesson02-eventpoll", List.of("fs", "epoll", "net"));
        LESSONS.put("lesson03-tcp-handshake", List.of("socket", "inet"));
        LESSONS.put("lesson04-herd", List.of("nginx"));
        LESSONS.put("lesson05-exclusive", List.of("fix"));
    }

    private static final Pattern BEGIN = Pattern.compile("^(\\s*)// @exercise (L\\d\\d-E\\d+) (.+)$");
    private static final Pattern END = Pattern.compile("^\\s*// @end (L\\d\\d-E\\d+)\\s*$");
    private static final Path SOURCES = Path.of("solutions", "src", "main", "java");

    private Skeletons() {
    }

    /** An exercise region found in a solutions file. */
    record Region(String id, String what, Path file, int line) {
    }

    /**
     * Regenerates the lessons under the course root (the working directory by default),
     * or with {@code --check} reports the files that differ and exits 1.
     */
    public static void main(String[] args) throws IOException {
        if (args.length == 2 && args[0].equals("--references")) {
            writeReferences(Path.of("."), Path.of(args[1]));
            return;
        }
        boolean check = List.of(args).contains("--check");
        Path root = Path.of(List.of(args).stream().filter(a -> !a.startsWith("--")).findFirst().orElse("."));
        Map<Path, String> expected = generate(root);
        List<String> drift = drift(root, expected);
        if (check) {
            drift.forEach(System.out::println);
            if (!drift.isEmpty()) {
                System.out.println("Lesson sources differ from solutions; regenerate them with: "
                        + "java solutions/src/test/java/herd/course/Skeletons.java");
                System.exit(1);
            }
            System.out.println("Lesson sources match solutions (" + expected.size() + " files).");
            return;
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
        System.out.println("Wrote " + expected.size() + " lesson source files; " + drift.size() + " had changed.");
    }

    /** The lesson sources the generator produces: path under the root -> content. */
    static Map<Path, String> generate(Path root) {
        Map<Path, String> out = new TreeMap<>();
        for (Path file : javaFiles(root.resolve(SOURCES))) {
            Path relative = root.resolve(SOURCES).relativize(file);
            String module = moduleOf(relative);
            out.put(Path.of(module, "src", "main", "java").resolve(relative), stub(read(file), relative));
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
    static Map<Path, String> workbook(Path root, String module, java.util.function.Predicate<String> unsolved) {
        String prefix = "L" + module.substring("lesson".length(), "lesson".length() + 2) + "-";
        Map<Path, String> out = new TreeMap<>();
        for (Path file : javaFiles(root.resolve(SOURCES))) {
            Path relative = root.resolve(SOURCES).relativize(file);
            String source = read(file);
            if (moduleOf(relative).equals(module)) {
                out.put(relative, stub(source, relative, unsolved));
            } else if (source.contains("// @exercise " + prefix)) {
                out.put(relative, stub(source, relative, id -> id.startsWith(prefix) && unsolved.test(id)));
            }
        }
        return out;
    }

    /** The folder under a references root for a learner starting lesson {@code from}; {@link #ALL_SOLVED} for none unsolved. */
    static String referenceDir(int from) {
        return from == ALL_SOLVED ? "all" : String.format("from-%02d", from);
    }

    /** A lesson number above every lesson: every exercise solved. */
    static final int ALL_SOLVED = 100;

    /**
     * Writes, under {@code out}, the reference of each lesson as {@code catch-up} and the
     * grader's {@code --isolate} need it: {@code from-NN/MODULE/src/main/java} holds the
     * lessons before NN solved, except the regions of lesson NN and later that sit in their
     * files (EPOLLEXCLUSIVE in the epoll code), which stay stubs for the learner to write;
     * {@code all/} has every exercise solved.
     */
    static void writeReferences(Path root, Path out) throws IOException {
        List<Integer> froms = new ArrayList<>();
        for (String module : LESSONS.keySet()) {
            froms.add(lessonNumber(module));
        }
        froms.add(ALL_SOLVED);
        for (int from : froms) {
            for (String module : LESSONS.keySet()) {
                if (lessonNumber(module) >= from) {
                    continue;
                }
                Map<Path, String> sources = workbook(root, module,
                        id -> Integer.parseInt(id.substring(1, 3)) >= from);
                for (Map.Entry<Path, String> e : sources.entrySet()) {
                    Path target = out.resolve(referenceDir(from)).resolve(module).resolve("src/main/java")
                            .resolve(e.getKey());
                    Files.createDirectories(target.getParent());
                    Files.writeString(target, e.getValue(), StandardCharsets.UTF_8);
                }
            }
        }
    }

    private static int lessonNumber(String module) {
        return Integer.parseInt(module.substring("lesson".length(), "lesson".length() + 2));
    }

    /** Every exercise region in solutions, in file order. */
    static List<Region> regions(Path root) {
        List<Region> regions = new ArrayList<>();
        for (Path file : javaFiles(root.resolve(SOURCES))) {
            List<String> lines = read(file).lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = BEGIN.matcher(lines.get(i));
                if (m.matches()) {
                    regions.add(new Region(m.group(2), m.group(3), root.relativize(file), i + 1));
                }
            }
        }
        return regions;
    }

    /** What differs between the lessons on disk and {@code expected}: changed, missing and extra files. */
    static List<String> drift(Path root, Map<Path, String> expected) {
        List<String> drift = new ArrayList<>();
        for (Map.Entry<Path, String> e : expected.entrySet()) {
            Path target = root.resolve(e.getKey());
            if (!Files.exists(target)) {
                drift.add("missing: " + e.getKey());
            } else if (!read(target).equals(e.getValue())) {
                drift.add("changed: " + e.getKey());
            }
        }
        for (String module : LESSONS.keySet()) {
            Path main = root.resolve(module).resolve("src").resolve("main").resolve("java");
            for (Path file : javaFiles(main)) {
                Path relative = root.relativize(file);
                if (!expected.containsKey(relative)) {
                    drift.add("extra: " + relative);
                }
            }
        }
        return drift;
    }

    private static String moduleOf(Path relative) {
        if (relative.getNameCount() < 3 || !relative.getName(0).toString().equals("herd")) {
            throw new IllegalStateException(relative + ": every source must be in a package under herd");
        }
        String pkg = relative.getName(1).toString();
        return LESSONS.entrySet().stream().filter(e -> e.getValue().contains(pkg)).map(Map.Entry::getKey)
                .findFirst().orElseThrow(() -> new IllegalStateException("package herd." + pkg
                        + " belongs to no lesson: add it to Skeletons.LESSONS"));
    }

    /** The file with every exercise region replaced by its stub. */
    static String stub(String source, Path file) {
        return stub(source, file, id -> true);
    }

    /**
     * The file with the regions of the exercises {@code unsolved} accepts replaced by their
     * stubs, and the others kept as solved (without their markers).
     */
    static String stub(String source, Path file, java.util.function.Predicate<String> unsolved) {
        StringBuilder out = new StringBuilder();
        String open = null;
        String solved = null;
        int lineNo = 0;
        for (String line : source.split("\n", -1)) {
            lineNo++;
            Matcher begin = BEGIN.matcher(line);
            Matcher end = END.matcher(line);
            if (begin.matches() && !unsolved.test(begin.group(2))) {
                solved = begin.group(2);
            } else if (end.matches() && end.group(1).equals(solved)) {
                solved = null;
            } else if (solved != null) {
                out.append(line).append('\n');
            } else if (begin.matches()) {
                if (open != null) {
                    throw new IllegalStateException(file + ":" + lineNo + ": region " + begin.group(2)
                            + " starts inside region " + open);
                }
                open = begin.group(2);
                String indent = begin.group(1);
                String what = begin.group(3);
                out.append(indent).append("// TODO ").append(open).append('\n');
                out.append(indent).append("throw herd.course.Todo.exercise(\"").append(open).append("\", \"")
                        .append(what.replace("\\", "\\\\").replace("\"", "\\\"")).append("\");\n");
            } else if (end.matches()) {
                if (!end.group(1).equals(open)) {
                    throw new IllegalStateException(file + ":" + lineNo + ": @end " + end.group(1)
                            + " does not close " + (open == null ? "any region" : open));
                }
                open = null;
            } else if (open == null) {
                out.append(line).append('\n');
            }
        }
        if (open != null) {
            throw new IllegalStateException(file + ": region " + open + " is never closed");
        }
        return out.substring(0, out.length() - 1);
    }

    private static List<Path> javaFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A UTF-8 source file's text. */
    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The exercise ids of one lesson ({@code "01"}), sorted. */
    static TreeSet<String> exerciseIds(Path root, String lesson) {
        TreeSet<String> ids = new TreeSet<>();
        regions(root).stream().map(Region::id).filter(id -> id.startsWith("L" + lesson + "-")).forEach(ids::add);
        return ids;
    }
}
