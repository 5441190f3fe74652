package herd.epoll;

import static herd.epoll.Epoll.EPOLLET;
import static herd.epoll.Epoll.EPOLLONESHOT;
import static herd.epoll.Epoll.EP_MAX_EVENTS;
import static herd.epoll.Epoll.EP_PRIVATE_BITS;
import static herd.epoll.EventPoll.epItemPoll;
import static herd.epoll.EventPoll.isFileEpoll;
import static herd.sched.Sched.MAX_SCHEDULE_TIMEOUT;
import static herd.sched.Sched.current;
import static herd.sched.Sched.scheduleHrtimeout;
import static herd.sched.Sched.setCurrentState;
import static herd.sched.Sched.signalPending;
import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static herd.sched.Task.TASK_RUNNING;

import herd.fs.File;
import herd.fs.PollTable;
import herd.fs.Process;
import herd.list.ListHead;
import herd.trace.Ftrace;
import herd.uapi.Errno;
import herd.wait.WaitQueueEntry;

/** {@code epoll_wait} (fs/eventpoll.c): the front end's checks, the sleep loop {@code ep_poll}, and {@code ep_send_events}. */
public final class EpollWait {
    private EpollWait() {
    }

    /**
     * {@code do_epoll_wait()}, in 5.15's order: {@code -EINVAL} for maxevents out of
     * range, {@code -EFAULT} for a buffer smaller than maxevents, {@code -EBADF},
     * {@code -EINVAL} for a file that is not an epoll; then {@code ep_poll}.
     * (Mainline since 6.x checks the descriptor first.)
     */
    static long doEpollWait(int epfd, EpollEvent[] events, int maxevents, int timeout) {
        // @exercise L02-E5 do_epoll_wait: EINVAL unless 0 < maxevents <= EP_MAX_EVENTS; EFAULT if events is
        //   null or shorter than maxevents; fget epfd (EBADF); EINVAL if not an epoll; ep_poll; fput
        if (maxevents <= 0 || maxevents > EP_MAX_EVENTS) {
            return Errno.EINVAL.neg();
        }
        if (events == null || events.length < maxevents) {
            return Errno.EFAULT.neg();
        }
        File f = Process.current().files.fget(epfd);
        if (f == null) {
            return Errno.EBADF.neg();
        }
        try {
            if (!isFileEpoll(f)) {
                return Errno.EINVAL.neg();
            }
            return epPoll((EventPoll) f.privateData, events, maxevents, timeout);
        } finally {
            f.fput();
        }
        // @end L02-E5
    }

    /**
     * {@code ep_poll()}: harvests events when some may be available; otherwise sleeps as
     * an exclusive waiter at the head of {@code ep->wq} (an entry that any wake-up removes,
     * {@code ep_autoremove_wake_function}) until a callback wakes it, a signal comes or the
     * deadline passes, and tries again. Returns the number of events,
     * 0 on timeout ({@code timeout} 0: at once), or {@code -EINTR} when a signal is
     * pending and nothing was delivered. A thread woken for events that another thread
     * took, or that turned out not ready, goes back to sleep without returning.
     */
    static long epPoll(EventPoll ep, EpollEvent[] events, int maxevents, int timeout) {
        try (var fn = Ftrace.enter("ep_poll")) {
            // @exercise L02-E5 ep_poll: timed_out for timeout 0, an absolute deadline otherwise (-1: none);
            //   loop: if events may be available ep_send_events (return a non-zero result); return 0 if timed
            //   out; -EINTR on a pending signal; init_wait with func = ep_autoremove_wake_function, under
            //   ep->lock set TASK_INTERRUPTIBLE, re-check and __add_wait_queue_exclusive if none; sleep until
            //   the deadline if none; TASK_RUNNING; assume available; if the entry is still queued, under
            //   ep->lock (if timed out, available only if a waker dequeued it) remove it
            boolean timedOut = false;
            long expires = MAX_SCHEDULE_TIMEOUT;
            if (timeout > 0) {
                expires = current().scheduler().clock() + timeout * 1_000_000L;
            } else if (timeout == 0) {
                timedOut = true; // non-blocking: no trip through the wait queue, not even for a signal
            }
            boolean eavail = ep.epEventsAvailable();
            for (;;) {
                if (eavail) {
                    long res = epSendEvents(ep, events, maxevents);
                    if (res != 0) {
                        return res;
                    }
                }
                if (timedOut) {
                    return 0;
                }
                if (signalPending(current())) {
                    return Errno.EINTR.neg();
                }
                WaitQueueEntry wait = new WaitQueueEntry(current(), EpollWait::epAutoremoveWakeFunction, 0);
                ep.lock.lock();
                try {
                    setCurrentState(TASK_INTERRUPTIBLE);
                    eavail = ep.epEventsAvailable();
                    if (!eavail) {
                        ep.wq.addWaitQueueExclusiveLocked(wait);
                    }
                } finally {
                    ep.lock.unlock();
                }
                if (!eavail) {
                    timedOut = scheduleHrtimeout(expires) == 0;
                }
                setCurrentState(TASK_RUNNING);
                eavail = true;
                if (!wait.entry.isEmpty()) {
                    ep.lock.lock();
                    try {
                        if (timedOut) {
                            eavail = wait.entry.isEmpty();
                        }
                        ep.wq.removeWaitQueueLocked(wait);
                    } finally {
                        ep.lock.unlock();
                    }
                }
            }
            // @end L02-E5
        }
    }

