package herd.course.tool;

import herd.course.Catalogue;
import herd.course.ExerciseId;
import herd.course.TestRecord;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where each exercise stands, from its tests' records: what progress shows and the grader scores. */
final class Scores {
    private Scores() {
    }

    enum State {
        /** Every test passes. */
        SOLVED,
        /** Every failing test stops at the exercise's own stub. */
        NOT_STARTED,
        /** Some test fails for a reason of its own. */
        FAILING,
        /** Its tests fail only at an earlier exercise's stub or failure. */
        BLOCKED,
        /** Its tests fail only at the stubs of later exercises: done as far as it can be tested yet. */
        WAITING,
        /** No test of it ran (the code did not compile, or the run was cut off first). */
        NOT_RUN
    }

    /** An exercise's standing: its tests, how many pass, the first reason, and the exercise it waits on. */
    record Result(Catalogue.Exercise exercise, State state, int tests, int passed, String reason,
                  ExerciseId blockedBy, List<TestRecord> records) {
        boolean solved() {
            return state == State.SOLVED;
        }
    }

    /** Each exercise's result from the records of its tests. */
    static Map<ExerciseId, Result> of(List<Catalogue.Exercise> exercises, List<TestRecord> records) {
        Map<ExerciseId, Result> out = new LinkedHashMap<>();
        for (Catalogue.Exercise ex : exercises) {
            List<TestRecord> mine = records.stream().filter(r -> r.exercise().equals(ex.id().toString())).toList();
            out.put(ex.id(), result(ex, mine));
        }
        return out;
    }

    private static Result result(Catalogue.Exercise ex, List<TestRecord> mine) {
        int passed = (int) mine.stream().filter(TestRecord::passed).count();
        List<TestRecord> failed = mine.stream().filter(r -> !r.passed()).toList();
        String reason = failed.stream().map(Scores::reason).findFirst().orElse("");
        if (mine.isEmpty()) {
            return new Result(ex, State.NOT_RUN, 0, 0, "no test of " + ex.id() + " ran", null, mine);
        }
        if (failed.isEmpty()) {
            return new Result(ex, State.SOLVED, mine.size(), passed, "", null, mine);
        }
        ExerciseId self = ex.id();
        Optional<ExerciseId> earlier = failed.stream().map(Scores::stubHit).flatMap(Optional::stream)
                .filter(id -> id.compareTo(self) < 0).min(Comparator.naturalOrder());
        boolean ownStub = failed.stream().allMatch(r -> stubHit(r).filter(self::equals).isPresent());
        boolean laterStubs = failed.stream().allMatch(r -> stubHit(r).filter(id -> id.compareTo(self) > 0).isPresent());
        State state = earlier.isPresent() ? State.BLOCKED : ownStub ? State.NOT_STARTED
                : laterStubs ? State.WAITING : State.FAILING;
        return new Result(ex, state, mine.size(), passed, reason, earlier.orElse(null), mine);
    }

    /** The exercise whose stub a test hit, if it hit one. */
    static Optional<ExerciseId> stubHit(TestRecord r) {
        return r.notDone().isEmpty() ? Optional.empty() : Optional.of(ExerciseId.parse(r.notDone()));
    }

    /** Why a test did not pass, in a line. */
    static String reason(TestRecord r) {
        return switch (r.status()) {
            case TestRecord.STARTED -> "cut off while it ran: the test JVM stopped (an endless loop, System.exit "
                    + "or out of memory)";
            case TestRecord.SKIPPED -> r.reason();
            default -> r.reason();
        };
    }
}
