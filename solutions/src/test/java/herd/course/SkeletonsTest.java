package herd.course;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The drift check: the committed lesson sources are exactly what the generator makes from solutions. */
class SkeletonsTest {
    private final Path root = IsolatedRun.root();

    @Test
    void lessonSourcesMatchTheGenerator() {
        List<String> drift = Skeletons.drift(root, Skeletons.generate(root));
        assertThat(drift)
                .as("lesson sources that differ from solutions; regenerate them with "
                        + "java solutions/src/test/java/herd/course/Skeletons.java")
                .isEmpty();
    }

    @Test
    void everyExerciseHasItsSectionInTheLessonReadme() throws IOException {
        for (String module : Skeletons.LESSONS.keySet()) {
            String readme = Files.readString(root.resolve(module).resolve("README.md"));
            Set<String> sections = new TreeSet<>();
            Matcher m = Pattern.compile("(?m)^<a name=\"(l\\d\\d-e\\d+)\"></a>\n### (L\\d\\d-E\\d+) · ").matcher(readme);
            while (m.find()) {
                assertThat(m.group(1)).as("the anchor of " + m.group(2)).isEqualTo(m.group(2).toLowerCase(Locale.ROOT));
                sections.add(m.group(2));
            }
            assertThat(sections).as("exercise sections (an anchor, then '### Lnn-Em · title') in " + module
                    + "/README.md").isEqualTo(Skeletons.exerciseIds(root, module.substring(6, 8)));
        }
    }
}
