package herd.epoll;

import static herd.epoll.Epoll.EPOLLEXCLUSIVE;
import static herd.epoll.Epoll.EPOLLEXCLUSIVE_OK_BITS;
import static herd.epoll.Epoll.EPOLLWAKEUP;
import static herd.epoll.Epoll.EPOLL_CTL_ADD;
import static herd.epoll.Epoll.EPOLL_CTL_DEL;
import static herd.epoll.Epoll.EPOLL_CTL_MOD;
import static herd.epoll.EventPoll.epIsLinked;
import static herd.epoll.EventPoll.epItemPoll;
import static herd.epoll.EventPoll.isFileEpoll;
import static herd.fs.Poll.EPOLLERR;
import static herd.fs.Poll.EPOLLHUP;

import herd.fs.File;
import herd.fs.PollTable;
import herd.fs.Process;
import herd.trace.Ftrace;
import herd.uapi.Errno;
import herd.wait.WaitQueueHead;

/**
 * {@code epoll_ctl} and what it does to an epoll (fs/eventpoll.c): the checks in the
 * kernel's order, then {@code ep_insert}, {@code ep_modify} or {@code ep_remove}.
 */
public final class EpollCtl {
    /**
     * {@code max_user_watches} (sysctl {@code fs.epoll.max_user_watches}): how many items
     * one user's epolls may hold. The kernel's default is 4% of low memory divided by the
     * cost of one item; the model's is fixed.
     */
    public static volatile long maxUserWatches = 1L << 20;

    private EpollCtl() {
    }

    /** {@code struct ep_pqueue}: the poll table {@code ep_insert} passes to the file's poll, with its item. */
    static final class EpPqueue extends PollTable {
        final EpItem epi;

        EpPqueue(EpItem epi) {
            super(EpollCtl::epPtableQueueProc);
            this.epi = epi;
        }
    }

    // ---- L02-E6: the checks and the dispatch ---------------------------------------------------

    /**
     * {@code do_epoll_ctl()}: {@code -EBADF} (epfd, then fd), {@code -EPERM} (no poll),
     * {@code -EINVAL} (same file, epfd not an epoll, then the {@code EPOLLEXCLUSIVE}
     * rules), {@code -ELOOP} (adding an epoll that would close a cycle or nest too deep),
     * then by op: {@code -EEXIST} / {@code ep_insert}, {@code -ENOENT} / {@code ep_remove},
     * {@code -ENOENT} / {@code ep_modify}, and {@code -EINVAL} for an unknown op.
     * {@code epds} is the caller's copy (null only for DEL).
     */
    static long doEpollCtl(int epfd, int op, int fd, EpollEvent epds) {
        // >>> L02-E6
        // do_epoll_ctl: fget both fds (EBADF), file_can_poll (EPERM), same file or not an epoll
        // (EINVAL), drop EPOLLWAKEUP, epExclusiveCheck, ep->mtx and for an ADD of a watched epoll
        // or of an epoll the loop check (ELOOP), ep_find, then ADD (EEXIST; or events |=
        // EPOLLERR|EPOLLHUP and ep_insert), DEL (ENOENT or ep_remove), MOD (ENOENT,
        // epModExclusiveCheck, or events |= EPOLLERR|EPOLLHUP and ep_modify), other ops EINVAL;
        // fput both files
        throw herd.course.Todo.exercise("L02-E6", "do_epoll_ctl: fget both fds (EBADF), file_can_poll (EPERM), same file or not an epoll (EINVAL), drop EPOLLWAKEUP, epExclusiveCheck, ep->mtx and for an ADD of a watched epoll or of an epoll the loop check (ELOOP), ep_find, then ADD (EEXIST; or events |= EPOLLERR|EPOLLHUP and ep_insert), DEL (ENOENT or ep_remove), MOD (ENOENT, epModExclusiveCheck, or events |= EPOLLERR|EPOLLHUP and ep_modify), other ops EINVAL; fput both files");
        // <<< L02-E6
    }

