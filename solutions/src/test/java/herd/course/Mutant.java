package herd.course;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * A known-wrong implementation of one exercise: the reference source of one file with
 * one snippet replaced, as a learner might write it. {@link MutantsAreCaughtTest}
 * proves the exercise's tests reject each one.
 *
 * @param exercise    the exercise id whose tests must catch it
 * @param name        what is wrong, in words
 * @param file        the solutions source file, under {@code herd/}
 * @param original    the snippet of the reference (it must occur exactly once)
 * @param replacement the wrong code
 * @param reportSays  text the failure report must contain (empty for none)
 */
record Mutant(String exercise, String name, String file, String original, String replacement, String reportSays) {
    Mutant(String exercise, String name, String file, String original, String replacement) {
        this(exercise, name, file, original, replacement, "");
    }

    /** The module whose tests are tagged with the exercise id. */
    String lessonModule() {
        return Todo.lessonModule(exercise.substring(1, 3));
    }

    /** The tag of the exercise's lesson, {@code lesson01}. */
    String lessonTag() {
        return "lesson" + exercise.substring(1, 3);
    }

    /** Compiles the mutated file into a fresh folder, against the test class path. */
    Path compile() {
        Path source = IsolatedRun.root().resolve("solutions/src/main/java/herd").resolve(file);
        String text = Skeletons.read(source);
        int at = text.indexOf(original);
        if (at < 0 || text.indexOf(original, at + 1) >= 0) {
            throw new IllegalStateException("mutant '" + name + "' no longer applies: its snippet must occur once in "
                    + source + "; update it in MutantsAreCaughtTest");
        }
        try {
            Path dir = Files.createTempDirectory("mutant-" + exercise.toLowerCase(Locale.ROOT));
            Path mutated = dir.resolve("src").resolve(source.getFileName());
            Files.createDirectories(mutated.getParent());
            Files.writeString(mutated, text.replace(original, replacement), StandardCharsets.UTF_8);
            Path out = Files.createDirectories(dir.resolve("classes"));
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
                boolean ok = javac.getTask(null, files, diagnostics,
                        List.of("-d", out.toString(), "-classpath", System.getProperty("java.class.path"),
                                "--release", "17", "-proc:none"),
                        null, files.getJavaFileObjects(mutated)).call();
                if (!ok) {
                    throw new IllegalStateException("mutant '" + name + "' does not compile: "
                            + diagnostics.getDiagnostics());
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return exercise + ": " + name;
    }
}
