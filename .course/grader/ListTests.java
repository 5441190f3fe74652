import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.discovery.ClassNameFilter;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The grader's list of the tests a lesson must run, found by JUnit's discovery in a JVM of
 * its own (no test runs, and no class is initialised, so no code of the learner's runs):
 * one line per test method or test template, {@code class TAB method TAB tags TAB name}.
 * Run by the grader as {@code java -cp CLASSPATH .course/grader/ListTests.java TAG DIR...}
 * with the class path of the lesson's tests.
 */
public final class ListTests {
    private ListTests() {
    }

    public static void main(String[] args) {
        Set<Path> roots = new LinkedHashSet<>();
        for (int i = 1; i < args.length; i++) {
            roots.add(Path.of(args[i]));
        }
        // Surefire's default includes: Test*, *Test, *Tests, *TestCase.
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClasspathRoots(roots))
                .filters(ClassNameFilter.includeClassNamePatterns("^(.*\\.)?(Test[^.]*|[^.]*Tests?|[^.]*TestCase)$"),
                        TagFilter.includeTags(args[0]))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false")
                .build();
        TestPlan plan = LauncherFactory.create().discover(request);
        StringBuilder out = new StringBuilder();
        for (TestIdentifier root : plan.getRoots()) {
            for (TestIdentifier t : plan.getDescendants(root)) {
                TestSource source = t.getSource().orElse(null);
                if (source instanceof MethodSource m) {
                    String tags = t.getTags().stream().map(tag -> tag.getName()).sorted().collect(Collectors.joining(","));
                    out.append(m.getClassName()).append('\t').append(m.getMethodName()).append('\t').append(tags)
                            .append('\t').append(t.getDisplayName().replace('\t', ' ').replace('\n', ' ')).append('\n');
                }
            }
        }
        System.out.print(out);
        System.out.flush();
    }
}
