package herd.nginx.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import herd.course.kit.DemoOutput;
import herd.nginx.HerdFigures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The herd measured ({@link HerdTable}): per connection, a trickle costs every idle
 * worker one {@code ep_poll_callback} and one wake-up, and all but the one that accepts
 * are woken for nothing (spurious with EAGAIN, or hidden); a burst still costs a
 * callback per worker per connection.
 */
@Isolated("it captures System.out, which concurrent course checks print to")
class HerdTableTest {
    private static final int CONNECTIONS = HerdTable.CONNECTIONS;

    private static long sum(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).sum();
    }

    @ParameterizedTest(name = "trickle, {0} workers")
    @ValueSource(ints = {1, 2, 4, 8})
    void aTrickleWakesEveryWorkerOncePerConnection(int n) {
        HerdFigures f = HerdTable.measure(n, false);
        assertThat(f.workers()).as("the run's workers").isEqualTo(n);
        assertThat(f.connections()).as("the run's connections").isEqualTo(CONNECTIONS);
        assertThat(f.callbacksPerConnection()).as("each connection wakes the listening socket's queue once: one "
                + "ep_poll_callback per worker's epoll").isEqualTo(n);
        assertThat(f.wakeupsPerConnection()).as("every worker sleeps when the connection comes (a trickle): each "
                + "is woken once").isEqualTo(n);
        assertThat(f.spuriousPerConnection() + f.hiddenPerConnection())
                .as("one worker accepts; the other %d are woken for nothing, returning with EAGAIN or sleeping "
                        + "again inside epoll_wait", n - 1)
                .isCloseTo(n - 1, within(1e-9));
        assertThat(f.acceptsPerWorker()).as("one figure per worker").hasSize(n);
        assertThat(sum(f.acceptsPerWorker())).as("every connection is accepted, by exactly one worker")
                .isEqualTo(CONNECTIONS);
        assertThat(f.fairness()).as("Jain's index lies between 1/n and 1").isBetween(1.0 / n - 1e-9, 1.0 + 1e-9);
    }

    @Test
    void oneWorkerIsNoHerd() {
        HerdFigures f = HerdTable.measure(1, false);
        assertThat(f.spuriousPerConnection()).as("alone, the worker is never woken for nothing").isZero();
        assertThat(f.hiddenPerConnection()).as("and hides nothing").isZero();
        assertThat(f.acceptsPerWorker()).as("it accepts everything").containsExactly((long) CONNECTIONS);
        assertThat(f.fairness()).as("one worker: perfectly fair").isEqualTo(1.0);
    }

    @ParameterizedTest(name = "burst, {0} workers")
    @ValueSource(ints = {1, 2, 4, 8})
    void aBurstStillCostsACallbackPerWorkerPerConnection(int n) {
        HerdFigures f = HerdTable.measure(n, true);
        assertThat(f.callbacksPerConnection()).as("every connection's wake-up of the listening socket calls each "
                + "worker's ep_poll_callback, whether or not the worker sleeps").isEqualTo(n);
        assertThat(f.wakeupsPerConnection()).as("a worker already awake is not woken again: at most n wake-ups "
                + "per connection").isLessThanOrEqualTo(n);
        assertThat(f.acceptsPerWorker()).as("one figure per worker").hasSize(n);
        assertThat(sum(f.acceptsPerWorker())).as("every connection of the burst is accepted once")
                .isEqualTo(CONNECTIONS);
    }

    @Test
    void theSameRunGivesTheSameFigures() {
        assertThat(HerdTable.measure(4, false)).as("seeded: the table is the same every time")
                .isEqualTo(HerdTable.measure(4, false));
    }

    @Test
    void mainPrintsAMarkdownTableWithARowPerLoadAndWorkerCount() throws IOException {
        List<String> lines = DemoOutput.lines(HerdTable::main);
        assertThat(lines).as("a Markdown table: the header row, then the alignment row").containsSubsequence(
                "| load | workers | callbacks/conn | wake-ups/conn | spurious (EAGAIN)/conn | hidden/conn "
                        + "| accepts per worker (min-max) | fairness |",
                "|---|---:|---:|---:|---:|---:|---|---:|");
        List<String> rows = lines.stream().filter(l -> l.startsWith("| one by one |") || l.startsWith("| back to back |"))
                .toList();
        assertThat(rows).as("7 worker counts (1 to 64) one by one, then back to back: 14 data rows").hasSize(14);
        assertThat(rows.subList(0, 7)).as("one by one first")
                .allSatisfy(r -> assertThat(r).as("a one-by-one row").startsWith("| one by one |"));
        assertThat(rows.subList(7, 14)).as("then back to back")
                .allSatisfy(r -> assertThat(r).as("a back-to-back row").startsWith("| back to back |"));
        assertThat(rows).as("each row has the header's 8 columns").allSatisfy(r ->
                assertThat(r.split("\\|", -1)).as("cells of %s", r).hasSize(10));
        assertThat(rows.get(0)).as("one by one to one worker: 1 callback, 1 wake-up, nothing wasted, all 64 "
                + "accepts").isEqualTo("| one by one | 1 | 1.00 | 1.00 | 0.00 | 0.00 | 64-64 | 1.00 |");
        assertThat(rows.get(6)).as("one by one to 64 workers: 64 callbacks and 64 wake-ups per connection")
                .startsWith("| one by one | 64 | 64.00 | 64.00 |");
        assertThat(rows.get(13)).as("back to back to 64 workers still costs 64 callbacks per connection")
                .startsWith("| back to back | 64 | 64.00 |");

        String readme = Files.readString(Path.of(System.getProperty("course.root", "..")).resolve("lesson04-herd/README.md"));
        assertThat(readme.lines().filter(l -> l.startsWith("| one by one |") || l.startsWith("| back to back |")))
                .as("lesson 4's README shows the table as HerdTable prints it").containsExactlyElementsOf(rows);
        assertThat(readme).as("its text quotes the hidden wake-ups of 64 workers one by one")
                .contains("(" + cell(rows.get(6), 6) + " per connection)");
        assertThat(readme).as("and more spurious returns than wake-ups with 8 workers back to back")
                .contains("(8 workers: " + cell(rows.get(10), 5) + " against " + cell(rows.get(10), 4) + ")");
        assertThat(Files.readString(Path.of(System.getProperty("course.root", "..")).resolve("lesson05-exclusive/README.md")))
                .as("lesson 5 quotes 4 workers one by one").contains(cell(rows.get(2), 5) + " spurious and "
                        + cell(rows.get(2), 6) + " hidden");
    }

    /** Column {@code i} of a table row (1 is the first). */
    private static String cell(String row, int i) {
        return row.split("\\|")[i].strip();
    }
}
