package herd.nginx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import herd.course.Seeds;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * L04-E3: the herd per connection. {@code HerdAccounting.account} sums the workers'
 * counters and divides by the connections; the accepts stay per worker, in worker order,
 * and their fairness is Jain's index {@code (sum x)^2 / (n * sum x^2)}. On hand-made
 * counters (exact values), then on a real run.
 */
@Tag("lesson04")
@Tag("L04-E3")
@DisplayName("L04-E3: the herd per connection")
@ExtendWith(Seeds.Resolver.class)
class HerdAccountingTest {
    private static final double EXACT = 1e-12;

    /** The counters of a trickle of 8 connections to 4 workers (seed 1): 4 callbacks and 4 wake-ups per connection. */
    private static final List<WorkerCounters> TRICKLE = List.of(
            new WorkerCounters("worker1", 8, 8, 8, 3, 5, 0),
            new WorkerCounters("worker2", 8, 8, 7, 1, 6, 1),
            new WorkerCounters("worker3", 8, 8, 7, 3, 4, 1),
            new WorkerCounters("worker4", 8, 8, 7, 1, 6, 1));

    private static List<Long> longs(long... values) {
        return Arrays.stream(values).boxed().toList();
    }

    // ---- account -----------------------------------------------------------------------------

    @Test
    @DisplayName("a trickle of 8 to 4 workers: 4 callbacks and 4 wake-ups per connection, 21/8 EAGAIN, 3/8 hidden, "
            + "accepts [3, 1, 3, 1], fairness 0.8")
    void theFiguresOfATrickle() {
        HerdFigures f = HerdAccounting.account(TRICKLE, 8);

        assertThat(List.of(f.workers(), f.connections())).as("workers and connections of the run")
                .containsExactly(4, 8L);
        assertThat(f.callbacksPerConnection()).as("ep_poll_callback calls per connection: (8+8+8+8) / 8")
                .isEqualTo(4.0);
        assertThat(f.wakeupsPerConnection()).as("wake-ups per connection: (8+8+8+8) / 8").isEqualTo(4.0);
        assertThat(f.spuriousPerConnection()).as("EAGAIN per connection: (5+6+4+6) / 8, not rounded")
                .isEqualTo(2.625);
        assertThat(f.hiddenPerConnection()).as("hidden wake-ups per connection: (0+1+1+1) / 8").isEqualTo(0.375);
        assertThat(f.acceptsPerWorker()).as("the accepts of each worker, in worker order").containsExactly(3L, 1L, 3L,
                1L);
        assertThat(f.fairness()).as("Jain's index of [3, 1, 3, 1]: 8^2 / (4 * 20)").isCloseTo(0.8, within(EXACT));
    }

    @Test
    @DisplayName("each figure comes from its own counter (epoll_wait returns are not a figure): distinct counts per "
            + "field, 2 connections")
    void eachFigureSumsItsOwnCounter() {
        List<WorkerCounters> counters = List.of(
                new WorkerCounters("worker1", 2, 3, 5, 7, 11, 13),
                new WorkerCounters("worker2", 17, 19, 23, 29, 31, 37));

        HerdFigures f = HerdAccounting.account(counters, 2);

        assertThat(List.of(f.callbacksPerConnection(), f.wakeupsPerConnection(), f.spuriousPerConnection(),
                f.hiddenPerConnection()))
                .as("[callbacks, wake-ups, EAGAIN, hidden] per connection: (2+17)/2, (3+19)/2, (11+31)/2, (13+37)/2")
                .containsExactly(9.5, 11.0, 21.0, 25.0);
        assertThat(f.acceptsPerWorker()).as("accepts per worker: worker1's 7, worker2's 29").containsExactly(7L, 29L);
        assertThat(List.of(f.workers(), f.connections())).as("workers and connections").containsExactly(2, 2L);
    }

    @Test
    @DisplayName("per connection is a real division: 1 callback and 3 wake-ups over 4 connections are 0.25 and 0.75, "
            + "not 0")
    void divisionIsNotInteger() {
        HerdFigures f = HerdAccounting.account(List.of(new WorkerCounters("worker1", 1, 3, 4, 4, 0, 2)), 4);
        assertThat(List.of(f.callbacksPerConnection(), f.wakeupsPerConnection(), f.spuriousPerConnection(),
                f.hiddenPerConnection()))
                .as("[callbacks, wake-ups, EAGAIN, hidden] per connection, 4 connections").containsExactly(0.25, 0.75,
                        0.0, 0.5);
    }

