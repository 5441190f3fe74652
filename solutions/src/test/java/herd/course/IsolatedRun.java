package herd.course;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Runs lesson tests against other course classes than the ones on the class path: a
 * lesson's unsolved workbook, or the reference with one class replaced by a known-wrong
 * version. The given class folders come first for every {@code herd.*} class (child
 * first); JUnit, AssertJ and Mockito come from the class path. The tests run through the
 * course's own {@link LessonRunner}, as the course tool runs a learner's.
 */
final class IsolatedRun {
    /** One test's outcome. */
    record Result(String test, Set<String> exercises, boolean passed, String message) {
    }

    private IsolatedRun() {
    }

    /** The course's root folder, passed by solutions' Surefire. */
    static Path root() {
        String root = System.getProperty("course.root");
        if (root == null) {
            throw new IllegalStateException("course.root is not set: run this test through Maven");
        }
        return Path.of(root);
    }

    /** A module's compiled main or test classes; fails if that module is not built. */
    static Path classes(String module, String kind) {
        Path dir = root().resolve(module).resolve("target").resolve(kind);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(dir + " is missing: build the course first (mvn verify)");
        }
        return dir;
    }

    /**
     * Runs the tests found in {@code testClasses} whose tags match {@code tagExpression},
     * with {@code classPath} (class folders, searched in order) before the JVM's class path.
     */
    static List<Result> run(List<Path> classPath, Path testClasses, String tagExpression) {
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = new ChildFirstLoader(urls(withEarlierFixtures(classPath, testClasses)), previous)) {
            Thread.currentThread().setContextClassLoader(loader);
            Path records = Files.createTempFile("isolated-run", ".tsv");
            loader.loadClass(LessonRunner.class.getName())
                    .getMethod("run", List.class, String.class, String.class, Path.class)
                    .invoke(null, List.of(testClasses), tagExpression, null, records);
            List<Result> results = new ArrayList<>();
            for (String line : Files.readAllLines(records)) {
                TestRecord.parse(line).filter(r -> !r.status().equals(TestRecord.STARTED)).ifPresent(r ->
                        results.add(new Result(r.uniqueId(), r.exercise().isEmpty() ? Set.of() : Set.of(r.exercise()),
                                r.passed(), r.detail())));
            }
            Files.delete(records);
            return results;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the course's LessonRunner could not run", e);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    /**
     * {@code classPath} followed by the test classes of the lessons before the one whose
     * tests run: a lesson's tests may use an earlier lesson's fixtures (lesson 3 makes its
     * processes with lesson 2's), and those must see the same course classes as the tests.
     */
    private static List<Path> withEarlierFixtures(List<Path> classPath, Path testClasses) {
        List<Path> out = new ArrayList<>(classPath);
        for (String module : Catalogue.LESSONS.stream().map(Catalogue.Lesson::module).toList()) {
            Path fixtures = root().resolve(module).resolve("target").resolve("test-classes");
            if (fixtures.equals(testClasses)) {
                break;
            }
            if (!out.contains(fixtures)) {
                out.add(classes(module, "test-classes"));
            }
        }
        return out;
    }

    private static URL[] urls(List<Path> classPath) {
        return classPath.stream().map(p -> {
            try {
                return p.toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException(e);
            }
        }).toArray(URL[]::new);
    }

    /**
     * Loads {@code herd.*} classes from its own folders first, everything else from the
     * parent; a resource its folders have (junit-platform.properties) only from them.
     */
    private static final class ChildFirstLoader extends URLClassLoader {
        ChildFirstLoader(URL[] urls, ClassLoader parent) {
            super(urls, parent);
        }

        @Override
        public java.util.Enumeration<URL> getResources(String name) throws IOException {
            java.util.Enumeration<URL> own = findResources(name);
            return own.hasMoreElements() ? own : super.getResources(name);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("herd.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException e) {
                        c = super.loadClass(name, false);
                    }
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }
}
