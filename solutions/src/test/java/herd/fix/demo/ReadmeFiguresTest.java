package herd.fix.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The comparison's rows that lesson 5's pages quote are what the comparison prints: each
 * row between a page's {@code <!-- NAME:begin ...} and {@code <!-- NAME:end -->} lines is run
 * again ({@link ComparisonRunner}) and must read exactly as {@link ComparisonTable} formats
 * it, and the full table the comparison wrote beside its charts has the same row.
 */
class ReadmeFiguresTest {
    private static final Path ROOT = Path.of(System.getProperty("course.root", ".."));
    private static final Path LESSON = ROOT.resolve("lesson05-exclusive");

    @Test
    void nginxsSideInTheLessonIsTheComparisonsTrickle() throws IOException {
        List<String> rows = block(LESSON.resolve("README.md"), "nginx-side");
        assertThat(rows).as("the lesson's table of nginx's side").hasSize(4);
        assertRowsAreMeasured(rows);
    }

    @Test
    void theMeasurementsExcerptIsWhatTheComparisonPrints() throws IOException {
        List<String> rows = block(LESSON.resolve("measurements/README.md"), "comparison-excerpt");
        assertThat(rows).as("the measurements page's excerpt").hasSizeGreaterThan(10);
        assertRowsAreMeasured(rows);
    }

    private static void assertRowsAreMeasured(List<String> rows) throws IOException {
        List<String> full = Files.readAllLines(ROOT.resolve(Comparison.CHARTS).resolve(Comparison.TABLE));
        for (String row : rows) {
            String[] cells = Arrays.stream(row.split("\\|")).map(String::strip).toArray(String[]::new);
            Workload workload = Arrays.stream(Workload.values()).filter(w -> w.label.equals(cells[1])).findFirst()
                    .orElseThrow(() -> new AssertionError("no workload " + cells[1] + " in " + row));
            ComparisonRow measured = ComparisonRunner.run(Strategies.named(cells[2]), workload, Integer.parseInt(cells[3]));
            assertThat(row).as("the quoted row, run again").isEqualTo(ComparisonTable.format(measured));
            assertThat(full).as("the full table the comparison wrote (%s) has the row", Comparison.TABLE).contains(row);
        }
    }

    /** The table rows between {@code <!-- name:begin} and {@code <!-- name:end -->} in {@code page}. */
    private static List<String> block(Path page, String name) throws IOException {
        List<String> rows = new ArrayList<>();
        boolean in = false;
        for (String line : Files.readAllLines(page)) {
            if (line.startsWith("<!-- " + name + ":begin")) {
                in = true;
            } else if (line.startsWith("<!-- " + name + ":end")) {
                in = false;
            } else if (in && line.startsWith("| ") && !line.startsWith("| workload ")) {
                rows.add(line);
            }
        }
        assertThat(in).as("%s ends its %s block", page, name).isFalse();
        return rows;
    }
}
