package herd.fix.demo;

import static org.assertj.core.api.Assertions.assertThat;

import herd.nginx.HerdFigures;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The comparison's charts ({@link ComparisonCharts}): three PNGs per workload, workloads
 * in the order the rows name them, each a chart of the expected size with something drawn.
 */
class ComparisonChartsTest {
    /** Two strategies under two workloads, for 1, 2 and 4 workers; the herd's wake-ups grow with the workers. */
    private static List<ComparisonRow> rows() {
        List<ComparisonRow> rows = new ArrayList<>();
        for (String workload : List.of("trickle", "burst")) {
            for (String strategy : List.of("herd", "EPOLLEXCLUSIVE")) {
                for (int n : List.of(1, 2, 4)) {
                    boolean herd = strategy.equals("herd");
                    double wakeups = herd ? n : 1;
                    List<Long> accepts = new ArrayList<>(Collections.nCopies(n, 0L));
                    accepts.set(0, 12L);
                    HerdFigures figures = new HerdFigures(n, 12, n, wakeups, wakeups - 1, 0, accepts, 1.0 / n);
                    rows.add(new ComparisonRow(strategy, workload, figures, 0.1 * n, herd ? 0.5 * n : 0.2));
                }
            }
        }
        return rows;
    }

    @Test
    void writesThreeChartsPerWorkloadInTheOrderOfTheRows(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("charts");

        List<Path> files = ComparisonCharts.render(rows(), dir);

        assertThat(files).as("the charts, workload by workload, into a folder made for them").containsExactly(
                dir.resolve("wakeups-trickle.png"), dir.resolve("latency-p99-trickle.png"),
                dir.resolve("fairness-trickle.png"), dir.resolve("wakeups-burst.png"),
                dir.resolve("latency-p99-burst.png"), dir.resolve("fairness-burst.png"));
    }

    @Test
    void everyChartIsAPngOfTheChartSizeWithMoreThanBackgroundAndText(@TempDir Path tmp) throws IOException {
        for (Path file : ComparisonCharts.render(rows(), tmp)) {
            BufferedImage image = ImageIO.read(file.toFile());

            assertThat(image).as("%s read as an image", file.getFileName()).isNotNull();
            assertThat(image.getWidth()).as("%s width", file.getFileName()).isEqualTo(ComparisonCharts.WIDTH);
            assertThat(image.getHeight()).as("%s height", file.getFileName()).isEqualTo(ComparisonCharts.HEIGHT);
            Set<Integer> colours = colours(image);
            assertThat(colours).as("distinct colours in %s: more than a blank page", file.getFileName())
                    .hasSizeGreaterThan(2);
            assertThat(colours).as("%s has coloured pixels, not only the greys of text and grid", file.getFileName())
                    .anyMatch(ComparisonChartsTest::chromatic);
        }
    }

    /** Whether an RGB colour is far from grey: the strategies' lines and markers, not text or grid. */
    private static boolean chromatic(int rgb) {
        int r = rgb >> 16 & 0xff;
        int g = rgb >> 8 & 0xff;
        int b = rgb & 0xff;
        return Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 64;
    }

    private static Set<Integer> colours(BufferedImage image) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours;
    }
}