    /**
     * The {@code EPOLLEXCLUSIVE} rules of {@code do_epoll_ctl}, for an op that carries an
     * event whose mask has the flag: {@code -EINVAL} for MOD, and for an ADD whose target
     * is an epoll or whose mask has a bit outside {@code EPOLLEXCLUSIVE_OK_BITS}; else 0.
     */
    static long epExclusiveCheck(int op, EpollEvent epds, File tf) {
        if (op == EPOLL_CTL_DEL || (epds.events & EPOLLEXCLUSIVE) == 0) {
            return 0;
        }
        // >>> L05-E3
        // EPOLLEXCLUSIVE in epoll_ctl: EINVAL for MOD, and for ADD of an epoll file or with any bit
        // outside EPOLLEXCLUSIVE_OK_BITS; else 0
        throw herd.course.Todo.exercise("L05-E3", "EPOLLEXCLUSIVE in epoll_ctl: EINVAL for MOD, and for ADD of an epoll file or with any bit outside EPOLLEXCLUSIVE_OK_BITS; else 0");
        // <<< L05-E3
    }

    /** {@code EPOLL_CTL_MOD} of an item added with {@code EPOLLEXCLUSIVE}: {@code -EINVAL}, its entry cannot change. */
    static long epModExclusiveCheck(EpItem epi) {
        if ((epi.event.events & EPOLLEXCLUSIVE) == 0) {
            return 0;
        }
        // >>> L05-E3
        throw herd.course.Todo.exercise("L05-E3", "EPOLL_CTL_MOD of an item added with EPOLLEXCLUSIVE: EINVAL");
        // <<< L05-E3
    }

    // ---- L02-E2: adding an item --------------------------------------------------------------

    /**
     * {@code ep_insert()}: {@code -ENOSPC} at the user's watch limit; else a new item,
     * linked to the watched file's {@code f_ep} and to the tree, counted, and polled with
     * {@link #epPtableQueueProc} as queue procedure, which puts its entry on the file's
     * wait queue; if the file is ready already, the item goes straight to the ready list
     * and a sleeper is woken. The caller holds {@code ep.mtx}.
     */
    static long epInsert(EventPoll ep, EpollEvent event, File tfile, int fd) {
        try (var fn = Ftrace.enter("ep_insert")) {
            // >>> L02-E2
            // ep_insert: ENOSPC at maxUserWatches; new EpItem; attach it to tfile.fEp (under
            // f_lock, and tep.mtx for an epoll target); count the watch; epRbtreeInsert; epItemPoll
            // with an EpPqueue at depth 1; if ready, ep.epAddReady
            throw herd.course.Todo.exercise("L02-E2", "ep_insert: ENOSPC at maxUserWatches; new EpItem; attach it to tfile.fEp (under f_lock, and tep.mtx for an epoll target); count the watch; epRbtreeInsert; epItemPoll with an EpPqueue at depth 1; if ready, ep.epAddReady");
            // <<< L02-E2
        }
    }

    /**
     * {@code ep_ptable_queue_proc()}: the queue procedure of {@code ep_insert}'s poll
     * table. For each wait queue the file offers, one {@link EppollEntry} with
     * {@code ep_poll_callback}: non-exclusive at the head ({@code add_wait_queue}), or for
     * an {@code EPOLLEXCLUSIVE} item through {@link #addExclusive}.
     */
    static void epPtableQueueProc(File file, WaitQueueHead whead, PollTable pt) {
        try (var fn = Ftrace.enter("ep_ptable_queue_proc")) {
            // >>> L02-E2
            // ep_ptable_queue_proc: the item is ((EpPqueue) pt).epi; a new EppollEntry(epi, whead);
            // addExclusive for an EPOLLEXCLUSIVE item, else add_wait_queue; remember it in
            // epi.pwqlist
            throw herd.course.Todo.exercise("L02-E2", "ep_ptable_queue_proc: the item is ((EpPqueue) pt).epi; a new EppollEntry(epi, whead); addExclusive for an EPOLLEXCLUSIVE item, else add_wait_queue; remember it in epi.pwqlist");
            // <<< L02-E2
        }
    }

