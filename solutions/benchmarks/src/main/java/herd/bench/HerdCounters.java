package herd.bench;

import herd.bench.report.RunHeader;
import herd.nginx.HerdAccounting;
import herd.nginx.WorkerCounters;
import java.util.List;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What one iteration cost the workers, as JMH auxiliary counters: connections accepted,
 * wake-ups, spurious ({@code EAGAIN}) and hidden wake-ups, the operating system's
 * voluntary context switches of the worker threads (-1 where {@code /proc} is missing),
 * Jain's fairness index of the accepts, the CPU time every thread of the JVM used
 * ({@link ThreadCpu}) and the machine's load at the iteration's end ({@link RunHeader#load}).
 * Counts are totals of the iteration; the report divides them by the connections, and
 * takes the fairness, the CPU time per connection and the load of each iteration from
 * JMH's raw data. Read from the model's counters when the iteration starts and ends, never
 * during it; JMH collects the fields after the teardowns, the trial's included.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class HerdCounters {
    /** Connections accepted in the iteration. */
    public long connections;
    /** Wake-ups of the workers where they sleep. */
    public long wakeups;
    /** {@code accept4} calls that returned {@code EAGAIN}. */
    public long spurious;
    /** Wake-ups that did not end the call. */
    public long hidden;
    /** Voluntary context switches of the worker threads, counted by the operating system; -1 if not available. */
    public long contextSwitches;
    /** Jain's fairness index of the iteration's accepts. */
    public double fairness;
    /** CPU time of every thread of the JVM in the iteration, in nanoseconds; -1 if not available. */
    public long cpuNanos;
    /** The 1-minute load average of the machine when the iteration ends. */
    public double load;

    private List<WorkerCounters> before;
    private long switchesBefore;
    private long cpuBefore;

    /** The counters when the iteration starts. */
    @Setup(Level.Iteration)
    public void baseline(Server s) {
        before = s.server.counters();
        switchesBefore = ThreadSwitches.voluntary(s.server.tasks());
        cpuBefore = ThreadCpu.total();
    }

    /** What the iteration cost, while the server still runs. */
    @TearDown(Level.Iteration)
    public void count(Server s) {
        long cpuNow = ThreadCpu.total();
        long switchesNow = ThreadSwitches.voluntary(s.server.tasks());
        List<WorkerCounters> now = s.server.counters();
        List<WorkerCounters> run = IntStream.range(0, now.size()).mapToObj(i -> now.get(i).minus(before.get(i))).toList();
        connections = run.stream().mapToLong(WorkerCounters::accepts).sum();
        wakeups = run.stream().mapToLong(WorkerCounters::wakeups).sum();
        spurious = run.stream().mapToLong(WorkerCounters::eagain).sum();
        hidden = run.stream().mapToLong(WorkerCounters::hiddenWakeups).sum();
        contextSwitches = switchesNow < 0 || switchesBefore < 0 ? -1 : switchesNow - switchesBefore;
        fairness = HerdAccounting.jainIndex(run.stream().map(WorkerCounters::accepts).toList());
        cpuNanos = cpuNow < 0 || cpuBefore < 0 ? -1 : cpuNow - cpuBefore;
        load = RunHeader.load();
    }
}
