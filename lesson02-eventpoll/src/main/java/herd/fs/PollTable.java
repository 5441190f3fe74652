package herd.fs;

import static herd.fs.Poll.DEFAULT_POLLMASK;

import herd.wait.WaitQueueHead;

/**
 * {@code poll_table} and the helpers of include/linux/poll.h. A file's {@code poll}
 * calls {@link #pollWait} for each wait queue that announces its readiness; the
 * table's queue procedure decides what that means: {@code poll()} queues a
 * {@code pollwake} entry, epoll an {@code ep_poll_callback} entry, and a table
 * without a procedure (a re-poll) queues nothing.
 *
 * <p>Not final: {@code poll_wqueues} and epoll's {@code ep_pqueue} embed a poll table
 * and find themselves from it again, as {@code container_of} does in the kernel.
 */
public class PollTable {
    /** {@code poll_queue_proc}. */
    @FunctionalInterface
    public interface QueueProc {
        /** Called by {@link #pollWait} for {@code whead}, a wait queue of {@code file}. */
        void queue(File file, WaitQueueHead whead, PollTable pt);
    }

    /** {@code _qproc}: null once nothing more should be queued. */
    public QueueProc qproc;
    /** {@code _key}: the events the caller is interested in ({@code ~0} for all). */
    public int key;

    /** {@code init_poll_funcptr()}: a table with {@code qproc} (null for none), interested in every event. */
    public PollTable(QueueProc qproc) {
        this.qproc = qproc;
        this.key = ~0;
    }

    /** {@code poll_wait()}: hands {@code whead} to the table's queue procedure, if there is one. */
    public static void pollWait(File filp, WaitQueueHead whead, PollTable p) {
        if (p != null && p.qproc != null && whead != null) {
            p.qproc.queue(filp, whead, p);
        }
    }

    /** {@code poll_requested_events()}: the events the poller asked for, all of them without a table. */
    public static int pollRequestedEvents(PollTable p) {
        return p != null ? p.key : ~0;
    }

    /** {@code vfs_poll()}: the file's poll, or {@code DEFAULT_POLLMASK} for a file that has none. */
    public static int vfsPoll(File file, PollTable pt) {
        if (!file.fOp.canPoll()) {
            return DEFAULT_POLLMASK;
        }
        return file.fOp.poll(file, pt);
    }
}
