package herd.fix.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import herd.nginx.HerdFigures;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The comparison's runs, for 4 workers: what each strategy costs per connection is exact
 * where the kernel is exact, and the latency shows which strategies make a connection
 * wait for a busy worker.
 */
class ComparisonTest {
    private static final int N = 4;
    private static final int M = Workload.CONNECTIONS;

    private static ComparisonRow run(String strategy, Workload w) {
        ComparisonRow row = ComparisonRunner.run(Strategies.named(strategy), w, N);
        assertThat(row.figures().acceptsPerWorker().stream().mapToLong(Long::longValue).sum())
                .as("%s, %s: every connection accepted once", strategy, w).isEqualTo(M);
        return row;
    }

    @Test
    @DisplayName("the table's strategies, in order")
    void theStrategies() {
        assertThat(Strategies.ALL.stream().map(Strategy::name)).containsExactly("herd", "multi_accept",
                "accept_mutex", "EPOLLEXCLUSIVE", "EPOLLEXCLUSIVE + reorder", "reuseport", "blocking accept");
    }

    @Test
    @DisplayName("a strategy by name: the registry's one, or a failure that names the unknown name")
    void aStrategyByName() {
        assertThat(Strategies.named("reuseport")).isSameAs(Strategies.ALL.get(5));
        assertThatThrownBy(() -> Strategies.named("thundering")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("thundering");
    }

    @Test
    @DisplayName("trickle, herd: every connection wakes all 4 workers, and 3 of them for nothing")
    void theHerdWakesEveryWorker() {
        HerdFigures f = run("herd", Workload.TRICKLE).figures();
        assertThat(f.wakeupsPerConnection()).isEqualTo(4.0);
        assertThat(f.spuriousPerConnection() + f.hiddenPerConnection()).isCloseTo(3.0, within(1e-9));
    }

    @Test
    @DisplayName("trickle, EPOLLEXCLUSIVE: 1 wake-up per connection, and the first-registered worker takes all 64")
    void exclusiveWakesOneAlwaysTheSame() {
        HerdFigures f = run("EPOLLEXCLUSIVE", Workload.TRICKLE).figures();
        assertThat(f.wakeupsPerConnection()).isEqualTo(1.0);
        assertThat(f.spuriousPerConnection() + f.hiddenPerConnection()).isZero();
        assertThat(f.acceptsPerWorker()).containsExactly(64L, 0L, 0L, 0L);
    }

    @Test
    @DisplayName("trickle, blocking accept: 1 wake-up per connection, and the children take turns: 16 each")
    void blockingAcceptRoundRobins() {
        HerdFigures f = run("blocking accept", Workload.TRICKLE).figures();
        assertThat(f.wakeupsPerConnection()).isEqualTo(1.0);
        assertThat(f.acceptsPerWorker()).containsExactly(16L, 16L, 16L, 16L);
        assertThat(f.fairness()).isEqualTo(1.0);
    }

    @Test
    @DisplayName("trickle, accept_mutex: 64 wake-ups for the connections plus one accept_mutex_delay timeout for each "
            + "of the 3 others (the run lasts 640 ms), all to the holder: 67 / 64")
    void acceptMutexOnePlusTimers() {
        HerdFigures f = run("accept_mutex", Workload.TRICKLE).figures();
        assertThat(f.wakeupsPerConnection()).isCloseTo(67.0 / 64, within(1e-9));
        assertThat(f.spuriousPerConnection() + f.hiddenPerConnection()).isZero();
        assertThat(f.acceptsPerWorker()).containsExactlyInAnyOrder(64L, 0L, 0L, 0L);
    }

    @Test
    @DisplayName("busy (every 4th request holds its worker 50 ms): a connection never waits with EPOLLEXCLUSIVE or "
            + "blocking accept (an idle worker takes it), waits behind a busy worker with reuseport (the hash chose it), "
            + "and with accept_mutex waits for the holder, busy after its unlock")
    void whoWaitsForABusyWorker() {
        assertThat(run("EPOLLEXCLUSIVE", Workload.BUSY).latencyP99Ms()).isZero();
        assertThat(run("blocking accept", Workload.BUSY).latencyP99Ms()).isZero();
        assertThat(run("reuseport", Workload.BUSY).latencyP99Ms()).isGreaterThan(0);
        assertThat(run("accept_mutex", Workload.BUSY).latencyMedianMs()).isGreaterThan(0);
    }

    @Test
    @DisplayName("a table line: accepts listed for up to 8 workers")
    void aTableLine() {
        ComparisonRow row = run("blocking accept", Workload.TRICKLE);
        assertThat(ComparisonTable.format(row)).isEqualTo(
                "| trickle | blocking accept | 4 | 1.00 | 0.00 | 0.00 | 16, 16, 16, 16 | 1.00 | 0.0 | 0.0 |");
    }

    @Test
    @DisplayName("nearest-rank percentiles: the median of 1..4 is 2, the p99 of 1..100 is 99; none of nothing")
    void percentiles() {
        assertThat(ComparisonRunner.percentile(List.of(4L, 1L, 3L, 2L), 50)).isEqualTo(2.0);
        assertThat(ComparisonRunner.percentile(java.util.stream.LongStream.rangeClosed(1, 100).boxed().toList(), 99))
                .isEqualTo(99.0);
        assertThatThrownBy(() -> ComparisonRunner.percentile(List.of(), 50)).isInstanceOf(IllegalArgumentException.class);
    }
}
