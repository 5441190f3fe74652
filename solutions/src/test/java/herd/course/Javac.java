package herd.course;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/** Compiles course sources made in a test (a mutant, a partly solved workbook) against the test class path. */
final class Javac {
    private static final JavaCompiler JAVAC = ToolProvider.getSystemJavaCompiler();
    /**
     * File managers free for a compilation. One is not thread-safe, but it keeps the class
     * path's jars open and indexed from one of the course's hundred-odd compilations to the next.
     */
    private static final Queue<StandardJavaFileManager> IDLE = new ConcurrentLinkedQueue<>();

    private Javac() {
    }

    /**
     * Compiles the files of a workbook that still hold a stub: the others are the reference
     * as it is, whose classes are on the class path already (a run puts the returned
     * folder in front of them). Returns the folder of the classes.
     */
    static Path compileStubbed(String label, Map<Path, String> workbook) {
        Map<Path, String> stubbed = new java.util.TreeMap<>();
        workbook.forEach((path, text) -> {
            if (text.contains("herd.course.Todo.exercise(")) {
                stubbed.put(path, text);
            }
        });
        return compile(label, stubbed);
    }

    /**
     * Writes {@code sources} (path under a source root -> text) to a fresh folder named after
     * {@code label}, compiles them, and returns the folder of the classes; fails with the
     * compiler's messages if they do not compile.
     */
    static Path compile(String label, Map<Path, String> sources) {
        try {
            Path dir = Files.createTempDirectory(label);
            Path src = dir.resolve("src");
            for (Map.Entry<Path, String> e : sources.entrySet()) {
                Path file = src.resolve(e.getKey());
                Files.createDirectories(file.getParent());
                Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
            }
            Path out = Files.createDirectories(dir.resolve("classes"));
            if (sources.isEmpty()) {
                return out;
            }
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            StandardJavaFileManager files = IDLE.poll();
            if (files == null) {
                files = JAVAC.getStandardFileManager(null, null, StandardCharsets.UTF_8);
            }
            try {
                List<Path> paths = sources.keySet().stream().map(src::resolve).toList();
                boolean ok = JAVAC.getTask(null, files, diagnostics,
                        // No --release: these classes run in this JVM only, and Maven has compiled the
                        // course's sources for Java 17 already; --release opened the JDK's ct.sym archive
                        // again for each compilation.
                        List.of("-d", out.toString(), "-classpath", System.getProperty("java.class.path"), "-proc:none"),
                        null, files.getJavaFileObjectsFromPaths(paths)).call();
                if (!ok) {
                    throw new IllegalStateException(label + " does not compile: " + diagnostics.getDiagnostics());
                }
            } finally {
                IDLE.add(files);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
