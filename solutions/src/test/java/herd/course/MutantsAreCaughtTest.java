package herd.course;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tests of the tests: each plausible wrong implementation of an exercise, compiled in
 * place of the reference file, must fail that exercise's tests. A suite that lets a
 * known-wrong answer pass is a bug in the course.
 */
class MutantsAreCaughtTest {
    private static final String QUEUE = "wait/WaitQueueHead.java";
    private static final String ENTRY = "wait/WaitQueueEntry.java";
    private static final String WAIT = "wait/Wait.java";
    private static final String EVENT = "wait/WaitEvent.java";
    private static final String SCHED = "sched/Sched.java";

    static Stream<Mutant> mutants() {
        return Stream.of(
                new Mutant("L01-E1", "add_wait_queue_exclusive links at the head (wrong queue end)", QUEUE,
                        "            addWaitQueueEntryTailLocked(wqEntry);",
                        "            addWaitQueueLocked(wqEntry);"),
                new Mutant("L01-E1", "add_wait_queue keeps a stale WQ_FLAG_EXCLUSIVE", QUEUE,
                        "        wqEntry.flags &= ~WQ_FLAG_EXCLUSIVE;\n        lock.lock();",
                        "        lock.lock();"),
                new Mutant("L01-E2", "wake-all instead of wake-one: the exclusive budget is never spent", QUEUE,
                        "if (ret != 0 && (flags & WQ_FLAG_EXCLUSIVE) != 0 && --nrExclusive == 0) {",
                        "if (ret != 0 && (flags & WQ_FLAG_EXCLUSIVE) != 0 && --nrExclusive == Integer.MIN_VALUE) {"),
                new Mutant("L01-E2", "an entry that declined (returned 0) still spends the budget", QUEUE,
                        "if (ret != 0 && (flags & WQ_FLAG_EXCLUSIVE) != 0 && --nrExclusive == 0) {",
                        "if ((flags & WQ_FLAG_EXCLUSIVE) != 0 && --nrExclusive == 0) {"),
                new Mutant("L01-E2", "a negative return does not stop the walk", QUEUE,
                        "                if (ret < 0) {\n                    break;\n                }\n", ""),
                new Mutant("L01-E3", "try_to_wake_up ignores the state mask", SCHED,
                        "if ((p.state() & state) == 0) {", "if (p.state() == TASK_RUNNING) {"),
                new Mutant("L01-E3", "autoremove_wake_function unlinks even when nothing was woken", ENTRY,
                        "            if (ret != 0) {\n                wqEntry.entry.delInit();",
                        "            if (ret >= 0) {\n                wqEntry.entry.delInit();"),
                new Mutant("L01-E4", "prepare_to_wait_exclusive links at the head (LIFO instead of FIFO)", WAIT,
                        "                wqHead.addWaitQueueEntryTailLocked(wqEntry);\n            }\n            setCurrentState",
                        "                wqHead.addWaitQueueLocked(wqEntry);\n            }\n            setCurrentState"),
                new Mutant("L01-E4", "finish_wait leaves the entry on the queue", WAIT,
                        "        if (!wqEntry.entry.isEmpty()) {\n            wqHead.lock.lock();",
                        "        if (false) {\n            wqHead.lock.lock();"),
                new Mutant("L01-E5", "lost wake-up: the condition is tested before the task is queued", EVENT,
                        "                long interrupted = Wait.prepareToWaitEvent(wqHead, wait, state);\n"
                                + "                if (condition.getAsBoolean()) {",
                        "                boolean ready = condition.getAsBoolean();\n"
                                + "                long interrupted = Wait.prepareToWaitEvent(wqHead, wait, state);\n"
                                + "                if (ready) {",
                        "replay exactly this run"),
                new Mutant("L01-E5", "a pending signal is ignored", EVENT,
                        "                if (interrupted != 0) {\n                    return interrupted;\n                }\n",
                        ""),
                new Mutant("L01-E6", "wake_up wakes every exclusive sleeper (thundering herd)", QUEUE,
                        "return wakeUp(TASK_NORMAL, 1, 0, 0);", "return wakeUp(TASK_NORMAL, 0, 0, 0);"),
                new Mutant("L01-E6", "wake_up_interruptible also wakes uninterruptible sleepers", QUEUE,
                        "return wakeUp(TASK_INTERRUPTIBLE, 1, 0, 0);", "return wakeUp(TASK_NORMAL, 1, 0, 0);"),
                new Mutant("L01-E6", "wake_up_interruptible_sync_poll drops the poll key", QUEUE,
                        "return wakeUp(TASK_INTERRUPTIBLE, 1, WF_SYNC, mask);",
                        "return wakeUp(TASK_INTERRUPTIBLE, 1, WF_SYNC, 0);"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mutants")
    void theExerciseTestsRejectIt(Mutant mutant) {
        Path mutantClasses = mutant.compile();
        Path tests = IsolatedRun.classes(mutant.lessonModule(), "test-classes");
        List<Path> classPath = List.of(mutantClasses, IsolatedRun.classes("solutions", "classes"), tests);

        List<IsolatedRun.Result> results = IsolatedRun.run(classPath, tests, mutant.exercise());

        assertThat(results).as("tests tagged " + mutant.exercise()).isNotEmpty();
        assertThat(results).as("tests of " + mutant.exercise() + " that fail on the mutant '" + mutant.name() + "'")
                .anyMatch(r -> !r.passed());
        assertThat(results).as("a failure report of the mutant that says '" + mutant.reportSays() + "'")
                .anyMatch(r -> !r.passed() && r.message().contains(mutant.reportSays()));
    }
}
