package herd.bench;

import herd.fs.Process;
import herd.sched.ParallelScheduler;
import herd.wait.WaitEvent;
import herd.wait.WaitQueueHead;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What waking one parked sleeper costs the waker: {@code wake_up()} of the model, whose
 * wait queue holds one exclusive sleeper (a task asleep in
 * {@code wait_event_interruptible_exclusive}: the walk, {@code try_to_wake_up}, the
 * scheduler's unpark), against the floor, a plain {@code LockSupport.unpark} of a parked
 * thread. Before each call (not timed) the sleeper has handled the last wake-up and is
 * parked again, so every call wakes a parked thread.
 * <p>Warm-up 2 × 1 s, measurement 3 × 1 s, 1 fork.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class WakeBench {
    /** Spins until {@code t} is parked. */
    static void awaitParked(Thread t) {
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait();
        }
    }

    /** A thread that parks until its turn comes, takes it, and parks again. */
    @State(Scope.Benchmark)
    public static class Parked {
        volatile boolean turn;
        volatile boolean stop;
        Thread sleeper;

        @Setup(Level.Trial)
        public void start() {
            sleeper = new Thread(() -> {
                while (!stop) {
                    while (!turn && !stop) {
                        LockSupport.park(this);
                    }
                    turn = false;
                }
            }, "parked");
            sleeper.start();
        }

        /** The last turn is taken and the sleeper is parked again. */
        @Setup(Level.Invocation)
        public void parked() {
            while (turn) {
                Thread.onSpinWait();
            }
            awaitParked(sleeper);
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            stop = true;
            LockSupport.unpark(sleeper);
            sleeper.join();
        }
    }

    /** A task of the model asleep on a wait queue, exclusive, until its turn comes. */
    @State(Scope.Benchmark)
    public static class Sleeper {
        final WaitQueueHead wq = new WaitQueueHead("bench_wq");
        volatile boolean turn;
        volatile Thread thread;
        ParallelScheduler sched;

        @Setup(Level.Trial)
        public void start() {
            sched = new ParallelScheduler();
            new Process(sched, "sleeper").spawn("sleeper", () -> {
                thread = Thread.currentThread();
                for (;;) {
                    WaitEvent.waitEventInterruptibleExclusive(wq, () -> turn);
                    turn = false;
                }
            });
            while (thread == null) {
                Thread.onSpinWait();
            }
        }

        /** The last turn is taken and the task is parked again, asleep in the wait queue. */
        @Setup(Level.Invocation)
        public void parked() {
            while (turn) {
                Thread.onSpinWait();
            }
            awaitParked(thread);
        }

        @TearDown(Level.Trial)
        public void stop() {
            sched.close();
        }
    }

    /** The floor: {@code LockSupport.unpark} of a parked thread. */
    @Benchmark
    public void unparkFloor(Parked p) {
        p.turn = true;
        LockSupport.unpark(p.sleeper);
    }

    /** One {@code wake_up()} of the model's wait queue, whose one exclusive sleeper is parked. */
    @Benchmark
    public int exclusiveWakeUp(Sleeper s) {
        s.turn = true;
        return s.wq.wakeUp();
    }
}
