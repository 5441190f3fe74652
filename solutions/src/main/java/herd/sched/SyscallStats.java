package herd.sched;

import herd.uapi.Errno;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one task's syscalls did, per syscall name, as {@code strace -c} counts it, plus
 * the wake-ups each call slept through: a call that was woken k times before it
 * returned had k - 1 <em>hidden</em> wake-ups (the task woke, found nothing and slept
 * again inside the kernel). A call in progress counts all its wake-ups so far as hidden.
 * Only the task writes; anyone may read.
 */
public final class SyscallStats {
    private final Map<String, Counts> byName = new ConcurrentHashMap<>();
    private volatile String current;
    private volatile long entryWakeups;

    private static final class Counts {
        final AtomicLong returned = new AtomicLong();
        final AtomicLong wakeups = new AtomicLong();
        final AtomicLong hidden = new AtomicLong();
        final Map<Errno, AtomicLong> errors = new ConcurrentHashMap<>();
    }

    /** The task enters syscall {@code name}, having been woken {@code wakeups} times so far. */
    public void enter(String name, long wakeups) {
        entryWakeups = wakeups;
        current = name;
    }

    /** The current syscall returns {@code ret}; the task has been woken {@code wakeups} times so far. */
    public void exit(long ret, long wakeups) {
        Counts counts = counts(current);
        long inside = wakeups - entryWakeups;
        counts.returned.incrementAndGet();
        counts.wakeups.addAndGet(inside);
        counts.hidden.addAndGet(Math.max(0, inside - 1));
        if (Errno.isError(ret)) {
            counts.errors.computeIfAbsent(Errno.of(ret), e -> new AtomicLong()).incrementAndGet();
        }
        current = null;
    }

    private Counts counts(String name) {
        return byName.computeIfAbsent(name, n -> new Counts());
    }

    /** Calls of {@code name} that returned, successfully or not. */
    public long returned(String name) {
        return counts(name).returned.get();
    }

    /** Calls of {@code name} that returned {@code -errno}. */
    public long errors(String name, Errno errno) {
        AtomicLong n = counts(name).errors.get(errno);
        return n == null ? 0 : n.get();
    }

    /** Wake-ups of the task while inside {@code name}, the call in progress included ({@code task} is the owner). */
    public long wakeupsInside(String name, Task task) {
        return counts(name).wakeups.get() + inProgress(name, task);
    }

    /** Wake-ups inside {@code name} that did not end the call: the task slept again without returning. */
    public long hiddenWakeups(String name, Task task) {
        return counts(name).hidden.get() + inProgress(name, task);
    }

    private long inProgress(String name, Task task) {
        return name.equals(current) ? task.wakeups() - entryWakeups : 0;
    }
}
