package herd.course.kit;

import herd.sched.ParallelScheduler;
import herd.sched.Scheduler;
import java.time.Duration;

/** Tasks that count under a lock: what the tests of the locks share. */
public final class Locks {
    private Locks() {
    }

    /**
     * Spawns {@code tasks} tasks inc0, inc1, ... on {@code sched}, each of which, {@code times}
     * times, takes the lock ({@code lock}), runs {@code criticalSection}, and releases it
     * ({@code unlock}).
     */
    public static void spawnIncrementers(Scheduler sched, int tasks, int times, Runnable lock,
                                         Runnable criticalSection, Runnable unlock) {
        for (int i = 0; i < tasks; i++) {
            sched.spawn("inc" + i, () -> {
                for (int k = 0; k < times; k++) {
                    lock.run();
                    criticalSection.run();
                    unlock.run();
                }
            });
        }
    }

    /**
     * Four tasks on their own threads each add 1 to a plain counter 10,000 times between
     * {@code lock} and {@code unlock}; returns the counter once every task has exited.
     */
    public static int countOnRealThreads(ParallelScheduler sched, Runnable lock, Runnable unlock) {
        int[] counter = {0};
        spawnIncrementers(sched, 4, 10_000, lock, () -> counter[0]++, unlock);

        sched.awaitExit(Duration.ofSeconds(10));

        // The threads have ended (awaitExit joined them): their writes are visible here.
        return counter[0];
    }
}
