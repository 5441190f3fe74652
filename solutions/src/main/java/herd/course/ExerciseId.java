package herd.course;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An exercise id, {@code L01-E2}: lesson 1, exercise 2. The one place that parses ids and
 * derives the tag, the README anchor and the README link from them.
 */
public record ExerciseId(LessonId lesson, int number) implements Comparable<ExerciseId> {
    /** The id's format, for code that finds ids in text (a marker, a tag, a message). */
    public static final String PATTERN = "L\\d\\d-E\\d+";
    private static final Pattern FORMAT = Pattern.compile("L(\\d\\d)-E(\\d+)", Pattern.CASE_INSENSITIVE);

    public ExerciseId {
        if (number < 1) {
            throw new IllegalArgumentException("an exercise number starts at 1, not " + number);
        }
    }

    /** {@code L01-E2} (any case); fails with a message naming the format otherwise. */
    public static ExerciseId parse(String text) {
        Matcher m = FORMAT.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not an exercise id: '" + text + "' (the format is L01-E2)");
        }
        return new ExerciseId(new LessonId(Integer.parseInt(m.group(1))), Integer.parseInt(m.group(2)));
    }

    /** Whether {@code text} is an exercise id. */
    public static boolean matches(String text) {
        return FORMAT.matcher(text).matches();
    }

    /** The exercise id among a test's tags, if any. */
    public static Optional<ExerciseId> among(Collection<String> tags) {
        return tags.stream().filter(ExerciseId::matches).findFirst().map(ExerciseId::parse);
    }

    /** The JUnit tag of its tests: the id itself. */
    public String tag() {
        return toString();
    }

    /** The anchor of its README section: {@code l01-e2}. */
    public String anchor() {
        return toString().toLowerCase(Locale.ROOT);
    }

    /** Where its lesson README explains it: {@code lesson01-waitqueue/README.md#l01-e2}. */
    public String readme() {
        return lesson.module() + "/README.md#" + anchor();
    }

    /** Its title, as the catalogue and the README heading give it. */
    public String title() {
        return Catalogue.exercise(this).title();
    }

    @Override
    public int compareTo(ExerciseId other) {
        int byLesson = lesson.compareTo(other.lesson);
        return byLesson != 0 ? byLesson : Integer.compare(number, other.number);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "L%02d-E%d", lesson.number(), number);
    }
}
