package herd.course.kit;

import herd.sched.DeterministicScheduler;
import herd.sched.ParallelScheduler;
import java.util.ArrayList;
import java.util.List;

/**
 * The schedulers one test makes, closed after it so that no task thread outlives the
 * test. A test class holds one in a field that JUnit closes after each test:
 *
 * <pre>
 * &#64;AutoClose
 * private final Schedulers schedulers = new Schedulers();
 * </pre>
 */
public final class Schedulers implements AutoCloseable {
    private final List<Runnable> closers = new ArrayList<>();

    /** A deterministic scheduler with {@code seed} that never preempts. */
    public DeterministicScheduler deterministic(long seed) {
        return deterministic(seed, 0.0);
    }

    /** A deterministic scheduler with {@code seed} that preempts at each preemption point with {@code preemption}. */
    public DeterministicScheduler deterministic(long seed, double preemption) {
        DeterministicScheduler sched = new DeterministicScheduler(seed, preemption);
        closers.add(sched::close);
        return sched;
    }

    /** A parallel scheduler, without tracing. */
    public ParallelScheduler parallel() {
        return parallel(false);
    }

    /** A parallel scheduler that records a trace if {@code tracing}. */
    public ParallelScheduler parallel(boolean tracing) {
        ParallelScheduler sched = new ParallelScheduler(tracing);
        closers.add(sched::close);
        return sched;
    }

    /** Closes every scheduler made here, in the order they were made. */
    @Override
    public void close() {
        closers.forEach(Runnable::run);
    }
}
