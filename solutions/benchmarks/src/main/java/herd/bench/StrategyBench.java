package herd.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Lesson 5's strategies on real threads: one operation is one connection, from the
 * client's {@code connect} to the server's close after it served the request. In
 * throughput mode the score is connections accepted per second; in sample-time mode the
 * samples are each connection's latency (a burst's time divided by its 16 connections).
 * The server runs in the same JVM on as many threads as it has tasks.
 * <p>Warm-up: 3 iterations of 1 s let the JIT compile the model's paths (the first two
 * are still rising); measurement: 5 iterations of 1 s, in 1 fork.
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StrategyBench {
    /** A burst: connections the client makes back to back before it waits. */
    static final int BURST = 16;

    /** One connection at a time: every worker is idle again before the next. */
    @Benchmark
    @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
    public void trickle(Server s, HerdCounters counters) throws InterruptedException {
        s.client.connections(1);
    }

    /** {@value #BURST} connections back to back, then a wait until all are served. */
    @Benchmark
    @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
    @OperationsPerInvocation(BURST)
    public void burst(Server s, HerdCounters counters) throws InterruptedException {
        s.client.connections(BURST);
    }
}
