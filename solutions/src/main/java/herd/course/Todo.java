package herd.course;

import java.util.Locale;

/**
 * The stub that stands in a learner's workbook where an exercise's code goes.
 *
 * <p>The lesson sources are generated from {@code solutions}: each exercise region is
 * replaced by {@code throw herd.course.Todo.exercise("L01-E2", "what to write")}, so an
 * unsolved exercise fails with its id, what to implement and where the lesson explains it.
 */
public final class Todo {
    private Todo() {
    }

    /** The error an unsolved exercise throws. */
    public static NotDone exercise(String id, String what) {
        return new NotDone(id, what);
    }

    /** Thrown by the stub of an exercise that is not written yet. */
    public static final class NotDone extends Error {
        private static final long serialVersionUID = 1L;
        private final String id;

        NotDone(String id, String what) {
            super(id + " is not done yet: " + what + ". See " + readmeOf(id) + ", and run it with "
                    + "-Dgroups=" + id);
            this.id = id;
        }

        /** The exercise id, for example {@code L01-E2}. */
        public String id() {
            return id;
        }
    }

    /** Where the lesson README explains an exercise: {@code L01-E2} is in lesson01's README. */
    static String readmeOf(String id) {
        return lessonModule(id.substring(1, 3)) + "/README.md#" + id.toLowerCase(Locale.ROOT);
    }

    /** The module directory of lesson {@code number}: {@code "01"} is {@code lesson01-waitqueue}. */
    public static String lessonModule(String number) {
        return switch (number) {
            case "01" -> "lesson01-waitqueue";
            case "02" -> "lesson02-eventpoll";
            case "03" -> "lesson03-tcp-handshake";
            case "04" -> "lesson04-herd";
            case "05" -> "lesson05-exclusive";
            default -> throw new IllegalArgumentException("no lesson " + number);
        };
    }
}
