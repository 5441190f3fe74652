package herd.course;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClasspathRoots;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.discovery.ClassNameFilter;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs lesson tests in this JVM on the JUnit Platform, as Surefire would run them: the
 * same class-name pattern, tag filter, extensions, timeouts (junit-platform.properties)
 * and {@link GradingListener} records. The course tool's {@code test}, {@code watch} and
 * {@code progress} call it in a class loader of their own, and so do the course's checks;
 * it uses only JDK types in its signature for that reason.
 */
public final class LessonRunner {
    private LessonRunner() {
    }

    /**
     * Runs the tests under {@code testRoots} (class folders) whose tags match
     * {@code tagExpression}, or only {@code test} ({@code Class#method} or {@code Class},
     * simple names) when it is not null, and records each outcome in {@code records}.
     */
    public static void run(List<Path> testRoots, String tagExpression, String test, Path records) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(test == null ? selectClasspathRoots(Set.copyOf(testRoots)) : List.of(select(testRoots, test)))
                .filters(ClassNameFilter.includeClassNamePatterns(ClassNameFilter.STANDARD_INCLUDE_PATTERN),
                        TagFilter.includeTags(tagExpression))
                .configurationParameter("junit.jupiter.execution.timeout.default",
                        System.getProperty("course.test.timeout", "20 s"))
                .build();
        LauncherConfig config = LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false)
                .addTestExecutionListeners(new GradingListener(records)).build();
        LauncherFactory.create(config).execute(request);
    }

    /** The selector of {@code Class#method} or {@code Class}, found by its simple name under the roots. */
    private static DiscoverySelector select(List<Path> testRoots, String test) {
        String[] parts = test.split("#", 2);
        String className = testRoots.stream().flatMap(root -> classNames(root).stream())
                .filter(n -> n.endsWith("." + parts[0]) || n.equals(parts[0])).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no test class " + parts[0]));
        return parts.length == 1 ? org.junit.platform.engine.discovery.DiscoverySelectors.selectClass(className)
                : selectMethod(className, parts[1]);
    }

    private static List<String> classNames(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.map(p -> root.relativize(p).toString()).filter(p -> p.endsWith(".class") && !p.contains("$"))
                    .map(p -> p.substring(0, p.length() - ".class".length()).replace('/', '.')).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
