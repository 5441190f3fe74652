package herd.course;

/**
 * The stub that stands in a learner's workbook where an exercise's code goes.
 *
 * <p>The lesson sources are generated from {@code solutions}: each exercise region is
 * replaced by {@code throw herd.course.Todo.exercise("L01-E2", "what to write")}, so an
 * unsolved exercise fails with its id, what to implement and where the lesson explains it.
 */
public final class Todo {
    /** What every not-done message says after the id; the course tool and the grader look for it. */
    public static final String NOT_DONE = " is not done yet: ";

    private Todo() {
    }

    /** The error an unsolved exercise throws. */
    public static NotDone exercise(String id, String what) {
        return new NotDone(ExerciseId.parse(id), what);
    }

    /**
     * Thrown by the stub of an exercise that is not written yet. It carries no stack trace:
     * where it was thrown is the stub itself, which the message names, and a learner's run
     * shows one line per test instead of thirty frames of course machinery.
     */
    public static final class NotDone extends Error {
        private static final long serialVersionUID = 1L;
        private final ExerciseId id;

        NotDone(ExerciseId id, String what) {
            super(id + NOT_DONE + what + ". See " + id.readme(), null, false, false);
            this.id = id;
        }

        /** The exercise id, for example {@code L01-E2}. */
        public ExerciseId id() {
            return id;
        }
    }

    /** The not-done stub somewhere in {@code thrown}'s causes and suppressed errors, if any. */
    public static java.util.Optional<NotDone> notDoneIn(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof NotDone notDone) {
                return java.util.Optional.of(notDone);
            }
            for (Throwable s : t.getSuppressed()) {
                java.util.Optional<NotDone> inner = notDoneIn(s);
                if (inner.isPresent()) {
                    return inner;
                }
            }
        }
        return java.util.Optional.empty();
    }
}
