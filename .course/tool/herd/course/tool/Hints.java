package herd.course.tool;

import herd.course.ExerciseId;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/** {@code hint ID}: the next hint of an exercise, one level at a time, from its README section. */
final class Hints {
    private final CourseRoot course;
    private final Path state;

    Hints(CourseRoot course) {
        this.course = course;
        this.state = course.dir().resolve(".course/state/hints.properties");
    }

    void show(ExerciseId id, boolean all) {
        List<String> hints = course.hints(id);
        System.out.println(id + " · " + id.title().replace("`", ""));
        if (hints.isEmpty()) {
            System.out.println("No hints for " + id + "; see " + id.readme());
            return;
        }
        Properties shown = load();
        int already = Integer.parseInt(shown.getProperty(id.toString(), "0"));
        int upTo = all ? hints.size() : Math.min(already + 1, hints.size());
        for (int level = all ? 1 : upTo; level <= upTo; level++) {
            System.out.println();
            System.out.println("Hint " + level + " of " + hints.size() + ":");
            System.out.println(hints.get(level - 1).indent(2).stripTrailing());
        }
        System.out.println();
        System.out.println(upTo < hints.size() ? "Run the same command again for the next hint."
                : "That was the last hint. Once the tests pass, compare with the reference if your edition has it"
                + " (.course/reference/all/" + id.lesson().module() + "), or ask your instructor.");
        shown.setProperty(id.toString(), Integer.toString(Math.max(already, upTo)));
        store(shown);
    }

    /** How many hints of {@code id} were shown already. */
    int shown(ExerciseId id) {
        return Integer.parseInt(load().getProperty(id.toString(), "0"));
    }

    private Properties load() {
        Properties p = new Properties();
        if (Files.exists(state)) {
            try (Reader in = Files.newBufferedReader(state)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return p;
    }

    private void store(Properties p) {
        try {
            Files.createDirectories(state.getParent());
            try (Writer out = Files.newBufferedWriter(state)) {
                p.store(out, "hints already shown, per exercise");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
