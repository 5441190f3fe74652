package herd.fix.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import herd.nginx.HerdFigures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The comparison's CPU dimension: the herd's wake-ups do not depend on the CPUs, but how
 * many of the woken workers return from {@code epoll_wait} does.
 */
class ComparisonCpusTest {
    private static final int N = 4;

    private static HerdFigures herd(int cpus) {
        ComparisonRow row = ComparisonRunner.onCpus(Strategies.named("herd"), Workload.TRICKLE, N, cpus);
        assertThat(row.figures().acceptsPerWorker().stream().mapToLong(Long::longValue).sum())
                .as("%d CPUs: every connection accepted once", cpus).isEqualTo(Workload.CONNECTIONS);
        return row.figures();
    }

    @Test
    @DisplayName("herd, 4 workers, 1 CPU: all 4 woken; the woken wait for the client to sleep, the first accepts, "
            + "the other 3 find nothing")
    void oneCpuHidesEveryLoser() {
        HerdFigures f = herd(1);
        assertThat(f.wakeupsPerConnection()).isEqualTo(4.0);
        assertThat(ComparisonCpus.returns(f)).isEqualTo(1.0);
        assertThat(f.spuriousPerConnection()).isZero();
        assertThat(f.hiddenPerConnection()).isEqualTo(3.0);
    }

    @Test
    @DisplayName("herd, 4 workers, 4 CPUs: each woken worker has a CPU of its own; the ones woken soon enough "
            + "after the first return too, and each fails its accept4")
    void spareCpusLetSomeLosersReturn() {
        HerdFigures f = herd(4);
        assertThat(f.wakeupsPerConnection()).isEqualTo(4.0);
        assertThat(ComparisonCpus.returns(f)).as("returns per connection").isGreaterThan(1.0).isLessThan(4.0);
        assertThat(f.spuriousPerConnection()).as("every return but the accepting one is an EAGAIN")
                .isCloseTo(ComparisonCpus.returns(f) - 1, within(1e-9));
    }

    @Test
    @DisplayName("the table: a line per strategy and worker count, returns / EAGAIN / hidden for each CPU count")
    void theTable() {
        List<ComparisonCpus.Cell> cells = ComparisonCpus.CPUS.stream().map(k -> new ComparisonCpus.Cell(k,
                new ComparisonRow("herd", "trickle",
                        new HerdFigures(2, 64, 2, 2, k == 1 ? 0 : 0.5, k == 1 ? 1 : 0.5, List.of(32L, 32L), 1),
                        0, 0))).toList();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ComparisonCpus.print(cells, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines().toList()).containsSubsequence(
                "| strategy | workers | wake-ups/conn | 1 CPU | 2 CPUs | 4 CPUs | 16 CPUs | 64 CPUs |",
                "|---|---:|---:|---:|---:|---:|---:|---:|",
                "| herd | 2 | 2.00 | 1.00 / 0.00 / 1.00 | 1.50 / 0.50 / 0.50 | 1.50 / 0.50 / 0.50 "
                        + "| 1.50 / 0.50 / 0.50 | 1.50 / 0.50 / 0.50 |");
    }
}
