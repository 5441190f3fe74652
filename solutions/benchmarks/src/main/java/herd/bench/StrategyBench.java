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
 * samples are each connection's latency (an invocation's time divided by its
 * {@value #BATCH} connections). The server runs in the same JVM on as many threads as it
 * has tasks.
 * <p>Warm-up: 3 iterations of 1 s let the JIT compile the model's paths (the first two
 * are still rising); measurement: 10 iterations of 1 s in each of 3 forks. Forks, not
 * iterations, carry most of the noise on a small machine: each fork's JIT and thread
 * placement settle differently, and its iterations then agree with each other.
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(3)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StrategyBench {
    /** Connections per invocation: a burst's, and a trickle's between two hand-offs to the client. */
    static final int BATCH = 16;

    /** {@value #BATCH} connections one at a time: each after the server closed the one before. */
    @Benchmark
    @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
    @OperationsPerInvocation(BATCH)
    public void trickle(Server s, HerdCounters counters) throws InterruptedException {
        s.client.oneAtATime(BATCH);
    }

    /** {@value #BATCH} connections back to back, then a wait until all are served. */
    @Benchmark
    @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
    @OperationsPerInvocation(BATCH)
    public void burst(Server s, HerdCounters counters) throws InterruptedException {
        s.client.connections(BATCH);
    }
}
