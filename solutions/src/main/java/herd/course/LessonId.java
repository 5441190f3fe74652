package herd.course;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A lesson's number, and every name derived from it: the JUnit tag {@code lesson01}, the
 * module folder from the {@link Catalogue}. The one place that parses lesson names.
 */
public record LessonId(int number) implements Comparable<LessonId> {
    private static final Pattern FORMAT = Pattern.compile("(?:lesson)?0*(\\d{1,2})(?:-.*)?",
            Pattern.CASE_INSENSITIVE);

    public LessonId {
        if (number < 1 || number > 99) {
            throw new IllegalArgumentException("a lesson number is 1 to 99, not " + number);
        }
    }

    /** {@code 3}, {@code 03}, {@code lesson03} or a module folder such as {@code lesson03-tcp-handshake}. */
    public static LessonId parse(String text) {
        Matcher m = FORMAT.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a lesson: '" + text + "' (write 3, lesson03 or L03)");
        }
        return new LessonId(Integer.parseInt(m.group(1)));
    }

    /** The JUnit tag of the lesson's tests: {@code lesson03}. */
    public String tag() {
        return String.format(Locale.ROOT, "lesson%02d", number);
    }

    /** The prefix of its exercise ids: {@code L03-}. */
    public String exercisePrefix() {
        return String.format(Locale.ROOT, "L%02d-", number);
    }

    /** The module folder, as the catalogue lists it. */
    public String module() {
        return Catalogue.lesson(this).module();
    }

    @Override
    public int compareTo(LessonId other) {
        return Integer.compare(number, other.number);
    }

    @Override
    public String toString() {
        return tag();
    }
}
