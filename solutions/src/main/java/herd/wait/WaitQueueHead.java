package herd.wait;

import static herd.sched.Sched.WF_SYNC;
import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static herd.sched.Task.TASK_NORMAL;
import static herd.wait.WaitQueueEntry.WQ_FLAG_EXCLUSIVE;

import herd.list.ListHead;
import herd.locking.SpinLock;
import herd.trace.Ftrace;

/**
 * {@code struct wait_queue_head} (include/linux/wait.h, kernel/sched/wait.c): a lock
 * and a list of {@link WaitQueueEntry}s, and the functions that add entries and wake
 * them.
 *
 * <p>Placement is the heart of wake-one: non-exclusive entries go to the head, exclusive
 * ones to the tail, so one walk from the head reaches every non-exclusive waiter
 * before it spends its exclusive budget. Methods named {@code ...Locked} expect the
 * caller to hold {@link #lock} (the kernel's double-underscore versions).
 */
public final class WaitQueueHead {
    /** {@code lock}. */
    public final SpinLock lock = new SpinLock();
    /** {@code head}: the entries, first to last. */
    public final ListHead<WaitQueueEntry> head = new ListHead<>();
    private final String name;

    /** {@code init_waitqueue_head()}; the name shows in reports. */
    public WaitQueueHead(String name) {
        this.name = name;
    }

    // ---- L01-E1: where an entry lands -------------------------------------------------

    /** {@code __add_wait_queue()}: links {@code wqEntry} at the head; the caller holds the lock. */
    public void addWaitQueueLocked(WaitQueueEntry wqEntry) {
        // @exercise L01-E1 __add_wait_queue: link the entry at the head of the list
        head.add(wqEntry.entry);
        // @end L01-E1
    }

    /** {@code __add_wait_queue_entry_tail()}: links {@code wqEntry} at the tail; the caller holds the lock. */
    public void addWaitQueueEntryTailLocked(WaitQueueEntry wqEntry) {
        // @exercise L01-E1 __add_wait_queue_entry_tail: link the entry at the tail of the list
        head.addTail(wqEntry.entry);
        // @end L01-E1
    }

    /**
     * {@code __add_wait_queue_exclusive()}: marks {@code wqEntry} exclusive and links it at
     * the <em>head</em>; the caller holds the lock. {@code ep_poll} uses it, which makes
     * threads sleeping in one epoll_wait wake last-in first-out.
     */
    public void addWaitQueueExclusiveLocked(WaitQueueEntry wqEntry) {
        // @exercise L01-E1 __add_wait_queue_exclusive: set WQ_FLAG_EXCLUSIVE and link the entry at the head
        wqEntry.flags |= WQ_FLAG_EXCLUSIVE;
        addWaitQueueLocked(wqEntry);
        // @end L01-E1
    }

    /** {@code __remove_wait_queue()}: unlinks {@code wqEntry}; the caller holds the lock. */
    public void removeWaitQueueLocked(WaitQueueEntry wqEntry) {
        // @exercise L01-E1 __remove_wait_queue: unlink the entry (list_del_init)
        wqEntry.entry.delInit();
        // @end L01-E1
    }

    /** {@code add_wait_queue()}: a non-exclusive entry, at the head, under the lock. */
    public void addWaitQueue(WaitQueueEntry wqEntry) {
        // @exercise L01-E1 add_wait_queue: clear WQ_FLAG_EXCLUSIVE, then link at the head under the lock
        wqEntry.flags &= ~WQ_FLAG_EXCLUSIVE;
        lock.lock();
        try {
            addWaitQueueLocked(wqEntry);
        } finally {
            lock.unlock();
        }
        // @end L01-E1
    }

    /** {@code add_wait_queue_exclusive()}: an exclusive entry, at the tail, under the lock. */
    public void addWaitQueueExclusive(WaitQueueEntry wqEntry) {
        // @exercise L01-E1 add_wait_queue_exclusive: set WQ_FLAG_EXCLUSIVE, then link at the tail under the
        //   lock
        wqEntry.flags |= WQ_FLAG_EXCLUSIVE;
        lock.lock();
        try {
            addWaitQueueEntryTailLocked(wqEntry);
        } finally {
            lock.unlock();
        }
        // @end L01-E1
    }

    /** {@code remove_wait_queue()}: unlinks {@code wqEntry} under the lock. */
    public void removeWaitQueue(WaitQueueEntry wqEntry) {
        // @exercise L01-E1 remove_wait_queue: unlink the entry under the lock
        lock.lock();
        try {
            removeWaitQueueLocked(wqEntry);
        } finally {
            lock.unlock();
        }
        // @end L01-E1
    }

    /** {@code waitqueue_active()}: true if any entry is queued. */
    public boolean waitqueueActive() {
        return !head.isEmpty();
    }

    // ---- L01-E2: the walk ---------------------------------------------------------------