    /** {@code EPOLLEXCLUSIVE} in {@code ep_ptable_queue_proc}: the entry is exclusive and queued at the tail. */
    static void addExclusive(WaitQueueHead whead, EppollEntry pwq) {
        // >>> L05-E1
        // EPOLLEXCLUSIVE in ep_ptable_queue_proc: add_wait_queue_exclusive (WQ_FLAG_EXCLUSIVE, at
        // the tail)
        throw herd.course.Todo.exercise("L05-E1", "EPOLLEXCLUSIVE in ep_ptable_queue_proc: add_wait_queue_exclusive (WQ_FLAG_EXCLUSIVE, at the tail)");
        // <<< L05-E1
    }

    // ---- L02-E6: changing an item ------------------------------------------------------------

    /**
     * {@code ep_modify()}: the new mask and data, then a re-poll without queueing; a
     * ready file goes on the ready list (if not on it) and wakes a sleeper, so a MOD
     * re-arms an {@code EPOLLONESHOT} or {@code EPOLLET} item that is ready now.
     */
    static void epModify(EventPoll ep, EpItem epi, EpollEvent event) {
        try (var fn = Ftrace.enter("ep_modify")) {
            // >>> L02-E6
            // ep_modify: copy events and data into the item; epItemPoll with a table without queue
            // procedure at depth 1; if ready, ep.epAddReady
            throw herd.course.Todo.exercise("L02-E6", "ep_modify: copy events and data into the item; epItemPoll with a table without queue procedure at depth 1; if ready, ep.epAddReady");
            // <<< L02-E6
        }
    }

    // ---- given -------------------------------------------------------------------------------

    /**
     * {@code ep_remove_safe()}: {@link #epRemove(EventPoll, EpItem, boolean) __ep_remove}
     * without force, so an item whose file is being released is left to
     * {@code eventpoll_release_file}. The caller holds {@code ep.mtx}.
     */
    static void epRemove(EventPoll ep, EpItem epi) {
        epRemove(ep, epi, false);
    }

    /**
     * {@code __ep_remove()}: takes the item's entries off the file's wait queues; then,
     * unless the item is {@link EpItem#dying dying} and this is not the forced removal of
     * {@code eventpoll_release_file}, unlinks it from the file, the tree and the ready list,
     * and uncounts the watch. (The kernel's returns whether the epoll may now be freed; the
     * model's epolls are not reference-counted.) The caller holds {@code ep.mtx}.
     */
    static void epRemove(EventPoll ep, EpItem epi, boolean force) {
        try (var fn = Ftrace.enter("ep_remove")) {
            epUnregisterPollwait(epi);
            File file = epi.ffd.file();
            file.fLock.lock();
            if (epi.dying && !force) {
                file.fLock.unlock();
                return;
            }
            epi.fllink.delInit();
            file.fLock.unlock();
            ep.rbr.remove(epi.ffd);
            ep.lock.lock();
            try {
                if (epIsLinked(epi)) {
                    epi.rdllink.delInit();
                }
            } finally {
                ep.lock.unlock();
            }
            ep.user.epollWatches.decrementAndGet();
        }
    }

    /** {@code ep_unregister_pollwait()}: every entry of the item off its queue (unless POLLFREE took it off). */
    private static void epUnregisterPollwait(EpItem epi) {
        for (EppollEntry pwq : epi.pwqlist) {
            WaitQueueHead whead = pwq.whead;
            if (whead != null) {
                whead.removeWaitQueue(pwq);
            }
        }
        epi.pwqlist.clear();
    }
}
