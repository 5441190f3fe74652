package herd.locking;

import static herd.sched.Sched.schedule;
import static herd.sched.Sched.setCurrentState;
import static herd.sched.Task.TASK_RUNNING;
import static herd.sched.Task.TASK_UNINTERRUPTIBLE;

import herd.list.ListHead;
import herd.sched.Sched;
import herd.sched.Task;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code struct mutex} (kernel/locking/mutex.c): a sleeping lock with one owner and a
 * FIFO list of waiters, each asleep in {@code TASK_UNINTERRUPTIBLE}. The model keeps the
 * kernel's slow path (queue, set state, re-try, schedule) and leaves out optimistic
 * spinning and hand-off.
 */
public final class Mutex {
    /** {@code MAX_LOCKDEP_SUBCLASSES}: the nesting levels lockdep tells apart in one lock class. */
    public static final int MAX_LOCKDEP_SUBCLASSES = 8;

    private final AtomicReference<Task> owner = new AtomicReference<>();
    private final SpinLock waitLock = new SpinLock();
    private final ListHead<Task> waitList = new ListHead<>();

    /** {@code mutex_trylock()}. */
    public boolean tryLock() {
        return owner.compareAndSet(null, requireTask());
    }

    /** {@code mutex_lock()}: sleeps uninterruptibly until the mutex is free. */
    public void lock() {
        Sched.condResched();
        if (tryLock()) {
            return;
        }
        Task current = requireTask();
        ListHead<Task> waiter = new ListHead<>(current);
        waitLock.lock();
        waitList.addTail(waiter);
        while (!tryLock()) {
            setCurrentState(TASK_UNINTERRUPTIBLE);
            waitLock.unlock();
            schedule();
            waitLock.lock();
        }
        waiter.delInit();
        setCurrentState(TASK_RUNNING);
        waitLock.unlock();
    }

    /**
     * {@code mutex_lock_nested()}: {@link #lock()}, telling lockdep that this mutex nests
     * inside another of its class at level {@code subclass} (an epoll's {@code mtx} inside
     * the {@code mtx} of the epoll that watches it). Lockdep knows
     * {@code MAX_LOCKDEP_SUBCLASSES} levels; a subclass outside them is a kernel bug
     * ({@code look_up_lock_class}: "BUG: looking up invalid subclass", read as unsigned).
     */
    public void lockNested(int subclass) {
        if (Integer.compareUnsigned(subclass, MAX_LOCKDEP_SUBCLASSES) >= 0) {
            throw new IllegalStateException("BUG: looking up invalid subclass: " + Integer.toUnsignedString(subclass));
        }
        lock();
    }

    /** {@code mutex_unlock()}: releases the mutex and wakes the first waiter. */
    public void unlock() {
        Task current = requireTask();
        if (!owner.compareAndSet(current, null)) {
            throw new IllegalStateException("BUG: mutex_unlock by " + current + ", owner is " + owner.get());
        }
        waitLock.lock();
        Task first = waitList.firstEntry();
        waitLock.unlock();
        if (first != null) {
            Sched.wakeUpProcess(first);
        }
    }

    /** {@code mutex_is_locked()}. */
    public boolean isLocked() {
        return owner.get() != null;
    }

    /** The owner, or null. */
    public Task owner() {
        return owner.get();
    }

    private static Task requireTask() {
        Task current = Task.current();
        if (current == null) {
            throw new IllegalStateException("a mutex is taken by tasks only: run this code in a task");
        }
        return current;
    }
}
