package herd.course;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassSelector;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs lesson tests against other course classes than the ones on the class path: a
 * lesson's unsolved workbook, or the reference with one class replaced by a known-wrong
 * version. The given class folders come first for every {@code herd.*} class (child
 * first); JUnit, AssertJ and Mockito come from the class path.
 */
final class IsolatedRun {
    /** One test's outcome. */
    record Result(String test, Set<String> tags, boolean passed, String message) {
        /** The exercise ids among the tags. */
        Set<String> exercises() {
            return tags.stream().filter(t -> t.matches("L\\d\\d-E\\d+")).collect(Collectors.toSet());
        }
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
        List<Result> results = new ArrayList<>();
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = new ChildFirstLoader(urls(withEarlierFixtures(classPath, testClasses)), previous)) {
            Thread.currentThread().setContextClassLoader(loader);
            List<ClassSelector> selectors = new ArrayList<>();
            for (String name : testClassNames(testClasses)) {
                selectors.add(selectClass(loader.loadClass(name)));
            }
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectors)
                    .filters(TagFilter.includeTags(tagExpression))
                    .configurationParameter("junit.jupiter.execution.timeout.default", "20 s")
                    .configurationParameter("junit.jupiter.execution.timeout.thread.mode.default", "SEPARATE_THREAD")
                    .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                    .build();
            LauncherFactory.create().execute(request, new TestExecutionListener() {
                @Override
                public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                    if (id.isTest()) {
                        Set<String> tags = id.getTags().stream().map(t -> t.getName()).collect(Collectors.toSet());
                        Optional<Throwable> thrown = result.getThrowable();
                        results.add(new Result(id.getUniqueId(), tags,
                                result.getStatus() == TestExecutionResult.Status.SUCCESSFUL,
                                thrown.map(IsolatedRun::messages).orElse("")));
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
        return results;
    }

    /**
     * {@code classPath} followed by the test classes of the lessons before the one whose
     * tests run: a lesson's tests may use an earlier lesson's fixtures (lesson 3 makes its
     * processes with lesson 2's), and those must see the same course classes as the tests.
     */
    private static List<Path> withEarlierFixtures(List<Path> classPath, Path testClasses) {
        List<Path> out = new ArrayList<>(classPath);
        for (String module : Skeletons.LESSONS.keySet()) {
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

    /** The messages of a throwable and its causes, one per line. */
    private static String messages(Throwable t) {
        StringBuilder out = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            out.append(c.getClass().getName()).append(": ").append(c.getMessage()).append('\n');
        }
        return out.toString();
    }

    private static List<String> testClassNames(Path testClasses) {
        try (Stream<Path> files = Files.walk(testClasses)) {
            return files.map(p -> testClasses.relativize(p).toString())
                    .filter(p -> p.endsWith("Test.class") && !p.contains("$"))
                    .map(p -> p.substring(0, p.length() - ".class".length()).replace('/', '.'))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    /** Loads {@code herd.*} classes from its own folders first, everything else from the parent. */
    private static final class ChildFirstLoader extends URLClassLoader {
        ChildFirstLoader(URL[] urls, ClassLoader parent) {
            super(urls, parent);
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
