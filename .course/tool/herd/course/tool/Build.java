package herd.course.tool;

import herd.course.Catalogue;
import herd.course.LessonId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import com.sun.source.util.JavacTask;

/**
 * Builds the learner's lessons without Maven: the libraries' class path, resolved by Maven
 * once and cached in {@code .course/state/classpath.txt}, and each lesson's main and test
 * sources compiled in this JVM into {@code .course/state/build}, again only when a source
 * of the module or of a lesson before it changed.
 */
final class Build {
    private final CourseRoot course;
    private final Path state;
    private final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    private List<Path> libraries;
    private java.net.URLClassLoader librariesLoader;
    private StandardJavaFileManager fileManager;

    Build(CourseRoot course) {
        this.course = course;
        this.state = course.dir().resolve(".course/state");
    }

    /** What a compilation found wrong, as a learner should read it; empty when it compiled. */
    record Errors(List<String> messages) {
        boolean any() {
            return !messages.isEmpty();
        }
    }

    /**
     * The libraries the tests need (JUnit, AssertJ, Mockito, lesson 5's charts): cached, or
     * asked of Maven once, which compiles the course on the way (about a minute).
     */
    List<Path> libraries() {
        if (libraries != null) {
            return libraries;
        }
        Path cache = state.resolve("classpath.txt");
        if (!Files.exists(cache) || Trees.read(cache).lines().map(Path::of).anyMatch(p -> !Files.exists(p))) {
            System.out.println("First run: Maven resolves the course's libraries once (a minute; offline after that)...");
            Path dir = state.resolve("classpath");
            Trees.delete(dir);
            String modules = String.join(",", course.lessons().stream().map(Catalogue.Lesson::module).toList());
            Maven.Result r = Maven.run(course.dir(), state.resolve("classpath.log"), 1 << 20, 0, "-q", "-pl", modules,
                    "-am", "test-compile", "dependency:build-classpath", "-Dmdep.includeScope=test",
                    "-Dmdep.outputFile=" + dir.toAbsolutePath() + "/${project.artifactId}.txt");
            if (r.exit() != 0) {
                throw new Main.UsageError("Maven could not build the course to find its libraries; its log is "
                        + state.resolve("classpath.log") + ":\n" + r.tail(30));
            }
            Set<String> jars = new LinkedHashSet<>();
            for (Path file : Trees.files(dir, ".txt")) {
                for (String entry : Trees.read(file).strip().split(java.io.File.pathSeparator)) {
                    if (!entry.isBlank() && !Path.of(entry).toAbsolutePath().startsWith(course.dir())) {
                        jars.add(entry);
                    }
                }
            }
            Trees.write(cache, String.join("\n", jars) + "\n");
        }
        libraries = Trees.read(cache).lines().filter(l -> !l.isBlank()).map(Path::of).toList();
        return libraries;
    }

    /** The folder of a module's compiled main ({@code classes}) or test ({@code test-classes}) code. */
    Path output(Catalogue.Lesson lesson, String kind) {
        return state.resolve("build").resolve(lesson.module()).resolve(kind);
    }

    /** The class folders of every lesson up to {@code last}, main and test, in order. */
    List<Path> classPath(LessonId last) {
        List<Path> out = new ArrayList<>();
        for (Catalogue.Lesson l : course.lessons()) {
            if (l.id().compareTo(last) <= 0) {
                out.add(output(l, "classes"));
                out.add(output(l, "test-classes"));
            }
        }
        return out;
    }

    /**
     * Compiles every lesson up to {@code last} where its sources, or the API of what it is
     * compiled against, changed; stops at the first error. A module is compiled against the
     * API of the modules before it ({@link Api}), not their sources, so a save that changes
     * a method's body recompiles that module alone, not the tests and lessons after it.
     */
    Errors compile(LessonId last) {
        List<Path> upstream = new ArrayList<>(libraries());
        StringBuilder upstreamApi = new StringBuilder();
        for (Catalogue.Lesson lesson : course.lessons()) {
            if (lesson.id().compareTo(last) > 0) {
                break;
            }
            for (String kind : List.of("classes", "test-classes")) {
                Path src = course.dir().resolve(lesson.module()).resolve(kind.equals("classes") ? "src/main" : "src/test");
                Path out = output(lesson, kind);
                Path stampFile = out.resolveSibling(kind + ".stamp");
                Path apiFile = out.resolveSibling(kind + ".api");
                String stamp = hash(upstreamApi + stamp(src));
                if (!Files.exists(stampFile) || !Files.exists(apiFile) || !Trees.read(stampFile).equals(stamp)) {
                    Compiled compiled = javac(Trees.files(src.resolve("java"), ".java"), upstream, out);
                    if (compiled.errors().any()) {
                        return compiled.errors();
                    }
                    Path resources = src.resolve("resources");
                    if (Files.isDirectory(resources)) {
                        Trees.copy(resources, out, p -> true);
                    }
                    Trees.write(apiFile, hash(compiled.api()));
                    Trees.write(stampFile, stamp);
                }
                upstreamApi.append(Trees.read(apiFile));
                upstream.add(out);
            }
        }
        return new Errors(List.of());
    }

