import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * The course tool, for learners and instructors: {@code java .course/Course.java help}.
 * Plain JDK, run from the course root.
 *
 * <p>This file only starts the tool. The tool's classes are in {@code .course/tool}
 * (one class per job, {@code herd.course.tool.Main} lists the commands), and they share
 * the course's catalogue with the lessons ({@code herd.course} in lesson 1). They are
 * compiled into {@code .course/state/tool} on the first run and again whenever one of
 * their sources changes, so that every later start is fast.
 */
public final class Course {
    private static final String MAIN = "herd.course.tool.Main";

    private Course() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path root = Path.of("").toAbsolutePath();
        Path tool = root.resolve(".course/tool");
        if (!Files.isDirectory(tool) || !Files.exists(root.resolve("pom.xml"))) {
            System.err.println("course: run this from the course root (the folder with pom.xml and .course/)");
            System.exit(2);
        }
        Path classes = root.resolve(".course/state/tool");
        List<Path> sources = new ArrayList<>(javaFiles(tool));
        sources.addAll(javaFiles(catalogueSources(root)));
        String stamp = stamp(sources);
        Path stampFile = classes.resolve("sources.stamp");
        if (!Files.exists(stampFile) || !Files.readString(stampFile).equals(stamp)) {
            compile(sources, classes);
            Files.writeString(stampFile, stamp);
        }
        System.exit(start(classes, args));
    }

    /**
     * Runs the tool in a JVM of its own: a plain class path starts in a tenth of a second where
     * this source file took a second, and a learner's runs are short, so the JIT stops at its
     * quick first tier (it halves a test run). Demos compute for longer and keep the full JIT.
     */
    private static int start(Path classes, String[] args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        if (args.length == 0 || !args[0].equals("demo")) {
            command.add("-XX:TieredStopAtLevel=1");
        }
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("course.")) {
                command.add("-D" + key + "=" + System.getProperty(key));
            }
        }
        command.addAll(List.of("-cp", classes.toString(), MAIN));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    /** The course's catalogue: the hand-written one where the reference is, else lesson 1's copy. */
    private static Path catalogueSources(Path root) {
        Path reference = root.resolve("solutions/src/main/java/herd/course");
        return Files.isDirectory(reference) ? reference : root.resolve("lesson01-waitqueue/src/main/java/herd/course");
    }

    private static void compile(List<Path> sources, Path classes) throws IOException {
        if (Files.exists(classes)) {
            try (Stream<Path> walk = Files.walk(classes)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(classes);
        List<String> javacArgs = new ArrayList<>(List.of("-d", classes.toString(), "--release", "17", "-proc:none",
                "-nowarn", "-encoding", "UTF-8"));
        for (Path p : sources) {
            javacArgs.add(p.toString());
        }
        // javac through java.util.spi.ToolProvider: this file then needs only java.base, and compiles faster itself
        if (ToolProvider.findFirst("javac").orElseThrow().run(System.out, System.err,
                javacArgs.toArray(new String[0])) != 0) {
            System.err.println("course: the course tool does not compile (the errors are above)");
            System.exit(2);
        }
    }

    /** The sources' names, sizes and times: a change to any of them recompiles the tool. */
    private static String stamp(List<Path> sources) {
        StringBuilder out = new StringBuilder();
        for (Path p : sources) {
            try {
                out.append(p).append(' ').append(Files.size(p)).append(' ').append(Files.getLastModifiedTime(p))
                        .append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out.toString();
    }

    private static List<Path> javaFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Iterator<Path> it = walk.iterator(); it.hasNext(); ) {
                Path p = it.next();
                if (p.toString().endsWith(".java")) {
                    files.add(p);
                }
            }
        }
        Collections.sort(files);
        return files;
    }
}
