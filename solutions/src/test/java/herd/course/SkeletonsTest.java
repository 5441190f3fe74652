package herd.course;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
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
}
