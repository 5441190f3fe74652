package herd.epoll;

import static org.assertj.core.api.Assertions.assertThat;

import herd.course.Syscalls;
import herd.fs.EventFd;
import herd.fs.File;
import herd.fs.Poll;
import herd.fs.Process;
import herd.fs.ProcessTests;
import herd.fs.Vfs;
import herd.net.UnixStream;
import herd.sched.Task;
import herd.wait.WaitQueueEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * What the epoll tests share: a process on a deterministic scheduler, files to watch,
 * and epolls made without {@code epoll_create1} so that a test of a later exercise needs
 * only the exercises its own id stands for. Nothing here calls an exercise by itself.
 */
final class EpollTests {
    private EpollTests() {
    }

    /** Runs {@code body} in one task of a fresh process on a scheduler with {@code seed}, to the end. */
    static void inProcess(long seed, Runnable body) {
        ProcessTests.inProcess(seed, body);
    }

    /** Runs {@code body} in one task of a fresh process, to the end. */
    static void inProcess(Runnable body) {
        inProcess(1, body);
    }

    /**
     * An epoll descriptor of the current process, made with the given code
     * ({@code new EventPoll}, an {@code anon_inode:[eventpoll]} file, the lowest free fd)
     * instead of {@code epoll_create1} (L02-E1).
     */
    static int newEpoll() {
        EventPoll ep = new EventPoll(Process.current().user);
        File file = new File("anon_inode:[eventpoll]", EventPollFile.FOPS, ep, 0);
        ep.file = file;
        int fd = Process.current().files.installNew(file);
        assertThat(fd).as("a free descriptor for the test's epoll").isNotNegative();
        return fd;
    }

    /**
     * {@code EPOLL_CTL_ADD} without {@code epoll_ctl} (L02-E6): {@code ep_insert} (L02-E2)
     * under {@code ep->mtx}, with {@code EPOLLERR|EPOLLHUP} added as {@code epoll_ctl} adds
     * them, so that the tests of L02-E4 and L02-E5 need the exercises before them only.
     */
    static void add(int epfd, int fd, int events, long data) {
        EventPoll ep = ep(epfd);
        ep.mtx.lock();
        try {
            check(EpollCtl.epInsert(ep, new EpollEvent(events | Poll.EPOLLERR | Poll.EPOLLHUP, data), file(fd), fd));
        } finally {
            ep.mtx.unlock();
        }
    }

    /** The eventpoll behind {@code epfd}. */
    static EventPoll ep(int epfd) {
        File file = Process.current().files.fget(epfd);
        try {
            return (EventPoll) file.privateData;
        } finally {
            file.fput();
        }
    }

    /** The open file behind {@code fd}. */
    static File file(int fd) {
        return ProcessTests.file(fd);
    }

    /** A new non-blocking eventfd with count 0. */
    static int eventfd() {
        return (int) check(EventFd.eventfd2(0, EventFd.EFD_NONBLOCK));
    }

    /** Adds {@code n} to an eventfd: it becomes readable and wakes its waiters with EPOLLIN. */
    static void signal(int efd, long n) {
        assertThat(Vfs.write(efd, EventFd.value(n), Long.BYTES)).as("write to the eventfd").isEqualTo(Long.BYTES);
    }

    /** Reads an eventfd's count back to 0: it is no longer readable. */
    static long drain(int efd) {
        byte[] buf = new byte[Long.BYTES];
        long ret = Vfs.read(efd, buf, Long.BYTES);
        return ret < 0 ? ret : java.nio.ByteBuffer.wrap(buf).order(java.nio.ByteOrder.nativeOrder()).getLong();
    }

    /** A connected non-blocking AF_UNIX stream pair: {@code [a, b]}. */
    static int[] socketpair() {
        int[] sv = new int[2];
        check(UnixStream.socketpair(UnixStream.AF_UNIX, UnixStream.SOCK_STREAM | UnixStream.SOCK_NONBLOCK, 0, sv));
        return sv;
    }

    /** Writes {@code text} to a socket. */
    static void send(int fd, String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(Vfs.write(fd, bytes, bytes.length)).as("write to the socket").isEqualTo(bytes.length);
    }

    /** Fails with the errno's name if {@code ret} is an error; returns it otherwise. */
    static long check(long ret) {
        return Syscalls.check(ret);
    }

    /** The errno of a result, or "0" / the number for a success: for messages and tables. */
    static String errno(long ret) {
        return Syscalls.errno(ret);
    }

    /** {@code maxevents} empty slots for epoll_wait. */
    static EpollEvent[] slots(int maxevents) {
        EpollEvent[] events = new EpollEvent[maxevents];
        for (int i = 0; i < maxevents; i++) {
            events[i] = new EpollEvent();
        }
        return events;
    }

    /** The data fields of the first {@code n} events. */
    static List<Long> data(EpollEvent[] events, long n) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(events[i].data);
        }
        return out;
    }

    /** The fds of the items on the ready list, first to last. */
    static List<Integer> readyFds(EventPoll ep) {
        return ep.readyList().stream().map(epi -> epi.ffd.fd()).toList();
    }

    /** True once {@code t} has exited. */
    static boolean exited(Task t) {
        return t.state() == Task.TASK_DEAD;
    }

    /** One call of a hand-made entry's wake function: whose, its mode and key, and whether ep->lock was held. */
    record Call(String who, int mode, int key, boolean epLockHeld) {
        @Override
        public String toString() {
            return who + "(key " + Poll.names("EPOLL", key) + (epLockHeld ? ", under ep->lock)" : ")");
        }
    }

    /** A hand-made entry whose wake function records its calls in {@code calls} and accepts (returns 1). */
    static WaitQueueEntry recorder(String who, EventPoll ep, List<Call> calls) {
        return new WaitQueueEntry(null, (wait, mode, sync, key) -> {
            calls.add(new Call(who, mode, key, ep.lock.isLocked()));
            return 1;
        }, 0);
    }

    /** A new non-blocking eventfd whose count is {@code count}. */
    static int eventfdWithCount(int count) {
        return (int) check(EventFd.eventfd2(count, EventFd.EFD_NONBLOCK));
    }

    /** A mask written as {@code IN|OUT|ET|EXCLUSIVE}; {@code 0} for none. */
    static int mask(String names) {
        int mask = 0;
        for (String name : names.trim().split("\\|")) {
            mask |= switch (name.trim()) {
                case "0" -> 0;
                case "IN" -> Poll.EPOLLIN;
                case "OUT" -> Poll.EPOLLOUT;
                case "PRI" -> Poll.EPOLLPRI;
                case "ERR" -> Poll.EPOLLERR;
                case "HUP" -> Poll.EPOLLHUP;
                case "RDNORM" -> Poll.EPOLLRDNORM;
                case "RDBAND" -> Poll.EPOLLRDBAND;
                case "WRNORM" -> Poll.EPOLLWRNORM;
                case "WRBAND" -> Poll.EPOLLWRBAND;
                case "MSG" -> Poll.EPOLLMSG;
                case "RDHUP" -> Poll.EPOLLRDHUP;
                case "ET" -> Epoll.EPOLLET;
                case "ONESHOT" -> Epoll.EPOLLONESHOT;
                case "WAKEUP" -> Epoll.EPOLLWAKEUP;
                case "EXCLUSIVE" -> Epoll.EPOLLEXCLUSIVE;
                default -> throw new IllegalArgumentException("unknown event " + name);
            };
        }
        return mask;
    }
}
