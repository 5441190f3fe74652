package herd.wait;

import static herd.sched.Sched.current;
import static herd.sched.Sched.setCurrentState;
import static herd.sched.Sched.signalPendingState;
import static herd.sched.Task.TASK_RUNNING;
import static herd.wait.WaitQueueEntry.WQ_FLAG_EXCLUSIVE;

import herd.uapi.Errno;

/**
 * The sleeping side of kernel/sched/wait.c: queue the entry and set the task state in
 * one critical section, so that a wake-up between "queue" and "schedule()" is never
 * lost, then clean up after the sleep.
 */
public final class Wait {
    private Wait() {
    }

    /**
     * {@code prepare_to_wait()}: under the queue's lock, clears the exclusive flag, links
     * the entry at the head if it is not queued yet, and sets the current task's state.
     */
    public static void prepareToWait(WaitQueueHead wqHead, WaitQueueEntry wqEntry, int state) {
        // @exercise L01-E4 prepare_to_wait: under the lock, clear WQ_FLAG_EXCLUSIVE, queue at the head if not
        //   queued, set the task state
        wqEntry.flags &= ~WQ_FLAG_EXCLUSIVE;
        wqHead.lock.lock();
        try {
            if (wqEntry.entry.isEmpty()) {
                wqHead.addWaitQueueLocked(wqEntry);
            }
            setCurrentState(state);
        } finally {
            wqHead.lock.unlock();
        }
        // @end L01-E4
    }

    /**
     * {@code prepare_to_wait_exclusive()}: as {@link #prepareToWait}, but exclusive and
     * at the tail, so that sleepers are woken first come, first served.
     */
    public static void prepareToWaitExclusive(WaitQueueHead wqHead, WaitQueueEntry wqEntry, int state) {
        // @exercise L01-E4 prepare_to_wait_exclusive: under the lock, set WQ_FLAG_EXCLUSIVE, queue at the
        //   tail if not queued, set the task state
        wqEntry.flags |= WQ_FLAG_EXCLUSIVE;
        wqHead.lock.lock();
        try {
            if (wqEntry.entry.isEmpty()) {
                wqHead.addWaitQueueEntryTailLocked(wqEntry);
            }
            setCurrentState(state);
        } finally {
            wqHead.lock.unlock();
        }
        // @end L01-E4
    }

    /**
     * {@code finish_wait()}: sets the current task running and, if a wake-up did not
     * already unlink the entry, unlinks it under the lock.
     */
    public static void finishWait(WaitQueueHead wqHead, WaitQueueEntry wqEntry) {
        // @exercise L01-E4 finish_wait: set TASK_RUNNING, then unlink the entry under the lock if it is still
        //   queued
        setCurrentState(TASK_RUNNING);
        if (!wqEntry.entry.isEmpty()) {
            wqHead.lock.lock();
            try {
                wqEntry.entry.delInit();
            } finally {
                wqHead.lock.unlock();
            }
        }
        // @end L01-E4
    }

    /**
     * {@code prepare_to_wait_event()}: under the lock, if a signal is pending for this
     * sleep state, unlinks the entry and returns {@code -ERESTARTSYS}; otherwise queues
     * the entry (tail if exclusive, head if not) unless it is queued, sets the state and
     * returns 0.
     */
    public static long prepareToWaitEvent(WaitQueueHead wqHead, WaitQueueEntry wqEntry, int state) {
        // @exercise L01-E5 prepare_to_wait_event: under the lock, a pending signal unlinks the entry and
        //   gives -ERESTARTSYS; else queue by the exclusive flag and set the state
        wqHead.lock.lock();
        try {
            if (signalPendingState(state, current())) {
                wqEntry.entry.delInit();
                return Errno.ERESTARTSYS.neg();
            }
            if (wqEntry.entry.isEmpty()) {
                if (wqEntry.isExclusive()) {
                    wqHead.addWaitQueueEntryTailLocked(wqEntry);
                } else {
                    wqHead.addWaitQueueLocked(wqEntry);
                }
            }
            setCurrentState(state);
            return 0;
        } finally {
            wqHead.lock.unlock();
        }
        // @end L01-E5
    }
}
