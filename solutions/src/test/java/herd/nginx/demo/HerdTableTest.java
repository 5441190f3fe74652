package herd.nginx.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import herd.course.kit.DemoOutput;
import herd.nginx.HerdFigures;
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
    void mainPrintsAMarkdownTableWithARowPerLoadAndWorkerCount() {
        List<String> lines = DemoOutput.lines(HerdTable::main);
        assertThat(lines).as("a Markdown table: the header row, then the alignment row").containsSubsequence(
                "| load | workers | callbacks/conn | wake-ups/conn | spurious (EAGAIN)/conn | hidden/conn "
                        + "| accepts per worker (min-max) | fairness |",
                "|---|---:|---:|---:|---:|---:|---|---:|");
        List<String> rows = lines.stream().filter(l -> l.startsWith("| trickle |") || l.startsWith("| burst |"))
                .toList();
        assertThat(rows).as("7 worker counts (1 to 64) for a trickle, then for a burst: 14 data rows").hasSize(14);
        assertThat(rows.subList(0, 7)).as("the trickle first")
                .allSatisfy(r -> assertThat(r).as("a trickle row").startsWith("| trickle |"));
        assertThat(rows.subList(7, 14)).as("then the burst")
                .allSatisfy(r -> assertThat(r).as("a burst row").startsWith("| burst |"));
        assertThat(rows).as("each row has the header's 8 columns").allSatisfy(r ->
                assertThat(r.split("\\|", -1)).as("cells of %s", r).hasSize(10));
        assertThat(rows.get(0)).as("a trickle to one worker: 1 callback, 1 wake-up, nothing wasted, all 64 "
                + "accepts").isEqualTo("| trickle | 1 | 1.00 | 1.00 | 0.00 | 0.00 | 64-64 | 1.00 |");
        assertThat(rows.get(6)).as("a trickle to 64 workers: 64 callbacks and 64 wake-ups per connection")
                .startsWith("| trickle | 64 | 64.00 | 64.00 |");
        assertThat(rows.get(13)).as("a burst to 64 workers still costs 64 callbacks per connection")
                .startsWith("| burst | 64 | 64.00 |");
    }
}
