package herd.locking;

import herd.sched.Task;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code spinlock_t} (include/linux/spinlock.h): a lock that never sleeps. Taking it
 * disables preemption, releasing it enables preemption again, which is where the
 * scheduler may switch tasks ({@code preempt_enable}). The {@code _irqsave} variants the
 * kernel uses for wait queues are the same thing here: the model has no interrupts.
 *
 * <p>A task may not sleep while it holds one ({@code schedule()} reports "scheduling
 * while atomic"). Threads that are not tasks (a test acting as an interrupt handler)
 * may take it too.
 */
public final class SpinLock {
    private final AtomicReference<Thread> owner = new AtomicReference<>();

    /** {@code spin_lock()}. */
    public void lock() {
        Task current = Task.current();
        if (current != null && current.preemptCount() == 0) {
            current.scheduler().preemptionPoint();
        }
        if (current != null) {
            current.preemptDisable();
        }
        Thread me = Thread.currentThread();
        while (!owner.compareAndSet(null, me)) {
            if (owner.get() == me) {
                undoPreemptDisable(current);
                throw new IllegalStateException("BUG: spinlock recursion: " + describe(current) + " already holds it");
            }
            if (current == null) {
                Thread.onSpinWait();
                continue;
            }
            try {
                current.scheduler().spinContended(this);
            } catch (RuntimeException | Error e) {
                undoPreemptDisable(current);
                throw e;
            }
        }
    }

    private static void undoPreemptDisable(Task current) {
        if (current != null) {
            current.preemptEnableNoResched();
        }
    }

    /** {@code spin_unlock()}: releases the lock, then a preemption point. */
    public void unlock() {
        if (!owner.compareAndSet(Thread.currentThread(), null)) {
            throw new IllegalStateException("BUG: spin_unlock of a lock this thread does not hold (held by "
                    + holder() + ")");
        }
        Task current = Task.current();
        if (current != null) {
            current.preemptEnableNoResched();
            if (current.preemptCount() == 0) {
                current.scheduler().preemptionPoint();
            }
        }
    }

    /** {@code spin_is_locked()}. */
    public boolean isLocked() {
        return owner.get() != null;
    }

    /** {@code lockdep_assert_held()}: true if the calling thread holds the lock. */
    public boolean isHeldByCurrentThread() {
        return owner.get() == Thread.currentThread();
    }

    /** The thread holding the lock, or null. */
    public Thread owner() {
        return owner.get();
    }

    /** The thread holding the lock, for reports. */
    public String holder() {
        Thread t = owner.get();
        return t == null ? "nobody" : t.getName();
    }

    private static String describe(Task task) {
        return task == null ? Thread.currentThread().getName() : task.toString();
    }
}