    /**
     * {@code ep_autoremove_wake_function()} (since v6.0, a16ceb139610, in stable 5.4.y and
     * later): {@code default_wake_function}, then the entry leaves {@code ep->wq} whatever
     * that returned. {@code autoremove_wake_function} would leave it queued when the task
     * was running already (woken by its timeout, or a signal); {@code ep_poll} never reuses
     * an entry, so it may go at once, and its owner then sees that a waker reached it.
     */
    static int epAutoremoveWakeFunction(WaitQueueEntry wqEntry, int mode, int sync, int key) {
        try (var fn = Ftrace.enter("ep_autoremove_wake_function")) {
            int ret = WaitQueueEntry.defaultWakeFunction(wqEntry, mode, sync, key);
            wqEntry.entry.delInit(); // list_del_init_careful: pairs with ep_poll's emptiness check
            return ret;
        }
    }

    /**
     * {@code ep_send_events()}: under {@code ep->mtx}, takes the ready list; for each item
     * until {@code maxevents} were delivered, re-polls the file and drops the item if
     * nothing is ready any more; else writes (events, data) to the next slot, then
     * disables an {@code EPOLLONESHOT} item, re-queues a level-triggered one at the tail,
     * leaves an {@code EPOLLET} one off the list. Items not reached stay in front. A slot
     * that cannot be written ({@code null}) is {@code -EFAULT} if nothing was delivered yet.
     */
    static long epSendEvents(EventPoll ep, EpollEvent[] events, int maxevents) {
        try (var fn = Ftrace.enter("ep_send_events")) {
            // @exercise L02-E4 ep_send_events: under ep->mtx, ep_start_scan into a txlist; per item while res
            //   < maxevents: unlink, epItemPoll with a table without queue procedure at depth 1, skip if 0; a
            //   null slot puts the item back at the txlist head and stops (EFAULT if res is 0); fill the
            //   slot, res++; ONESHOT: events &= EP_PRIVATE_BITS, else not ET: rdllist tail; ep_done_scan;
            //   return res
            ListHead<EpItem> txlist = new ListHead<>();
            PollTable pt = new PollTable(null);
            long res = 0;
            ep.mtx.lock();
            try {
                ep.epStartScan(txlist);
                for (EpItem epi : txlist.entries()) {
                    if (res >= maxevents) {
                        break;
                    }
                    epi.rdllink.delInit();
                    int revents = epItemPoll(epi, pt, 1);
                    if (revents == 0) {
                        continue;
                    }
                    EpollEvent uevent = events[(int) res];
                    if (uevent == null) {
                        txlist.add(epi.rdllink);
                        if (res == 0) {
                            res = Errno.EFAULT.neg();
                        }
                        break;
                    }
                    uevent.events = revents;
                    uevent.data = epi.event.data;
                    res++;
                    if ((epi.event.events & EPOLLONESHOT) != 0) {
                        epi.event.events &= EP_PRIVATE_BITS;
                    } else if ((epi.event.events & EPOLLET) == 0) {
                        ep.rdllist.addTail(epi.rdllink);
                    }
                }
                ep.epDoneScan(txlist);
            } finally {
                ep.mtx.unlock();
            }
            return res;
            // @end L02-E4
        }
    }
}
