package herd.epoll;

import static herd.epoll.Epoll.EPOLLEXCLUSIVE;
import static herd.epoll.Epoll.EPOLLINOUT_BITS;
import static herd.epoll.Epoll.EP_PRIVATE_BITS;
import static herd.epoll.EventPoll.EP_UNACTIVE_PTR;
import static herd.epoll.EventPoll.epIsLinked;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLOUT;
import static herd.fs.Poll.POLLFREE;

import herd.trace.Ftrace;
import herd.wait.WaitQueueEntry;

/**
 * {@code ep_poll_callback()}: the wake function of every entry epoll puts on a watched
 * file's wait queue. The file's wake-up runs it with the wake-up's key (the events that
 * happened); it queues the item for {@code epoll_wait} and wakes the epoll's sleepers.
 */
public final class EpPollCallback {
    private EpPollCallback() {
    }

    /**
     * Called by {@code __wake_up_common} of the watched file's queue, under that queue's
     * lock. Filters by the item's mask, links the item to the ready list (or to the
     * overflow chain while a scan runs), wakes one {@code epoll_wait} sleeper, passing a
     * sync wake-up on as sync ({@code wake_up_sync}, since 900bbaae67e9, 2024), and the
     * epoll file's pollers. Returns 1, the wake-up accepted; an {@code EPOLLEXCLUSIVE}
     * item returns 1 only when it counts as the one exclusive wake-up (lesson 5).
     */
    static int epPollCallback(WaitQueueEntry wait, int mode, int sync, int key) {
        try (var fn = Ftrace.enter("ep_poll_callback")) {
            EpItem epi = EppollEntry.fromWait(wait).base;
            EventPoll ep = epi.ep;
            ep.callbacks.increment();
            int pollflags = key;
            int ewake = 0;
            boolean pwake = false;
            // @exercise L02-E3 ep_poll_callback: under ep->lock skip a disabled item or a key without the
            //   item's events; else chain it on ovflist during a scan or add it to rdllist's tail if not
            //   linked; if ep->wq has sleepers wake one, with wake_up_sync when sync is set, else wake_up;
            //   note poll_wait; after unlocking ep_poll_safewake; return 1 for a non-exclusive item
            ep.lock.lock();
            try {
                outUnlock:
                {
                    if ((epi.event.events & ~EP_PRIVATE_BITS) == 0) {
                        break outUnlock;
                    }
                    if (pollflags != 0 && (pollflags & epi.event.events) == 0) {
                        break outUnlock;
                    }
                    if (ep.ovflist != EP_UNACTIVE_PTR) {
                        if (epi.next == EP_UNACTIVE_PTR) {
                            epi.next = ep.ovflist;
                            ep.ovflist = epi;
                        }
                    } else if (!epIsLinked(epi)) {
                        ep.rdllist.addTail(epi.rdllink);
                    }
                    if (ep.wq.waitqueueActive()) {
                        if ((epi.event.events & EPOLLEXCLUSIVE) != 0 && (pollflags & POLLFREE) == 0) {
                            ewake = exclusiveWake(epi, pollflags);
                        }
                        if (sync != 0) {
                            ep.wq.wakeUpSync(); // the waker asked for WF_SYNC: pass the hint on
                        } else {
                            ep.wq.wakeUp();
                        }
                    }
                    pwake = ep.pollWait.waitqueueActive();
                }
            } finally {
                ep.lock.unlock();
            }
            if (pwake) {
                ep.epPollSafewake();
            }
            if ((epi.event.events & EPOLLEXCLUSIVE) == 0) {
                ewake = 1;
            }
            if ((pollflags & POLLFREE) != 0) {
                wait.entry.delInit();
                EppollEntry.fromWait(wait).whead = null;
            }
            return ewake;
            // @end L02-E3
        }
    }

    /**
     * Whether an {@code EPOLLEXCLUSIVE} item's wake-up counts as the exclusive one: when
     * the key's IN/OUT part is exactly IN or exactly OUT and the item wants it, or when
     * the key has neither; a key with both never counts.
     */
    private static int exclusiveWake(EpItem epi, int pollflags) {
        // @exercise L05-E2 EPOLLEXCLUSIVE in ep_poll_callback: switch on pollflags & EPOLLINOUT_BITS: EPOLLIN
        //   counts if the item wants EPOLLIN, EPOLLOUT if it wants EPOLLOUT, 0 always counts, IN|OUT never
        return switch (pollflags & EPOLLINOUT_BITS) {
            case EPOLLIN -> (epi.event.events & EPOLLIN) != 0 ? 1 : 0;
            case EPOLLOUT -> (epi.event.events & EPOLLOUT) != 0 ? 1 : 0;
            case 0 -> 1;
            default -> 0;
        };
        // @end L05-E2
    }
}
