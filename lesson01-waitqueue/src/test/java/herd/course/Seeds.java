package herd.course;

import herd.sched.DeterministicScheduler;
import herd.trace.FtraceFormat;
import herd.trace.TraceEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Runs a scenario on the {@link DeterministicScheduler} once per seed, so a race shows
 * up as a failing seed that replays exactly. A test asks for it as a parameter:
 *
 * <pre>
 * &#64;ExtendWith(Seeds.Resolver.class)
 * class WaitEventTest {
 *     &#64;Test void noLostWakeup(Seeds seeds) {
 *         seeds.explore(200, 0.5, sched -&gt; { ...spawn tasks...; sched.run(); ...assert... });
 *     }
 * }
 * </pre>
 *
 * <p>A failing seed is reported with the command that replays it ({@code -Dcourse.seed=N}
 * runs that seed alone and prints its trace) and the end of its trace; the whole trace
 * is written to {@code target/traces/}.
 */
public final class Seeds {
    private static final String SEED_PROPERTY = "course.seed";
    private static final int TRACE_LINES = 40;

    private final String testClass;
    private final String testMethod;
    private final String replay;

    private Seeds(String testClass, String testMethod, String replay) {
        this.testClass = testClass;
        this.testMethod = testMethod;
        this.replay = replay;
    }

    /**
     * Runs {@code scenario} with seeds 0 to {@code count - 1} (or only the seed given with
     * {@code -Dcourse.seed}), each on a fresh scheduler that preempts at each preemption
     * point with probability {@code preemption}.
     */
    public void explore(int count, double preemption, Consumer<DeterministicScheduler> scenario) {
        String only = System.getProperty(SEED_PROPERTY);
        if (only != null) {
            runOne(Long.parseLong(only), count, preemption, scenario, true);
            return;
        }
        for (long seed = 0; seed < count; seed++) {
            runOne(seed, count, preemption, scenario, false);
        }
    }

    private void runOne(long seed, int count, double preemption, Consumer<DeterministicScheduler> scenario,
                        boolean show) {
        DeterministicScheduler sched = new DeterministicScheduler(seed, preemption);
        try (sched) {
            scenario.accept(sched);
        } catch (Throwable failure) {
            throw new AssertionError(describe(seed, count, failure, sched.trace().events()), failure);
        }
        if (show) {
            System.out.println("seed " + seed + " passed; its trace:\n" + FtraceFormat.render(sched.trace().events()));
        }
    }

    private String describe(long seed, int count, Throwable failure, List<TraceEvent> events) {
        Path file = Path.of("target", "traces", testClass + "." + testMethod + "-seed" + seed + ".txt");
        String where = write(file, FtraceFormat.render(events)) ? "full trace in " + file.toAbsolutePath()
                : "the full trace could not be written";
        List<TraceEvent> tail = events.subList(Math.max(0, events.size() - TRACE_LINES), events.size());
        return "seed " + seed + " (of " + count + ") failed: " + failure.getMessage() + "\n"
                + "  replay exactly this run: " + replay + " -Dcourse.seed=" + seed + "\n"
                + "  last " + tail.size() + " trace events (" + where + "):\n" + FtraceFormat.render(tail);
    }

    private static boolean write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
            return true;
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    /**
     * The command that runs one test again, the way this run was started: the course tool's
     * {@code test} command (it sets {@code course.runner}), the maintainers' build
     * ({@code course.root}), or a learner's Maven command.
     */
    static String replayCommand(LessonId lesson, String group, String classAndMethod) {
        if ("tool".equals(System.getProperty("course.runner"))) {
            return "java .course/Course.java test " + group + " --test '" + classAndMethod + "'";
        }
        String select = " -Dtest='" + classAndMethod + "'";
        return System.getProperty("course.root") != null ? "mvn -pl solutions -am test" + select
                : "mvn -pl " + lesson.module() + " -am test -Dgroups=" + group + select;
    }

    /** Gives a test method its {@link Seeds}, which knows the command that replays the test. */
    public static final class Resolver implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == Seeds.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            Class<?> test = context.getRequiredTestClass();
            String method = context.getTestMethod().map(Method::getName).orElse("test");
            LessonId lesson = context.getTags().stream().filter(t -> t.startsWith("lesson")).findFirst()
                    .map(LessonId::parse).orElse(new LessonId(1));
            String group = ExerciseId.among(context.getTags()).map(ExerciseId::toString).orElse(lesson.tag());
            String replay = replayCommand(lesson, group, test.getSimpleName() + "#" + method);
            return new Seeds(test.getSimpleName(), method, replay);
        }
    }
}
