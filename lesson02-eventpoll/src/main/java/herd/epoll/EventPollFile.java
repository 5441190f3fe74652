package herd.epoll;

import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLRDNORM;

import herd.fs.File;
import herd.fs.FileOperations;
import herd.fs.PollTable;
import herd.list.ListHead;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code eventpoll_fops}: an epoll is a file too. Polling it (poll(2), or an outer
 * epoll) asks whether any of its items is really ready, without consuming anything;
 * releasing it removes its items; and releasing any watched file removes that file's
 * items from every epoll ({@code eventpoll_release_file}).
 */
public final class EventPollFile implements FileOperations {
    /** The operations of every epoll file. */
    public static final EventPollFile FOPS = new EventPollFile();

    private EventPollFile() {
    }

    /** {@code ep_eventpoll_poll()}. */
    @Override
    public int poll(File file, PollTable wait) {
        return epEventpollPoll(file, wait, 0);
    }

    /**
     * {@code __ep_eventpoll_poll()}: registers the poller on {@code ep->poll_wait}, then,
     * under {@code ep->mtx} at lockdep subclass {@code depth}, scans the ready list
     * re-polling each item ({@code depth + 1} for nested epolls):
     * {@code EPOLLIN|EPOLLRDNORM} at the first one really ready, which stays queued;
     * items no longer ready are dropped from the list.
     */
    static int epEventpollPoll(File file, PollTable wait, int depth) {
        EventPoll ep = (EventPoll) file.privateData;
        ListHead<EpItem> txlist = new ListHead<>();
        PollTable pt = new PollTable(null);
        int res = 0;
        PollTable.pollWait(file, ep.pollWait, wait);
        ep.mtx.lockNested(depth); // an inner epoll's mtx nests inside the outer one's, which its poller holds
        try {
            ep.epStartScan(txlist);
            for (EpItem epi : txlist.entries()) {
                if (EventPoll.epItemPoll(epi, pt, depth + 1) != 0) {
                    res = EPOLLIN | EPOLLRDNORM;
                    break;
                }
                epi.rdllink.delInit();
            }
            ep.epDoneScan(txlist);
        } finally {
            ep.mtx.unlock();
        }
        return res;
    }

    /**
     * {@code ep_eventpoll_release()} / {@code ep_clear_and_put()}: wakes the pollers, then
     * removes every item ({@code ep_remove_safe}), except one whose file's last close is
     * removing it at the same time ({@code dying}): that one is left to
     * {@link #eventpollRelease}, so that it is removed, and its watch uncounted, once.
     */
    @Override
    public void release(File file) {
        EventPoll ep = (EventPoll) file.privateData;
        if (ep.pollWait.waitqueueActive()) {
            ep.epPollSafewake();
        }
        ep.mtx.lock();
        try {
            for (EpItem epi : ep.items()) {
                EpollCtl.epRemove(ep, epi);
            }
        } finally {
            ep.mtx.unlock();
        }
    }

    /**
     * {@code eventpoll_release()} / {@code eventpoll_release_file()}: the last reference to
     * {@code file} is gone; every epoll forgets it. Under {@code f_lock} each item of
     * {@code f_ep} is marked {@code dying}, so that an epoll closed meanwhile
     * ({@code ep_clear_and_put}) leaves it alone; then each is removed under its epoll's
     * {@code mtx} ({@code __ep_remove} with force). (Mainline marks and removes one item at
     * a time, re-reading {@code f_ep}; marking them all at once protects them the same way.)
     */
    public static void eventpollRelease(File file) {
        if (file.fEp.isEmpty()) {
            return;
        }
        List<EpItem> watchers = new ArrayList<>();
        file.fLock.lock();
        for (EpItem epi : file.fEp.entries()) {
            epi.dying = true;
            watchers.add(epi);
        }
        file.fLock.unlock();
        for (EpItem epi : watchers) {
            EventPoll ep = epi.ep;
            ep.mtx.lock();
            try {
                EpollCtl.epRemove(ep, epi, true);
            } finally {
                ep.mtx.unlock();
            }
        }
    }
}