    @Test
    @DisplayName("the accepts stay in worker order, not sorted; fairness is Jain's index of them")
    void acceptsAreInWorkerOrder() {
        List<WorkerCounters> counters = List.of(
                new WorkerCounters("worker1", 7, 7, 1, 0, 1, 6),
                new WorkerCounters("worker2", 7, 7, 5, 5, 0, 2),
                new WorkerCounters("worker3", 7, 7, 3, 2, 1, 4));

        HerdFigures f = HerdAccounting.account(counters, 7);

        assertThat(f.acceptsPerWorker()).as("accepts of worker1, worker2, worker3").containsExactly(0L, 5L, 2L);
        assertThat(f.fairness()).as("fairness: Jain's index of [0, 5, 2] = 7^2 / (3 * 29)")
                .isCloseTo(49.0 / 87.0, within(EXACT))
                .isCloseTo(HerdAccounting.jainIndex(List.of(0L, 5L, 2L)), within(EXACT));
    }

    @Test
    @DisplayName("a run needs connections: 0 or fewer is an IllegalArgumentException (1 is fine)")
    void noConnectionsIsAnError() {
        HerdFigures one = HerdAccounting.account(TRICKLE, 1);
        assertThat(one.callbacksPerConnection()).as("the trickle's counters over 1 connection: 32 callbacks")
                .isEqualTo(32.0);
        for (long connections : new long[] {0, -1}) {
            assertThatThrownBy(() -> HerdAccounting.account(TRICKLE, connections))
                    .as("account(..., %d): no per-connection figures without a connection", connections)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    // ---- jainIndex ---------------------------------------------------------------------------

    static Stream<Arguments> shares() {
        return Stream.of(
                Arguments.of(longs(5, 5, 5), 1.0, "equal shares: perfectly fair"),
                Arguments.of(longs(0, 0, 7, 0), 0.25, "one of 4 takes all: 1/4"),
                Arguments.of(longs(9), 1.0, "one worker is always fair to itself"),
                Arguments.of(longs(1, 3), 0.8, "(1+3)^2 / (2 * (1+9))"),
                Arguments.of(longs(3, 1, 3, 1), 0.8, "(8)^2 / (4 * 20)"),
                Arguments.of(longs(0, 0, 0), 1.0, "nobody took anything: 1, not 0/0"),
                Arguments.of(longs(), 1.0, "no worker: 1, not 0/0"));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @MethodSource("shares")
    @DisplayName("Jain's fairness index (sum x)^2 / (n * sum x^2)")
    void jainIndex(List<Long> shares, double expected, String why) {
        assertThat(HerdAccounting.jainIndex(shares)).as("jainIndex(%s): %s", shares, why)
                .isCloseTo(expected, within(EXACT));
    }

    // ---- a real run --------------------------------------------------------------------------

    @Test
    @DisplayName("a trickle of 8 connections to 4 idle workers, 8 seeds: 4.0 callbacks and 4.0 wake-ups per "
            + "connection, EAGAIN + hidden = 3.0, 8 accepts in all")
    void aTrickleCostsEveryWorkerAWakeUpPerConnection(Seeds seeds) {
        seeds.explore(8, 0.5, sched -> {
            HerdFigures f = HerdRun.run(sched, 4, 8, false).figures(8);
            assertThat(f.callbacksPerConnection()).as("ep_poll_callback per connection: every worker's epoll (%s)", f)
                    .isEqualTo(4.0);
            assertThat(f.wakeupsPerConnection()).as("wake-ups per connection: every idle worker (%s)", f)
                    .isEqualTo(4.0);
            assertThat(f.spuriousPerConnection() + f.hiddenPerConnection())
                    .as("useless wake-ups per connection, EAGAIN or hidden: the 3 losers (%s)", f)
                    .isCloseTo(3.0, within(EXACT));
            assertThat(f.acceptsPerWorker().stream().mapToLong(Long::longValue).sum())
                    .as("accepts over the workers: each connection once (%s)", f).isEqualTo(8);
            assertThat(f.fairness()).as("fairness: Jain's index of the accepts (%s)", f)
                    .isCloseTo(HerdAccounting.jainIndex(f.acceptsPerWorker()), within(EXACT));
        });
    }
}
