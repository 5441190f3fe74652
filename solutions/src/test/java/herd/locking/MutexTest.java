package herd.locking;

import static herd.course.kit.Locks.countOnRealThreads;
import static herd.course.kit.Locks.spawnIncrementers;
import static herd.sched.Task.TASK_DEAD;
import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static herd.sched.Task.TASK_UNINTERRUPTIBLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import herd.course.kit.Schedulers;
import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.sched.Task;
import herd.trace.TraceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class MutexTest {
    private final Mutex mutex = new Mutex();
    @AutoClose
    private final Schedulers schedulers = new Schedulers();

    /** Sleeps until the test wakes the task. */
    private static void sleepUntilWoken() {
        Sched.setCurrentState(TASK_INTERRUPTIBLE);
        Sched.schedule();
    }

    /** Spawns "owner", which takes the mutex and sleeps holding it until the test wakes it; runs it until it sleeps. */
    private Task ownerAsleepWithTheMutex(DeterministicScheduler sched) {
        Task owner = sched.spawn("owner", () -> {
            mutex.lock();
            sleepUntilWoken();
            mutex.unlock();
        });
        sched.runUntilIdle();
        return owner;
    }

    @Test
    void aNewMutexIsFree() {
        assertThat(mutex.isLocked()).isFalse();
        assertThat(mutex.owner()).isNull();
    }

    @Test
    void lockdepKnowsEightSubclassesAndReadsThemUnsigned() {
        DeterministicScheduler sched = schedulers.deterministic(1, 0);
        List<Object> seen = new CopyOnWriteArrayList<>();
        sched.spawn("t", () -> {
            for (int subclass : new int[] {0, Mutex.MAX_LOCKDEP_SUBCLASSES - 1, Mutex.MAX_LOCKDEP_SUBCLASSES, -1}) {
                try {
                    mutex.lockNested(subclass);
                    seen.add(subclass + ": locked");
                    mutex.unlock();
                } catch (IllegalStateException e) {
                    seen.add(subclass + ": " + e.getMessage() + (mutex.isLocked() ? " (left locked)" : ""));
                }
            }
        });
        sched.runUntilIdle();
        assertThat(seen).as("mutex_lock_nested at subclasses [0, 7, 8, -1]: look_up_lock_class refuses "
                + "subclass >= MAX_LOCKDEP_SUBCLASSES, an unsigned compare, before the mutex is taken")
                .containsExactly("0: locked", "7: locked", "8: BUG: looking up invalid subclass: 8",
                        "-1: BUG: looking up invalid subclass: 4294967295");
    }

    @Test
    void theOwnerIsTheTaskThatLockedIt() {
        DeterministicScheduler sched = schedulers.deterministic(1, 0);
        List<Object> seen = new CopyOnWriteArrayList<>();
        Task t = sched.spawn("t", () -> {
            mutex.lock();
            seen.add(mutex.owner());
            seen.add(mutex.isLocked());
            mutex.unlock();
            seen.add(String.valueOf(mutex.owner()));
            seen.add(mutex.isLocked());
        });

        sched.run();

        assertThat(seen).containsExactly(t, true, "null", false);
        assertThat(t.voluntarySwitches()).as("an uncontended lock does not sleep").isZero();
    }

    @Test
    void tryLockTakesAFreeMutexOnlyAndIsNotRecursive() {
        DeterministicScheduler sched = schedulers.deterministic(2, 0);
        List<Boolean> results = new CopyOnWriteArrayList<>();
        sched.spawn("t", () -> {
            results.add(mutex.tryLock());
            results.add(mutex.tryLock());
            mutex.unlock();
            results.add(mutex.tryLock());
            mutex.unlock();
        });

        sched.run();

        assertThat(results).containsExactly(true, false, true);
        assertThat(mutex.isLocked()).isFalse();
    }

    @Test
    void tryLockFailsWhileAnotherTaskOwnsTheMutex() {
        DeterministicScheduler sched = schedulers.deterministic(3, 0);
        Task owner = ownerAsleepWithTheMutex(sched);
        List<Object> seen = new CopyOnWriteArrayList<>();
        Task other = sched.spawn("other", () -> {
            seen.add(mutex.tryLock());
            seen.add(mutex.owner());
        });
        sched.runUntilIdle();

        assertThat(seen).containsExactly(false, owner);
        assertThat(other.state()).isEqualTo(TASK_DEAD);
        assertThat(other.voluntarySwitches()).as("tryLock never sleeps").isZero();

        Sched.wakeUpProcess(owner);
        sched.run();
        assertThat(mutex.isLocked()).isFalse();
    }

    @Test
    void onlyTasksTakeAMutex() {
        assertThatThrownBy(mutex::tryLock)
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("a mutex is taken by tasks only: run this code in a task");
        assertThatThrownBy(mutex::lock)
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("a mutex is taken by tasks only: run this code in a task");
    }

    @Test
    void contendedLockSleepsUninterruptiblyAndWaitersGetTheMutexInFifoOrder() {
        DeterministicScheduler sched = schedulers.deterministic(4, 0);
        Task owner = ownerAsleepWithTheMutex(sched);
        List<String> order = new CopyOnWriteArrayList<>();
        List<Task> waiters = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            waiters.add(sched.spawn("waiter" + i, () -> {
                mutex.lock();
                order.add(Sched.current().comm());
                mutex.unlock();
            }));
            // One at a time, so that they queue in this order.
            sched.runUntilIdle();
        }

        assertThat(waiters).extracting(Task::state).containsOnly(TASK_UNINTERRUPTIBLE);
        assertThat(mutex.owner()).isSameAs(owner);
        // Uninterruptible: a signal does not wake a waiter.
        Sched.sendSignal(waiters.get(0));
        assertThat(waiters.get(0).state()).isEqualTo(TASK_UNINTERRUPTIBLE);

        Sched.wakeUpProcess(owner);
        sched.run();

        assertThat(order).containsExactly("waiter1", "waiter2", "waiter3");
        assertThat(waiters).extracting(Task::voluntarySwitches).containsOnly(1L);
        assertThat(mutex.isLocked()).isFalse();
        assertThat(sched.trace().events())
                .filteredOn(e -> e.kind() == TraceEvent.Kind.SLEEP && e.comm().startsWith("waiter"))
                .extracting(TraceEvent::comm, TraceEvent::detail)
                .containsExactly(
                        tuple("waiter1", "TASK_UNINTERRUPTIBLE"),
                        tuple("waiter2", "TASK_UNINTERRUPTIBLE"),
                        tuple("waiter3", "TASK_UNINTERRUPTIBLE"));
    }

    @Test
    void unlockByANonOwnerIsABug() {
        DeterministicScheduler sched = schedulers.deterministic(5, 0);
        Task owner = ownerAsleepWithTheMutex(sched);
        sched.spawn("thief", mutex::unlock);

        assertThatThrownBy(sched::run)
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("BUG: mutex_unlock by thief-101, owner is owner-100");
        assertThat(mutex.owner()).isSameAs(owner);
    }

    @Test
    void unlockOfAFreeMutexByATaskIsABug() {
        DeterministicScheduler sched = schedulers.deterministic(6, 0);
        sched.spawn("t", mutex::unlock);

        assertThatThrownBy(sched::run)
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("BUG: mutex_unlock by t-100, owner is null");
    }

    @Test
    void unlockOutsideATaskOfAMutexATaskOwnsIsRefused() {
        DeterministicScheduler sched = schedulers.deterministic(7, 0);
        Task owner = ownerAsleepWithTheMutex(sched);

        assertThatThrownBy(mutex::unlock).isExactlyInstanceOf(IllegalStateException.class);
        assertThat(mutex.owner()).isSameAs(owner);

        Sched.wakeUpProcess(owner);
        sched.run();
    }

    /** Outside a task there is no owner to compare with: a free mutex must not be "unlocked" silently. */
    @Test
    void unlockOutsideATaskOfAFreeMutexIsRefused() {
        assertThatThrownBy(mutex::unlock)
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("a mutex is taken by tasks only: run this code in a task");
    }

    @Test
    void mutualExclusionOnTheDeterministicSchedulerWithPreemption() {
        for (long seed = 0; seed < 20; seed++) {
            DeterministicScheduler sched = schedulers.deterministic(seed, 0.5);
            int[] counter = {0};
            spawnIncrementers(sched, 3, 10, mutex::lock, () -> {
                int read = counter[0];
                Sched.condResched();
                counter[0] = read + 1;
            }, mutex::unlock);

            sched.run();

            assertThat(counter[0]).as("seed %d", seed).isEqualTo(30);
            assertThat(mutex.isLocked()).isFalse();
        }
    }

    @Test
    void mutualExclusionOnTheParallelScheduler() {
        int count = countOnRealThreads(schedulers.parallel(), mutex::lock, mutex::unlock);

        assertThat(count).isEqualTo(40_000);
        assertThat(mutex.isLocked()).isFalse();
    }
}
