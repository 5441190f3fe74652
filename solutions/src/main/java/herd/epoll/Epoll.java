package herd.epoll;

import static herd.fs.Poll.EPOLLERR;
import static herd.fs.Poll.EPOLLHUP;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLOUT;

import herd.fs.File;
import herd.fs.Poll;
import herd.fs.Process;
import herd.trace.Spellings;
import herd.trace.Strace;
import herd.uapi.Errno;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The epoll syscalls and their flags (include/uapi/linux/eventpoll.h, the
 * {@code SYSCALL_DEFINE}s of fs/eventpoll.c). Event bits such as {@code EPOLLIN} are
 * in {@link Poll}. Each call acts on the current process and returns what the kernel
 * ABI returns: a result or a negated {@link Errno}; each is recorded in the trace as
 * strace prints it.
 */
public final class Epoll {
    /** {@code EPOLL_CLOEXEC}. */
    public static final int EPOLL_CLOEXEC = File.O_CLOEXEC;
    /** {@code EPOLL_CTL_ADD}. */
    public static final int EPOLL_CTL_ADD = 1;
    /** {@code EPOLL_CTL_DEL}. */
    public static final int EPOLL_CTL_DEL = 2;
    /** {@code EPOLL_CTL_MOD}. */
    public static final int EPOLL_CTL_MOD = 3;
    /** {@code EPOLLEXCLUSIVE} (4.5): wake one of the epolls that watch the file (lesson 5). */
    public static final int EPOLLEXCLUSIVE = 1 << 28;
    /** {@code EPOLLWAKEUP}: hold a wakeup source; without CAP_BLOCK_SUSPEND it is silently dropped. */
    public static final int EPOLLWAKEUP = 1 << 29;
    /** {@code EPOLLONESHOT}: report once, then the item is disabled until {@code EPOLL_CTL_MOD}. */
    public static final int EPOLLONESHOT = 1 << 30;
    /** {@code EPOLLET}: edge-triggered, report only on a new wake-up. */
    public static final int EPOLLET = 1 << 31;

    /** {@code EP_PRIVATE_BITS}: the flags of a mask, not events. */
    public static final int EP_PRIVATE_BITS = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
    /** {@code EPOLLINOUT_BITS}. */
    public static final int EPOLLINOUT_BITS = EPOLLIN | EPOLLOUT;
    /** {@code EPOLLEXCLUSIVE_OK_BITS}: the only bits allowed with {@code EPOLLEXCLUSIVE}. */
    public static final int EPOLLEXCLUSIVE_OK_BITS = EPOLLINOUT_BITS | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET
            | EPOLLEXCLUSIVE;
    /** {@code EP_MAX_EVENTS}: {@code INT_MAX / sizeof(struct epoll_event)} (12 bytes on x86-64). */
    public static final int EP_MAX_EVENTS = Integer.MAX_VALUE / 12;

    private Epoll() {
    }

    /** {@code epoll_create1(flags)}: a new epoll descriptor, or {@code -EINVAL}, {@code -EMFILE}. */
    public static long epollCreate1(int flags) {
        return Strace.syscall("epoll_create1", () -> flags == EPOLL_CLOEXEC ? "EPOLL_CLOEXEC" : Integer.toString(flags),
                () -> doEpollCreate(flags));
    }

    /** {@code epoll_create(size)}: {@code -EINVAL} for a size below 1, which is otherwise ignored. */
    public static long epollCreate(int size) {
        return Strace.syscall("epoll_create", () -> Integer.toString(size),
                () -> size <= 0 ? Errno.EINVAL.neg() : doEpollCreate(0));
    }

