package herd.fix.crosscheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import herd.fix.crosscheck.CrossCheck.Measured;
import herd.fix.crosscheck.CrossCheck.Scenario;
import herd.nginx.HerdFigures;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The real kernel of the machine that runs the build, in ranges that hold on any Linux
 * with 2 CPUs or more: the herd costs more context switches per connection with more
 * workers; EPOLLEXCLUSIVE, SO_REUSEPORT and blocking accept stay near one and never fail
 * an accept; EPOLLEXCLUSIVE gives a trickle to one worker; blocking accept takes turns.
 * Beside the kernel, the model on as many CPUs as the machine has: the same wake-ups, and
 * with twice as many workers as CPUs, few losers that return, in both. Few connections,
 * loopback only, and every run stops by itself.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "the cross-check measures the Linux kernel")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CrossCheckTest {
    private static final int M = 20;

    @BeforeAll
    static void twoCpus() {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "the ranges assume 2 CPUs or more");
    }

    private static int cpus() {
        return Runtime.getRuntime().availableProcessors();
    }

    private static Scenario scenario(String name) {
        return CrossCheck.SCENARIOS.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theHerdCostsMoreWithMoreWorkers() throws Exception {
        Scenario herd = scenario("epoll (JNA), EPOLLIN");
        Measured one = CrossCheck.measure(herd, 1, M);
        Measured four = CrossCheck.measure(herd, 4, M);
        assertThat(one.switches()).as("1 worker: context switches per connection").isBetween(0.9, 1.5);
        assertThat(four.switches()).as("4 workers: every idle worker is woken").isGreaterThan(one.switches() + 1.5);
        assertThat(four.accepts().stream().mapToLong(Long::longValue).sum()).isEqualTo(M);
    }

    /**
     * Twice as many workers as CPUs (up to 8 CPUs: 16 workers): every worker is woken, in
     * the model exactly, but most losers wait for a CPU until the winner has accepted, and
     * find nothing; strace would show fewer than half of them, in the model on this
     * machine's CPUs and in its kernel, and the two agree within one return per connection.
     */
    @Test
    void withTwiceAsManyWorkersAsCpusFewLosersReturnInTheModelAndTheKernel() throws Exception {
        assumeTrue(cpus() <= 8, "16 workers at most");
        int n = 2 * cpus();
        HerdFigures model = CrossCheck.predict("herd", n, cpus());
        Measured kernel = CrossCheck.measure(scenario("epoll (JNA), EPOLLIN"), n, M);
        assertThat(model.wakeupsPerConnection()).as("model: every idle worker is woken").isEqualTo(n);
        assertThat(kernel.switches()).as("kernel: every idle worker is woken").isGreaterThan(n - 1.0);
        assertThat(CrossCheck.returns(model)).as("model: epoll_wait returns per connection").isBetween(1.0, n / 2.0);
        assertThat(kernel.returns()).as("kernel: epoll_wait returns per connection").isBetween(1.0, n / 2.0);
        assertThat(kernel.returns()).as("kernel beside the model").isCloseTo(CrossCheck.returns(model), within(1.0));
        assertThat(kernel.failed()).as("kernel beside the model: failed accepts")
                .isCloseTo(model.spuriousPerConnection(), within(1.0));
    }

    /** The fixes in the model on this machine's CPUs: one wake-up, one return, no failed accept. */
    @Test
    void theModelsFixesWakeOneAndNeverFail() {
        for (String fix : List.of("EPOLLEXCLUSIVE", "reuseport", "blocking accept")) {
            HerdFigures model = CrossCheck.predict(fix, 4, cpus());
            assertThat(model.wakeupsPerConnection()).as("%s: wake-ups per connection", fix).isEqualTo(1.0);
            assertThat(CrossCheck.returns(model)).as("%s: returns per connection", fix).isEqualTo(1.0);
            assertThat(model.spuriousPerConnection()).as("%s: failed accepts", fix).isZero();
        }
    }

    @Test
    void nioSharesTheHerd() throws Exception {
        Measured four = CrossCheck.measure(scenario("NIO, one channel, a Selector per worker"), 4, M);
        assertThat(four.switches()).as("4 selectors on one channel").isGreaterThan(2.5);
        assertThat(four.accepts().stream().mapToLong(Long::longValue).sum()).isEqualTo(M);
    }

    @Test
    void exclusiveWakesOneAndGivesTheTrickleToOneWorker() throws Exception {
        Measured four = CrossCheck.measure(scenario("epoll (JNA), EPOLLIN|EPOLLEXCLUSIVE"), 4, M);
        assertThat(four.switches()).as("context switches per connection").isBetween(0.9, 1.5);
        assertThat(four.failed()).as("failed accepts").isZero();
        assertThat(four.accepts().stream().mapToLong(Long::longValue).max().orElse(0))
                .as("accepts of the busiest worker: the first-registered idle one takes (nearly) all").isGreaterThanOrEqualTo(M - 2);
    }

    @Test
    void reuseportWakesOneAndNeverFails() throws Exception {
        Measured four = CrossCheck.measure(scenario("NIO, SO_REUSEPORT, a channel per worker"), 4, M);
        assertThat(four.switches()).as("context switches per connection").isBetween(0.9, 1.5);
        assertThat(four.failed()).as("failed accepts").isZero();
        assertThat(four.accepts().stream().mapToLong(Long::longValue).sum()).isEqualTo(M);
    }

    @Test
    void blockingAcceptWakesOneAndTakesTurns() throws Exception {
        Measured four = CrossCheck.measure(scenario("blocking accept4 (JNA)"), 4, M);
        assertThat(four.switches()).as("context switches per connection").isBetween(0.9, 1.5);
        assertThat(four.returns()).as("accept4 returns per connection").isEqualTo(1.0);
        assertThat(four.accepts()).as("accepts per worker: first in, first out, so about M / 4 each")
                .allMatch(a -> a >= M / 4 - 1 && a <= M / 4 + 1);
    }
}
