import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

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

    public static void main(String[] args) throws Throwable {
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
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                ClassLoader.getSystemClassLoader())) {
            Thread.currentThread().setContextClassLoader(loader);
            loader.loadClass(MAIN).getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
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
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            boolean ok = javac.getTask(null, files, diagnostics,
                    List.of("-d", classes.toString(), "--release", "17", "-proc:none", "-nowarn"), null,
                    files.getJavaFileObjectsFromPaths(sources)).call();
            if (!ok) {
                System.err.println("course: the course tool does not compile:");
                diagnostics.getDiagnostics().forEach(d -> System.err.println("  " + d));
                System.exit(2);
            }
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
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }
}