    /**
     * {@code do_epoll_create()}: {@code -EINVAL} for any flag but {@code EPOLL_CLOEXEC};
     * otherwise a new {@link EventPoll} behind an anonymous file
     * ({@code anon_inode:[eventpoll]}) installed at the lowest free descriptor.
     */
    static long doEpollCreate(int flags) {
        // @exercise L02-E1 do_epoll_create: EINVAL for flags other than EPOLL_CLOEXEC; new EventPoll for the
        //   current user; reserve an fd (getUnusedFd, its error as is); the file "anon_inode:[eventpoll]"
        //   with EventPollFile.FOPS; ep.file; fdInstall; return the fd
        if ((flags & ~EPOLL_CLOEXEC) != 0) {
            return Errno.EINVAL.neg();
        }
        Process current = Process.current();
        EventPoll ep = new EventPoll(current.user);
        int fd = current.files.getUnusedFd();
        if (fd < 0) {
            return fd;
        }
        File file = new File("anon_inode:[eventpoll]", EventPollFile.FOPS, ep, 0);
        ep.file = file;
        current.files.fdInstall(fd, file);
        return fd;
        // @end L02-E1
    }

    /**
     * {@code epoll_ctl(epfd, op, fd, event)}: 0, or the first failed check's errno in the
     * kernel's order (see {@link EpollCtl#doEpollCtl}). {@code event} may be null for
     * {@code EPOLL_CTL_DEL}; it is copied, as the kernel copies it from user memory.
     */
    public static long epollCtl(int epfd, int op, int fd, EpollEvent event) {
        return Strace.syscall("epoll_ctl", () -> epfd + ", " + opName(op) + ", " + fd + ", "
                + (event == null ? "NULL" : event.toString()), () -> {
                    if (op != EPOLL_CTL_DEL && event == null) {
                        return Errno.EFAULT.neg();
                    }
                    EpollEvent epds = event == null ? null : new EpollEvent(event.events, event.data);
                    return EpollCtl.doEpollCtl(epfd, op, fd, epds);
                });
    }

    /**
     * {@code epoll_wait(epfd, events, maxevents, timeout)}: the number of events written to
     * {@code events}, 0 when {@code timeout} ms passed first ({@code -1} waits forever, 0
     * never waits), {@code -EINTR}, or the front end's {@code -EINVAL}, {@code -EFAULT},
     * {@code -EBADF}.
     */
    public static long epollWait(int epfd, EpollEvent[] events, int maxevents, int timeout) {
        return Strace.syscall("epoll_wait", () -> epfd + ", ", () -> EpollWait.doEpollWait(epfd, events, maxevents, timeout),
                ret -> delivered(events, ret) + ", " + maxevents + ", " + timeout);
    }

    private static String delivered(EpollEvent[] events, long ret) {
        if (ret < 0 || events == null) {
            return events == null ? "NULL" : "0x7ffc0000";
        }
        return Arrays.stream(events, 0, (int) ret).map(EpollEvent::toString)
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static String opName(int op) {
        return switch (op) {
            case EPOLL_CTL_ADD -> "EPOLL_CTL_ADD";
            case EPOLL_CTL_DEL -> "EPOLL_CTL_DEL";
            case EPOLL_CTL_MOD -> "EPOLL_CTL_MOD";
            default -> "0x" + Integer.toHexString(op) + " /* EPOLL_CTL_??? */";
        };
    }

    private static final Spellings NAMES = new Spellings(256, Epoll::spell);

    /** An epoll mask as strace prints it: {@code EPOLLIN|EPOLLRDHUP|EPOLLET}. */
    public static String names(int mask) {
        return NAMES.of(mask);
    }

    /** {@link #names} without the memo. */
    static String spell(int mask) {
        StringBuilder out = new StringBuilder();
        int events = mask & ~EP_PRIVATE_BITS;
        if (events != 0) {
            out.append(Poll.names("EPOLL", events));
        }
        int[] flags = {EPOLLEXCLUSIVE, EPOLLWAKEUP, EPOLLONESHOT, EPOLLET};
        String[] flagNames = {"EPOLLEXCLUSIVE", "EPOLLWAKEUP", "EPOLLONESHOT", "EPOLLET"};
        for (int i = 0; i < flags.length; i++) {
            if ((mask & flags[i]) != 0) {
                out.append(out.length() == 0 ? "" : "|").append(flagNames[i]);
            }
        }
        return out.length() == 0 ? "0" : out.toString();
    }
}
