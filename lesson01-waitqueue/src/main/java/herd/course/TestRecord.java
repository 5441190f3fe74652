package herd.course;

import java.util.Optional;

/**
 * One test's outcome as the course's runners record it, one line per record: the grading
 * listener writes these lines as each test starts and ends, and the course tool reads
 * them for its verdicts, progress and grades. This class is the line format's only
 * definition: tab-separated fields, with tabs, line breaks and backslashes escaped.
 *
 * @param status     {@code started}, {@code skipped}, {@code passed} or {@code failed}
 * @param exercise   the exercise id among the test's tags
 * @param uniqueId   JUnit's unique id of the test
 * @param name       its display name
 * @param notDone    the exercise whose stub the test hit, or empty
 * @param reason     the first line of the failure ({@code Type: message}), or the skip reason
 * @param detail     the whole failure message, without a stack trace
 * @param visibility Gradescope's: {@code after_due_date} for a test tagged {@code hidden}, else {@code visible}
 */
public record TestRecord(String status, String exercise, String uniqueId, String name, String notDone,
                         String reason, String detail, String visibility) {
    public static final String STARTED = "started";
    public static final String SKIPPED = "skipped";
    public static final String PASSED = "passed";
    public static final String FAILED = "failed";
    private static final int FIELDS = 8;

    /** The record as one line, without the line break. */
    public String toLine() {
        return String.join("\t", status, exercise, escape(uniqueId), escape(name), notDone, escape(reason),
                escape(detail), visibility);
    }

    /** The record a line holds, or empty for a line that is not one (a torn last line, a stray line). */
    public static Optional<TestRecord> parse(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != FIELDS) {
            return Optional.empty();
        }
        return Optional.of(new TestRecord(f[0], f[1], unescape(f[2]), unescape(f[3]), f[4], unescape(f[5]),
                unescape(f[6]), f[7]));
    }

    public boolean passed() {
        return status.equals(PASSED);
    }

    static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "");
    }

    static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                out.append(n == 't' ? '\t' : n == 'n' ? '\n' : n);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
