package herd.trace;

/** What the tests of the trace formats share. */
final class TraceTests {
    private TraceTests() {
    }

    /** {@code lines}, each ended by a newline, as a rendered trace is. */
    static String lines(String... lines) {
        return String.join("\n", lines) + "\n";
    }
}