    /**
     * In the maintainers' repository, compiles {@code solutions/src/main/java} (the
     * reference); in an edition that has it, the reference under {@code .course/reference/all}.
     */
    Errors compileReference() {
        List<Path> sources = new ArrayList<>();
        Path solutions = course.dir().resolve("solutions/src/main/java");
        if (Files.isDirectory(solutions)) {
            sources.addAll(Trees.files(solutions, ".java"));
        } else {
            for (Catalogue.Lesson lesson : course.lessons()) {
                sources.addAll(Trees.files(Editions.reference(course.dir(), null, lesson), ".java"));
            }
        }
        StringBuilder stamps = new StringBuilder();
        sources.forEach(p -> stamps.append(stamp(p)));
        Path out = state.resolve("build/reference/classes");
        Path stampFile = out.resolveSibling("classes.stamp");
        String stamp = hash(stamps.toString());
        if (Files.exists(stampFile) && Trees.read(stampFile).equals(stamp)) {
            return new Errors(List.of());
        }
        Errors errors = javac(sources, libraries(), out).errors();
        if (!errors.any()) {
            Trees.write(stampFile, stamp);
        }
        return errors;
    }

    /** The reference's classes and the libraries. */
    List<Path> referenceClassPath() {
        return List.of(state.resolve("build/reference/classes"));
    }

    /** A class loader over {@code classPath} in front of the libraries (loaded once per tool run). */
    java.net.URLClassLoader loader(List<Path> classPath) {
        if (librariesLoader == null) {
            librariesLoader = new java.net.URLClassLoader(urls(libraries()), ClassLoader.getPlatformClassLoader());
        }
        return new java.net.URLClassLoader(urls(classPath), librariesLoader);
    }

    private static java.net.URL[] urls(List<Path> paths) {
        return paths.stream().map(p -> {
            try {
                return p.toUri().toURL();
            } catch (java.net.MalformedURLException e) {
                throw new IllegalArgumentException(e);
            }
        }).toArray(java.net.URL[]::new);
    }

    /** A compilation's errors, or the API of what it compiled ({@link Api}). */
    private record Compiled(Errors errors, String api) {
    }

    private Compiled javac(List<Path> sources, List<Path> classPath, Path out) {
        Trees.delete(out);
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (sources.isEmpty()) {
            return new Compiled(new Errors(List.of()), "");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        String cp = String.join(java.io.File.pathSeparator, classPath.stream().map(Path::toString).toList());
        // One file manager for the tool's run: in watch, the libraries' jars are opened once, not on every save.
        List<String> options = new ArrayList<>(List.of("-d", out.toString(), "-classpath", cp, "-proc:none", "-nowarn",
                "-encoding", "UTF-8"));
        if (Runtime.version().feature() != 17) {
            // Java 17's API, as Maven compiles it; on 17 itself that is the JDK's own, and --release would
            // open the JDK's ct.sym archive again on every save.
            options.addAll(List.of("--release", "17"));
        }
        JavacTask task = (JavacTask) javac.getTask(null, fileManager(), diagnostics, options, null,
                fileManager().getJavaFileObjectsFromPaths(sources));
        try {
            // Analysed first, so that the API is read from javac's own model; generated only if it is sound.
            java.util.function.BooleanSupplier clean = () -> diagnostics.getDiagnostics().stream()
                    .noneMatch(d -> d.getKind() == Diagnostic.Kind.ERROR);
            String api = Api.of(task.analyze());
            if (clean.getAsBoolean()) {
                task.generate();
                if (clean.getAsBoolean()) {
                    return new Compiled(new Errors(List.of()), api);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> messages = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                String file = d.getSource() == null ? "" : course.dir().relativize(Path.of(d.getSource().toUri()))
                        + ":" + d.getLineNumber() + ": ";
                messages.add(file + d.getMessage(Locale.ROOT));
            }
        }
        return new Compiled(new Errors(messages), "");
    }

    private StandardJavaFileManager fileManager() {
        if (fileManager == null) {
            fileManager = javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);
        }
        return fileManager;
    }

    private static String hash(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The names, sizes and times of the files under {@code dir} (or of the file). */
    private static String stamp(Path dir) {
        StringBuilder out = new StringBuilder();
        for (Path p : Files.isRegularFile(dir) ? List.of(dir) : Trees.files(dir, "")) {
            try {
                out.append(p).append(Files.size(p)).append(Files.getLastModifiedTime(p).toMillis()).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out.toString();
    }
}
