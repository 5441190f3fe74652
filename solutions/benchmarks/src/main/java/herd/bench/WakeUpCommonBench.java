package herd.bench;

import herd.wait.WaitQueueEntry;
import herd.wait.WaitQueueHead;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code __wake_up_common} against the length of the queue: {@code wake_up()} walks a
 * queue of exclusive entries until the first accepts (O(1)), and a queue of
 * non-exclusive entries to the end (O(N)). The entries' wake function only counts its
 * calls, so the walk itself is measured, not the waking of threads. Returns the calls,
 * so that the walk cannot be optimised away.
 * <p>Warm-up 2 × 1 s, measurement 3 × 1 s, 1 fork.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Thread)
public class WakeUpCommonBench {
    /** Entries on the queue. */
    @Param({"1", "8", "64", "512"})
    public int entries;

    /** {@code exclusive} ({@code add_wait_queue_exclusive}) or {@code shared} ({@code add_wait_queue}). */
    @Param({"exclusive", "shared"})
    public String kind;

    private final WaitQueueHead wq = new WaitQueueHead("bench_wq");
    private long calls;

    @Setup(Level.Trial)
    public void fill() {
        for (int i = 0; i < entries; i++) {
            WaitQueueEntry e = WaitQueueEntry.initWaitqueueFuncEntry((entry, mode, flags, key) -> {
                calls++;
                return 1;
            });
            if (kind.equals("exclusive")) {
                wq.addWaitQueueExclusive(e);
            } else {
                wq.addWaitQueue(e);
            }
        }
    }

    /** One {@code wake_up()}: the entries it called so far. */
    @Benchmark
    public long wakeUp() {
        wq.wakeUp();
        return calls;
    }
}
