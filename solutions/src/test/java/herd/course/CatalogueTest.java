package herd.course;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import herd.course.tool.CourseRoot;
import herd.course.tool.Main;
import herd.course.tool.maintainer.Skeletons;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalogue is the one list of lessons and exercises: the poms, the READMEs' exercise
 * sections, the exercise regions of solutions and {@code .course/points.properties} agree
 * with it, and the committed workbooks are exactly what the generator makes.
 */
class CatalogueTest {
    private final Path root = IsolatedRun.root();

    @Test
    void lessonSourcesMatchTheGenerator() {
        assertThat(Skeletons.drift(root, Skeletons.generate(root)))
                .as("lesson sources that differ from solutions; regenerate them with java .course/Course.java generate")
                .isEmpty();
    }

    @Test
    void thePomsListTheCataloguesLessons() throws IOException {
        List<String> modules = Catalogue.LESSONS.stream().map(Catalogue.Lesson::module).toList();
        String parent = Files.readString(root.resolve("pom.xml"));
        assertThat(all("<module>(lesson[^<]+)</module>", parent)).as("the parent pom's lesson modules").isEqualTo(modules);
        assertThat(all("<dependency>course\\.herd:([^:]+):test-jar:tests</dependency>",
                Files.readString(root.resolve("solutions/pom.xml"))))
                .as("the lesson test-jars solutions runs").isEqualTo(modules);
        for (Catalogue.Lesson lesson : Catalogue.LESSONS) {
            assertThat(root.resolve(lesson.module()).resolve("pom.xml")).as(lesson.module() + "'s pom")
                    .content().contains("<artifactId>" + lesson.module() + "</artifactId>");
        }
    }

    @Test
    void everyExerciseHasItsRegionsAndItsReadmeSectionWithTheCataloguesTitle() throws IOException {
        Map<String, String> catalogue = new TreeMap<>();
        Catalogue.exercises().forEach(e -> catalogue.put(e.id().toString(), e.title()));
        TreeSet<String> regions = Skeletons.regions(root).stream().map(r -> r.id().toString())
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(regions).as("exercise ids of the regions in solutions").isEqualTo(catalogue.keySet());
        Map<String, String> readmes = new TreeMap<>();
        for (Catalogue.Lesson lesson : Catalogue.LESSONS) {
            String readme = Files.readString(root.resolve(lesson.module()).resolve("README.md"));
            Matcher m = Pattern.compile("(?m)^<a name=\"([^\"]+)\"></a>\n### (" + ExerciseId.PATTERN + ") · (.+)$")
                    .matcher(readme);
            while (m.find()) {
                assertThat(m.group(1)).as("the anchor of " + m.group(2)).isEqualTo(ExerciseId.parse(m.group(2)).anchor());
                readmes.put(m.group(2), m.group(3));
            }
        }
        assertThat(readmes).as("exercise sections (an anchor, then '### Lnn-Em · title') in the lesson READMEs")
                .isEqualTo(catalogue);
    }

    @Test
    void pointsNameOnlyExercisesOfTheCatalogue(@TempDir Path tmp) throws IOException {
        assertThat(new CourseRoot(root).points()).as("points of every exercise").hasSize(Catalogue.exercises().size());
        Files.createDirectories(tmp.resolve(".course"));
        Files.writeString(tmp.resolve(".course/points.properties"), "L01-E1=10\nL01-E9=10\n");
        assertThatThrownBy(() -> new CourseRoot(tmp).points()).isInstanceOf(Main.UsageError.class)
                .hasMessageContaining("L01-E9 is not an exercise of the course");
    }

    @Test
    void idsAreParsedInOnePlace() {
        ExerciseId id = ExerciseId.parse("l02-e5");
        assertThat(id).hasToString("L02-E5");
        assertThat(id.lesson()).isEqualTo(LessonId.parse("lesson02-eventpoll")).isEqualTo(LessonId.parse("2"));
        assertThat(id.readme()).isEqualTo("lesson02-eventpoll/README.md#l02-e5");
        assertThat(id.lesson().tag()).isEqualTo("lesson02");
        assertThatThrownBy(() -> ExerciseId.parse("L2-E5")).hasMessageContaining("the format is L01-E2");
        assertThatThrownBy(() -> Catalogue.exercise(ExerciseId.parse("L01-E9"))).hasMessageContaining("no exercise L01-E9");
    }

    @Test
    void theRecordFormatRoundTrips() {
        TestRecord record = new TestRecord(TestRecord.FAILED, "L01-E2", "[engine:junit-jupiter]/[class:a.B]",
                "x()", "L01-E1", "AssertionError: a\tb", "line one\nline\\two", "visible");
        assertThat(TestRecord.parse(record.toLine())).contains(record);
        assertThat(record.toLine()).doesNotContain("\n");
        assertThat(TestRecord.parse("passed\tL01-E2\ttorn")).isEmpty();
    }

    private static List<String> all(String regex, String text) {
        Matcher m = Pattern.compile(regex).matcher(text);
        List<String> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
