package herd.course;

/**
 * A failure as a learner should read it: its messages, without stack traces, course
 * machinery frames or the scheduler's suppressed run contexts.
 */
public final class Failures {
    private Failures() {
    }

    /** {@code Type: first line of the message}. */
    public static String firstLine(Throwable t) {
        String message = t.getMessage() == null ? "" : t.getMessage().strip();
        String first = message.lines().filter(l -> !l.isBlank()).findFirst().orElse(message);
        return t.getClass().getSimpleName() + ": " + first;
    }

    /**
     * The message of {@code t}, then of each cause whose message is not already part of
     * it (an AssertionError that wraps a failing seed repeats its cause's message).
     */
    public static String messages(Throwable t) {
        StringBuilder out = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            String message = c.getMessage() == null ? c.getClass().getName() : c.getMessage().strip();
            if (out.indexOf(message) < 0) {
                out.append(out.length() == 0 ? "" : "\ncaused by ").append(c.getClass().getSimpleName()).append(": ")
                        .append(message);
            }
        }
        return out.toString();
    }
}
