package herd.fs;

import static herd.fs.Poll.EPOLLERR;
import static herd.fs.Poll.EPOLLHUP;
import static herd.fs.Poll.POLLNVAL;
import static herd.sched.Sched.MAX_SCHEDULE_TIMEOUT;
import static herd.sched.Sched.scheduleHrtimeout;
import static herd.sched.Sched.setCurrentState;
import static herd.sched.Sched.signalPending;
import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static herd.sched.Task.TASK_RUNNING;

import herd.sched.Sched;
import herd.sched.Task;
import herd.trace.Ftrace;
import herd.trace.Strace;
import herd.uapi.Errno;
import herd.wait.WaitQueueEntry;
import herd.wait.WaitQueueHead;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * fs/select.c, {@code poll(2)}: ask every file's {@code poll} for its events and, on the
 * first pass, queue a {@code pollwake} entry on each wait queue it offers; sleep until
 * one of them fires, a signal comes or the timeout passes; ask again.
 */
public final class Select {
    private Select() {
    }

    /** {@code struct poll_wqueues}: the poll table of one poll(2) call and the entries it queued. */
    static final class PollWqueues extends PollTable {
        final Task pollingTask = Sched.current();
        final List<PollTableEntry> entries = new ArrayList<>();
        volatile boolean triggered;

        PollWqueues() {
            super(Select::pollWait);
        }
    }

    /**
     * {@code struct poll_table_entry}: one queued entry, with the events its fd asked for
     * and a reference to the file ({@code filp}), which keeps the file and its wait queue
     * alive until {@code poll_freewait} even if the fd is closed meanwhile.
     */
    static final class PollTableEntry extends WaitQueueEntry {
        final PollWqueues pwq;
        final File filp;
        final WaitQueueHead waitAddress;
        final int key;

        PollTableEntry(PollWqueues pwq, File filp, WaitQueueHead waitAddress, int key) {
            super(null, Select::pollwake, 0);
            this.pwq = pwq;
            this.filp = filp;
            this.waitAddress = waitAddress;
            this.key = key;
        }
    }

    /** {@code poll(fds, nfds, timeout)}: how many fds have events, 0 on timeout, {@code -EINTR}, {@code -EINVAL}. */
    public static long poll(PollFd[] fds, int timeoutMsecs) {
        return Strace.syscall("poll", () -> (fds == null ? "NULL" : Arrays.stream(fds).map(f -> "{fd=" + f.fd
                + ", events=" + Poll.names("POLL", f.events) + "}").collect(Collectors.joining(", ", "[", "]")))
                + ", " + (fds == null ? 0 : fds.length) + ", " + timeoutMsecs, () -> doSysPoll(fds, timeoutMsecs));
    }

    private static long doSysPoll(PollFd[] fds, int timeoutMsecs) {
        if (fds == null) {
            return Errno.EFAULT.neg();
        }
        if (fds.length > FilesStruct.NR_OPEN_DEFAULT) {
            return Errno.EINVAL.neg();
        }
        long endTime = timeoutMsecs < 0 ? MAX_SCHEDULE_TIMEOUT
                : Sched.current().scheduler().clock() + timeoutMsecs * 1_000_000L;
        PollWqueues table = new PollWqueues();
        try {
            return doPoll(fds, table, timeoutMsecs == 0, endTime);
        } finally {
            pollFreewait(table);
        }
    }

    /** {@code do_poll()}. */
    private static long doPoll(PollFd[] fds, PollWqueues wait, boolean noWait, long endTime) {
        boolean timedOut = false;
        if (noWait) {
            wait.qproc = null;
            timedOut = true;
        }
        for (;;) {
            long count = 0;
            for (PollFd pfd : fds) {
                if (doPollfd(pfd, wait) != 0) {
                    count++;
                    wait.qproc = null;
                }
            }
            wait.qproc = null;
            // The kernel's -ERESTARTNOHAND reaches user space as EINTR: the model's signals have handlers.
            if (count == 0 && signalPending(Sched.current())) {
                count = Errno.EINTR.neg();
            }
            if (count != 0 || timedOut) {
                return count;
            }
            if (pollScheduleTimeout(wait, endTime) == 0) {
                timedOut = true;
            }
        }
    }

    /** {@code do_pollfd()}: the fd's events, masked by what it asked for plus errors and hang-ups. */
    private static int doPollfd(PollFd pollfd, PollWqueues pwait) {
        int mask = 0;
        if (pollfd.fd >= 0) {
            File f = Process.current().files.fget(pollfd.fd);
            if (f == null) {
                mask = POLLNVAL;
            } else {
                try {
                    int filter = pollfd.events | EPOLLERR | EPOLLHUP;
                    pwait.key = filter;
                    mask = PollTable.vfsPoll(f, pwait) & filter;
                } finally {
                    f.fput();
                }
            }
        }
        pollfd.revents = mask;
        return mask;
    }

    /** {@code __pollwait()}: the queue procedure, a {@code pollwake} entry on {@code whead}, holding the file. */
    private static void pollWait(File filp, WaitQueueHead whead, PollTable p) {
        PollWqueues pwq = (PollWqueues) p;
        PollTableEntry entry = new PollTableEntry(pwq, filp.getFile(), whead, p.key);
        pwq.entries.add(entry);
        whead.addWaitQueue(entry);
    }

    /** {@code pollwake()}: ignores a wake-up whose key has none of the fd's events, else wakes the poller. */
    private static int pollwake(WaitQueueEntry wait, int mode, int sync, int key) {
        try (var fn = Ftrace.enter("pollwake")) {
            PollTableEntry entry = (PollTableEntry) wait;
            if (key != 0 && (key & entry.key) == 0) {
                return 0;
            }
            entry.pwq.triggered = true;
            return Sched.tryToWakeUp(entry.pwq.pollingTask, mode, sync);
        }
    }

    /** {@code poll_schedule_timeout()}: sleeps unless a wake-up came since the last pass; 0 when the time ran out. */
    private static long pollScheduleTimeout(PollWqueues pwq, long expires) {
        setCurrentState(TASK_INTERRUPTIBLE);
        long rc = Errno.EINTR.neg();
        if (!pwq.triggered) {
            rc = scheduleHrtimeout(expires);
        }
        setCurrentState(TASK_RUNNING);
        pwq.triggered = false;
        return rc;
    }

    /** {@code poll_freewait()}: takes every queued entry off its wait queue and puts its file ({@code free_poll_entry}). */
    private static void pollFreewait(PollWqueues pwq) {
        for (PollTableEntry entry : pwq.entries) {
            entry.waitAddress.removeWaitQueue(entry);
            entry.filp.fput();
        }
    }
}
