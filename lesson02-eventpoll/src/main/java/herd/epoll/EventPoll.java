package herd.epoll;

import static herd.fs.Poll.EPOLLIN;

import herd.fs.File;
import herd.fs.PollTable;
import herd.fs.UserStruct;
import herd.list.ListHead;
import herd.locking.Mutex;
import herd.locking.SpinLock;
import herd.trace.Ftrace;
import herd.wait.WaitQueueHead;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code struct eventpoll} (fs/eventpoll.c): one epoll instance, and the helpers that
 * work on it: the tree of items, the ready list and the scan that hands it to a reader.
 *
 * <p>Two locks, as in the kernel: {@link #mtx} (sleeping) serialises {@code epoll_ctl}
 * and the scans; {@link #lock} (spinning) guards the ready list and the overflow chain,
 * and is all a wake-up callback takes. Two wait queues: {@link #wq} for threads in
 * {@code epoll_wait}, {@link #pollWait} for whoever polls the epoll file itself.
 * The kernel's {@code lock} was a rwlock from 5.1 until 2025; the model has the newer
 * spinlock, which orders the same events.
 */
public final class EventPoll {
    /** {@code EP_UNACTIVE_PTR}: {@code ovflist} when no scan runs; {@code epi->next} when not chained. */
    static final EpItem EP_UNACTIVE_PTR = new EpItem();
    /** {@code EP_MAX_NESTS}: at most this many epoll-to-epoll links on any chain. */
    public static final int EP_MAX_NESTS = 4;

    /** {@code mtx}. */
    public final Mutex mtx = new Mutex();
    /** {@code lock}: guards {@link #rdllist} and {@link #ovflist}. */
    public final SpinLock lock = new SpinLock();
    /** {@code wq}: the threads sleeping in {@code epoll_wait}, all exclusive, newest first. */
    public final WaitQueueHead wq = new WaitQueueHead("ep->wq");
    /** {@code poll_wait}: pollers of the epoll file (poll(2), an outer epoll). */
    public final WaitQueueHead pollWait = new WaitQueueHead("ep->poll_wait");
    /** {@code rdllist}: the items with events to report, first in first out. */
    public final ListHead<EpItem> rdllist = new ListHead<>();
    /** {@code ovflist}: items that fired while a scan had the ready list, newest first. */
    volatile EpItem ovflist = EP_UNACTIVE_PTR;
    /** {@code rbr}: every item, ordered by {@code ep_cmp_ffd}. */
    final TreeMap<EpollFileFd, EpItem> rbr = new TreeMap<>(EventPoll::epCmpFfd);
    /** {@code user}: whose watches the items count against. */
    public final UserStruct user;
    /** {@code file}: the epoll file, set when it is made. */
    File file;
    /**
     * Instrumentation, not in the kernel: calls of {@code ep_poll_callback} for this epoll's
     * items, what {@code bpftrace} counts with a kprobe on the function keyed by the epoll.
     */
    public final LongAdder callbacks = new LongAdder();

    /** {@code ep_alloc()}: an empty instance; no scan runs, so {@code ovflist} is {@code EP_UNACTIVE_PTR}. */
    public EventPoll(UserStruct user) {
        this.user = user;
    }

    // ---- L02-E1: the tree of items ---------------------------------------------------------

    /** {@code ep_cmp_ffd()}: orders items by file, then by fd. */
    static int epCmpFfd(EpollFileFd p1, EpollFileFd p2) {
        // >>> L02-E1
        throw herd.course.Todo.exercise("L02-E1", "ep_cmp_ffd: compare the files (File.address) first, then the fds");
        // <<< L02-E1
    }

    /** {@code ep_find()}: the item for ({@code file}, {@code fd}), or null. The caller holds {@link #mtx}. */
    EpItem epFind(File file, int fd) {
        // >>> L02-E1
        throw herd.course.Todo.exercise("L02-E1", "ep_find: look (file, fd) up in the tree rbr");
        // <<< L02-E1
    }

    /** {@code ep_rbtree_insert()}: adds {@code epi} to the tree under its (file, fd). The caller holds {@link #mtx}. */
    void epRbtreeInsert(EpItem epi) {
        // >>> L02-E1
        throw herd.course.Todo.exercise("L02-E1", "ep_rbtree_insert: put the item in the tree rbr under its ffd");
        // <<< L02-E1
    }

    // ---- L02-E2: asking the watched file ---------------------------------------------------

    /**
     * {@code ep_item_poll()}: the watched file's events that the item is interested in.
     * The poll table's key is the item's mask; an epoll file is polled through
     * {@code __ep_eventpoll_poll} one level deeper.
     */
    static int epItemPoll(EpItem epi, PollTable pt, int depth) {
        try (var fn = Ftrace.enter("ep_item_poll")) {
            // >>> L02-E2
            // ep_item_poll: set pt.key to the item's events, poll the file (vfs_poll, or
            // EventPollFile.epEventpollPoll for an epoll at depth), mask by the item's events
            throw herd.course.Todo.exercise("L02-E2", "ep_item_poll: set pt.key to the item's events, poll the file (vfs_poll, or EventPollFile.epEventpollPoll for an epoll at depth), mask by the item's events");
            // <<< L02-E2
        }
    }

    // ---- L02-E4: the scan ----------------------------------------------------------------------

    /**
     * {@code ep_start_scan()}: under {@link #lock}, moves the whole ready list to
     * {@code txlist} and starts the overflow chain, so that callbacks during the scan
     * go there. The caller holds {@link #mtx}.
     */
    void epStartScan(ListHead<EpItem> txlist) {
        // >>> L02-E4
        // ep_start_scan: under ep->lock, splice rdllist into txlist and set ovflist to null (a scan
        // runs)
        throw herd.course.Todo.exercise("L02-E4", "ep_start_scan: under ep->lock, splice rdllist into txlist and set ovflist to null (a scan runs)");
        // <<< L02-E4
    }

    /**
     * {@code ep_done_scan()}: under {@link #lock}, puts back the items that fired during
     * the scan (at the head, which restores their arrival order), ends the chain, puts the
     * unprocessed rest of {@code txlist} in front, and wakes one {@code epoll_wait}
     * sleeper if anything is ready.
     */
    void epDoneScan(ListHead<EpItem> txlist) {
        try (var fn = Ftrace.enter("ep_done_scan")) {
            // >>> L02-E4
            // ep_done_scan: under ep->lock, move the ovflist chain to the head of rdllist (skip
            // linked items, reset next), end the scan, splice txlist in front, wake ep->wq if
            // rdllist is not empty
            throw herd.course.Todo.exercise("L02-E4", "ep_done_scan: under ep->lock, move the ovflist chain to the head of rdllist (skip linked items, reset next), end the scan, splice txlist in front, wake ep->wq if rdllist is not empty");
            // <<< L02-E4
        }
    }

    // ---- L02-E5: is there anything to harvest? ------------------------------------------------

    /** {@code ep_events_available()}: the ready list has items, or a scan is running (its items may come back). */
    boolean epEventsAvailable() {
        // >>> L02-E5
        throw herd.course.Todo.exercise("L02-E5", "ep_events_available: rdllist is not empty, or ovflist is not EP_UNACTIVE_PTR");
        // <<< L02-E5
    }

    // ---- given ---------------------------------------------------------------------------------

    /** {@code ep_is_linked()}: the item is on the ready list (or a scan's batch). */
    static boolean epIsLinked(EpItem epi) {
        return !epi.rdllink.isEmpty();
    }

    /** {@code is_file_epoll()}. */
    public static boolean isFileEpoll(File f) {
        return f.fOp == EventPollFile.FOPS;
    }

    /**
     * The end of {@code ep_insert} and {@code ep_modify} for a file that is ready now:
     * under {@link #lock}, an item not on the ready list goes to its tail and wakes one
     * {@code epoll_wait} sleeper; after unlocking, the epoll file's pollers are woken.
     */
    void epAddReady(EpItem epi) {
        boolean pwake = false;
        lock.lock();
        try {
            if (!epIsLinked(epi)) {
                rdllist.addTail(epi.rdllink);
                if (wq.waitqueueActive()) {
                    wq.wakeUp();
                }
                pwake = pollWait.waitqueueActive();
            }
        } finally {
            lock.unlock();
        }
        if (pwake) {
            epPollSafewake();
        }
    }

    /** {@code ep_poll_safewake()}: wakes the pollers of this epoll file with {@code EPOLLIN}. */
    void epPollSafewake() {
        try (var fn = Ftrace.enter("ep_poll_safewake")) {
            pollWait.wakeUpPoll(EPOLLIN);
        }
    }

    /** True while a scan runs ({@code ovflist != EP_UNACTIVE_PTR}). */
    public boolean scanning() {
        return ovflist != EP_UNACTIVE_PTR;
    }

    /** The items on the ready list, first to last, for tests and reports. */
    public List<EpItem> readyList() {
        lock.lock();
        try {
            List<EpItem> items = new ArrayList<>();
            rdllist.entries().forEach(items::add);
            return items;
        } finally {
            lock.unlock();
        }
    }

    /** The items on the overflow chain, newest first, for tests and reports. */
    public List<EpItem> overflowChain() {
        lock.lock();
        try {
            List<EpItem> items = new ArrayList<>();
            for (EpItem epi = ovflist; epi != null && epi != EP_UNACTIVE_PTR; epi = epi.next) {
                items.add(epi);
            }
            return items;
        } finally {
            lock.unlock();
        }
    }

    /** Every item, in tree order. */
    public List<EpItem> items() {
        return List.copyOf(rbr.values());
    }

    /** The epoll file. */
    public File file() {
        return file;
    }

    @Override
    public String toString() {
        return "eventpoll(" + (file == null ? "no file" : file) + ")";
    }
}
