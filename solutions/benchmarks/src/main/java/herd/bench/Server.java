package herd.bench;

import herd.fix.demo.Strategies;
import herd.fix.demo.Workers;
import herd.sched.ParallelScheduler;
import herd.sched.Task;
import java.time.Duration;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One server of lesson 5's comparison on the parallel scheduler (a thread per task, real
 * park and unpark), with its client; started once per trial, outside the measurement.
 */
@State(Scope.Benchmark)
public class Server {
    /** The strategy, by its name in lesson 5's comparison. */
    @Param({"herd", "multi_accept", "accept_mutex", "EPOLLEXCLUSIVE", "EPOLLEXCLUSIVE + reorder", "reuseport",
            "blocking accept"})
    public String strategy;

    /** Workers. */
    @Param({"1", "2", "4", "8", "16", "32", "64"})
    public int workers;

    private static final Duration STARTUP = Duration.ofSeconds(30);

    ParallelScheduler sched;
    Workers server;
    Client client;

    /** Starts the server and waits until every worker sleeps; then starts the client and makes one connection. */
    @Setup(Level.Trial)
    public void start() throws InterruptedException {
        sched = new ParallelScheduler();
        server = Strategies.named(strategy).start().apply(sched, workers);
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (!server.tasks().stream().allMatch(t -> t != null && t.state() != Task.TASK_RUNNING)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(strategy + ": the workers did not all go to sleep within " + STARTUP);
            }
            Thread.sleep(1); // the benchmark's own thread, not a task of the model
        }
        client = new Client(sched);
        client.connections(1);
    }

    /** Stops the client and unwinds every task. */
    @TearDown(Level.Trial)
    public void stop() {
        client.stop();
        sched.close();
    }
}
