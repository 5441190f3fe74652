package herd.course;

import herd.sched.StuckError;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Once a test of an exercise has timed out (a hang or an endless loop in the learner's
 * code), the exercise's remaining tests are skipped with that reason instead of each
 * waiting out its own timeout: a loop in one exercise costs that exercise, not the
 * whole run. Registered for every test through {@code META-INF/services} (extension
 * auto-detection is on in the build).
 */
public final class ExerciseTimeoutGuard implements ExecutionCondition, AfterTestExecutionCallback {
    private static final Map<String, String> TIMED_OUT = new ConcurrentHashMap<>();

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<String> exercise = exerciseOf(context);
        String earlier = exercise.map(TIMED_OUT::get).orElse(null);
        return earlier == null ? ConditionEvaluationResult.enabled("no timeout in this exercise yet")
                : ConditionEvaluationResult.disabled("not run: an earlier test of " + exercise.get() + " timed out ("
                        + earlier + "); fix that hang first");
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        Throwable thrown = context.getExecutionException().orElse(null);
        if (isHang(thrown)) {
            exerciseOf(context).ifPresent(id -> TIMED_OUT.putIfAbsent(id, context.getDisplayName()));
        }
    }

    /** A JUnit timeout, or the deterministic scheduler's watchdog (a task that never gave up the CPU). */
    private static boolean isHang(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof StuckError stuck && stuck.isWatchdog()) {
                return true;
            }
        }
        return false;
    }

    private static Optional<String> exerciseOf(ExtensionContext context) {
        return ExerciseId.among(context.getTags()).map(ExerciseId::toString);
    }
}