    /**
     * {@code __wake_up_common()}: calls each entry's wake function from first to last,
     * until a negative return, or until {@code nrExclusive} exclusive entries accepted
     * (0 means no limit). The caller holds the lock. Returns the budget left.
     */
    public int wakeUpCommon(int mode, int nrExclusive, int wakeFlags, int key) {
        try (var fn = Ftrace.enter("__wake_up_common")) {
            // @exercise L01-E2 __wake_up_common: walk from the head, stop on a negative return or when
            //   nr_exclusive exclusive entries said yes
            for (WaitQueueEntry curr : head.entries()) {
                int flags = curr.flags;
                int ret = curr.func.wake(curr, mode, wakeFlags, key);
                if (ret < 0) {
                    break;
                }
                if (ret != 0 && (flags & WQ_FLAG_EXCLUSIVE) != 0 && --nrExclusive == 0) {
                    break;
                }
            }
            return nrExclusive;
            // @end L01-E2
        }
    }

    // ---- L01-E6: the wake_up family -----------------------------------------------------

    /**
     * {@code __wake_up()} / {@code __wake_up_common_lock()}: the walk under the lock.
     * Returns how many exclusive entries accepted the wake-up (the kernel's return since 6.7).
     */
    public int wakeUp(int mode, int nrExclusive, int wakeFlags, int key) {
        try (var fn = Ftrace.enter("__wake_up")) {
            // @exercise L01-E6 __wake_up: take the lock, run __wake_up_common, return how many exclusive
            //   entries accepted
            lock.lock();
            try {
                return nrExclusive - wakeUpCommon(mode, nrExclusive, wakeFlags, key);
            } finally {
                lock.unlock();
            }
            // @end L01-E6
        }
    }

    /** {@code wake_up()}: every non-exclusive sleeper and one exclusive one, in either sleep state. */
    public int wakeUp() {
        // @exercise L01-E6 wake_up: TASK_NORMAL, one exclusive, no key
        return wakeUp(TASK_NORMAL, 1, 0, 0);
        // @end L01-E6
    }

    /** {@code wake_up_nr()}: every non-exclusive sleeper and {@code nr} exclusive ones. */
    public int wakeUpNr(int nr) {
        // @exercise L01-E6 wake_up_nr: TASK_NORMAL, nr exclusive, no key
        return wakeUp(TASK_NORMAL, nr, 0, 0);
        // @end L01-E6
    }

    /** {@code wake_up_all()}: every sleeper. */
    public int wakeUpAll() {
        // @exercise L01-E6 wake_up_all: TASK_NORMAL, no exclusive limit (0), no key
        return wakeUp(TASK_NORMAL, 0, 0, 0);
        // @end L01-E6
    }

    /** {@code wake_up_interruptible()}: as {@code wake_up}, but only interruptible sleepers. */
    public int wakeUpInterruptible() {
        // @exercise L01-E6 wake_up_interruptible: TASK_INTERRUPTIBLE, one exclusive, no key
        return wakeUp(TASK_INTERRUPTIBLE, 1, 0, 0);
        // @end L01-E6
    }

    /** {@code wake_up_poll()}: as {@code wake_up}, with the poll mask as the key. */
    public int wakeUpPoll(int mask) {
        // @exercise L01-E6 wake_up_poll: TASK_NORMAL, one exclusive, the mask as key
        return wakeUp(TASK_NORMAL, 1, 0, mask);
        // @end L01-E6
    }

    /**
     * {@code wake_up_interruptible_sync_poll()}: interruptible sleepers, one exclusive,
     * the poll mask as key, and {@code WF_SYNC}: the waker is about to sleep. This is how
     * a socket announces data or a new connection ({@code sock_def_readable}).
     */
    public int wakeUpInterruptibleSyncPoll(int mask) {
        // @exercise L01-E6 wake_up_interruptible_sync_poll: TASK_INTERRUPTIBLE, one exclusive, WF_SYNC, the
        //   mask as key
        return wakeUp(TASK_INTERRUPTIBLE, 1, WF_SYNC, mask);
        // @end L01-E6
    }

    /** {@code wake_up_locked()}: as {@code wake_up}, the caller holds the lock. */
    public void wakeUpLocked() {
        // @exercise L01-E6 wake_up_locked: __wake_up_common with TASK_NORMAL and one exclusive, without
        //   taking the lock
        wakeUpCommon(TASK_NORMAL, 1, 0, 0);
        // @end L01-E6
    }

    /** {@code wake_up_locked_poll()}: as {@code wake_up_poll}, the caller holds the lock (eventfd's wake-up). */
    public void wakeUpLockedPoll(int mask) {
        wakeUpCommon(TASK_NORMAL, 1, 0, mask);
    }

    /**
     * {@code wake_up_sync()}: as {@code wake_up}, with {@code WF_SYNC}: the waker is about to
     * sleep, so the scheduler may keep the woken task on the waker's CPU ({@code ep_poll_callback}
     * passes a sync wake-up on with it).
     */
    public int wakeUpSync() {
        return wakeUp(TASK_NORMAL, 1, WF_SYNC, 0);
    }

    /** {@code wake_up_interruptible_poll()}: interruptible sleepers, one exclusive, the mask as key (a socket's error). */
    public int wakeUpInterruptiblePoll(int mask) {
        return wakeUp(TASK_INTERRUPTIBLE, 1, 0, mask);
    }

    /** {@code wake_up_interruptible_all()}: every interruptible sleeper, no key (a socket's state change). */
    public int wakeUpInterruptibleAll() {
        return wakeUp(TASK_INTERRUPTIBLE, 0, 0, 0);
    }

    @Override
    public String toString() {
        return name;
    }
}
