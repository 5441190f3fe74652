package herd.locking;

import static herd.course.kit.Locks.countOnRealThreads;
import static herd.course.kit.Locks.spawnIncrementers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import herd.course.kit.Schedulers;
import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.sched.Task;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class SpinLockTest {
    private final SpinLock lock = new SpinLock();
    @AutoClose
    private final Schedulers schedulers = new Schedulers();

    @Test
    void aFreeLockIsHeldByNobody() {
        assertThat(lock.isLocked()).isFalse();
        assertThat(lock.isHeldByCurrentThread()).isFalse();
        assertThat(lock.holder()).isEqualTo("nobody");
    }

    @Test
    void theTestThreadMayLockAndUnlock() {
        lock.lock();

        assertThat(lock.isLocked()).isTrue();
        assertThat(lock.isHeldByCurrentThread()).isTrue();
        assertThat(lock.holder()).isEqualTo(Thread.currentThread().getName());

        lock.unlock();

        assertThat(lock.isLocked()).isFalse();
        assertThat(lock.isHeldByCurrentThread()).isFalse();
        assertThat(lock.holder()).isEqualTo("nobody");
    }

    @Test
    void aTaskMayLockAndUnlock() {
        DeterministicScheduler sched = schedulers.deterministic(1, 0);
        List<Object> seen = new CopyOnWriteArrayList<>();
        sched.spawn("t", () -> {
            lock.lock();
            seen.add(lock.isHeldByCurrentThread());
            seen.add(lock.holder());
            lock.unlock();
            seen.add(lock.isLocked());
        });

        sched.run();

        assertThat(seen).containsExactly(true, "t-100", false);
        assertThat(lock.isHeldByCurrentThread()).isFalse();
    }

    @Test
    void theLockIsNotHeldByOtherThreads() {
        DeterministicScheduler sched = schedulers.deterministic(1, 0);
        boolean[] heldByTask = {true};
        lock.lock();
        try {
            sched.spawn("t", () -> heldByTask[0] = lock.isHeldByCurrentThread());
            sched.run();
        } finally {
            lock.unlock();
        }

        assertThat(heldByTask[0]).isFalse();
    }

    @Test
    void recursionInATaskIsABug() {
        DeterministicScheduler sched = schedulers.deterministic(2, 0);
        sched.spawn("t", () -> {
            lock.lock();
            lock.lock();
        });

        assertThatThrownBy(sched::run)
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("BUG: spinlock recursion: t-100 already holds it");
    }

    @Test
    void recursionOnTheTestThreadIsABug() {
        lock.lock();
        try {
            assertThatThrownBy(lock::lock)
                    .isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessage("BUG: spinlock recursion: " + Thread.currentThread().getName() + " already holds it");
            assertThat(lock.isHeldByCurrentThread()).isTrue();
        } finally {
            lock.unlock();
        }
    }

    @Test
    void unlockingAFreeLockIsABug() {
        assertThatThrownBy(lock::unlock)
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("BUG: spin_unlock of a lock this thread does not hold (held by nobody)");
    }

    @Test
    void unlockByATaskThatDoesNotHoldTheLockIsABug() {
        DeterministicScheduler sched = schedulers.deterministic(3, 0);
        int[] preemptCount = {-1};
        sched.spawn("t", () -> {
            try {
                lock.unlock();
            } finally {
                preemptCount[0] = Task.current().preemptCount();
            }
        });
        lock.lock();
        try {
            assertThatThrownBy(sched::run)
                    .isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("BUG: spin_unlock of a lock this thread does not hold (held by ")
                    .hasMessageContaining(Thread.currentThread().getName());
            assertThat(lock.isHeldByCurrentThread()).as("still held by its holder").isTrue();
        } finally {
            lock.unlock();
        }
        assertThat(preemptCount[0]).isZero();
    }

    @Test
    void thePreemptCountGoesUpAndDownInATask() {
        DeterministicScheduler sched = schedulers.deterministic(4, 0);
        SpinLock other = new SpinLock();
        List<Integer> counts = new CopyOnWriteArrayList<>();
        sched.spawn("t", () -> {
            Task self = Sched.current();
            counts.add(self.preemptCount());
            lock.lock();
            counts.add(self.preemptCount());
            other.lock();
            counts.add(self.preemptCount());
            other.unlock();
            counts.add(self.preemptCount());
            lock.unlock();
            counts.add(self.preemptCount());
        });

        sched.run();

        assertThat(counts).containsExactly(0, 1, 2, 1, 0);
    }

    @Test
    void aLockLeftLockedByATaskIsReportedToTheNextTaskThatTakesIt() {
        DeterministicScheduler sched = schedulers.deterministic(5, 0);
        sched.spawn("forgetful", lock::lock);
        sched.runUntilIdle();
        assertThat(lock.holder()).isEqualTo("forgetful-100");

        sched.spawn("next", lock::lock);

        assertThatThrownBy(sched::run)
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("BUG: spinlock held by forgetful-100, which is not on the CPU: a task cannot be switched"
                        + " out while holding a spinlock, so it must have left it locked (an exception or a missing"
                        + " unlock)");
    }

    @Test
    void aLockLeftLockedByAFailedTaskIsReported() {
        DeterministicScheduler first = schedulers.deterministic(6, 0);
        first.spawn("failing", () -> {
            lock.lock();
            throw new IllegalArgumentException("failed with the lock held");
        });
        assertThatThrownBy(first::run)
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("failed with the lock held");
        assertThat(lock.isLocked()).isTrue();

        DeterministicScheduler second = schedulers.deterministic(6, 0);
        second.spawn("next", lock::lock);

        assertThatThrownBy(second::run)
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("BUG: spinlock held by failing-100, which is not on the CPU: ");
    }

    @Test
    void aTaskCannotWaitForALockTheTestThreadHolds() {
        DeterministicScheduler sched = schedulers.deterministic(7, 0);
        sched.spawn("t", lock::lock);
        lock.lock();
        try {
            assertThatThrownBy(sched::run)
                    .isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("BUG: spinlock held by " + Thread.currentThread().getName()
                            + ", which is not on the CPU: ");
        } finally {
            lock.unlock();
        }
    }

    @Test
    void mutualExclusionOnTheDeterministicSchedulerWithPreemption() {
        for (long seed = 0; seed < 10; seed++) {
            DeterministicScheduler sched = schedulers.deterministic(seed, 0.5);
            int[] counter = {0};
            spawnIncrementers(sched, 3, 50, lock::lock, () -> counter[0]++, lock::unlock);

            sched.run();

            assertThat(counter[0]).as("seed %d", seed).isEqualTo(150);
        }
    }

    @Test
    void mutualExclusionOnTheParallelScheduler() {
        int count = countOnRealThreads(schedulers.parallel(), lock::lock, lock::unlock);

        assertThat(count).isEqualTo(40_000);
        assertThat(lock.isLocked()).isFalse();
    }
}
