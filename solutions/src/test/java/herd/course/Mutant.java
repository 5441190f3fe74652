package herd.course;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * A known-wrong implementation of one exercise: the reference source of one file with
 * one snippet replaced, as a learner might write it. {@link MutantsAreCaughtTest}
 * proves the exercise's tests reject each one.
 *
 * @param exercise    the exercise id whose tests must catch it
 * @param name        what is wrong, in words
 * @param file        the solutions source file, under {@code herd/}
 * @param original    the snippet of the reference (it must occur exactly once)
 * @param replacement the wrong code
 * @param reportSays  text the failure report must contain (empty for none)
 */
record Mutant(String exercise, String name, String file, String original, String replacement, String reportSays) {
    Mutant(String exercise, String name, String file, String original, String replacement) {
        this(exercise, name, file, original, replacement, "");
    }

    /** The module whose tests are tagged with the exercise id. */
    String lessonModule() {
        return ExerciseId.parse(exercise).lesson().module();
    }

    /** The tag of the exercise's lesson, {@code lesson01}. */
    String lessonTag() {
        return ExerciseId.parse(exercise).lesson().tag();
    }

    /** Compiles the mutated file into a fresh folder, against the test class path. */
    Path compile() {
        Path source = IsolatedRun.root().resolve("solutions/src/main/java/herd").resolve(file);
        String text = herd.course.tool.Trees.read(source);
        int at = text.indexOf(original);
        if (at < 0 || text.indexOf(original, at + 1) >= 0) {
            throw new IllegalStateException("mutant '" + name + "' no longer applies: its snippet must occur once in "
                    + source + "; update it in MutantsAreCaughtTest");
        }
        return Javac.compile("mutant-" + exercise.toLowerCase(Locale.ROOT),
                Map.of(Path.of("herd").resolve(file), text.replace(original, replacement)));
    }

    @Override
    public String toString() {
        return exercise + ": " + name;
    }
}
