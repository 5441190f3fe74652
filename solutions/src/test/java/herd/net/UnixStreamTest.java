package herd.net;

import static herd.course.kit.Io.recv;
import static herd.course.kit.Io.sendAll;
import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Syscalls.errno;
import static herd.fs.Poll.EPOLLHUP;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLOUT;
import static herd.fs.Poll.EPOLLRDHUP;
import static herd.fs.Poll.EPOLLRDNORM;
import static herd.fs.Poll.EPOLLWRBAND;
import static herd.fs.Poll.EPOLLWRNORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import herd.course.kit.Schedulers;
import herd.fs.File;
import herd.fs.FilesStruct;
import herd.fs.Poll;
import herd.fs.PollTable;
import herd.fs.Process;
import herd.fs.Vfs;
import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.sched.Task;
import herd.trace.StraceFormat;
import herd.wait.WaitQueueEntry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * net/unix/af_unix.c stream sockets from socketpair: bytes written on one end are read
 * on the other as a stream; unix_poll; the wake-ups a write, a read and a close make.
 */
class UnixStreamTest {
    private static final int READABLE = EPOLLIN | EPOLLRDNORM;
    private static final int WRITABLE = EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;

    @AutoClose
    private final Schedulers schedulers = new Schedulers();
    private final DeterministicScheduler sched = schedulers.deterministic(1);

    /** A connected pair, non-blocking unless {@code blocking}. */
    private static int[] socketpair(boolean blocking) {
        int[] sv = {-1, -1};
        long ret = UnixStream.socketpair(UnixStream.AF_UNIX,
                UnixStream.SOCK_STREAM | (blocking ? 0 : UnixStream.SOCK_NONBLOCK), 0, sv);
        assertThat(ret).as("socketpair").isZero();
        return sv;
    }

    private static UnixStream.UnixSock sock(int fd) {
        return (UnixStream.UnixSock) file(fd).privateData;
    }

    private static int poll(int fd) {
        File f = file(fd);
        return f.fOp.poll(f, null);
    }

    private static String mode(int mode) {
        return mode == Task.TASK_NORMAL ? "TASK_NORMAL" : Task.stateName(mode);
    }

    /**
     * Queues an entry on the socket's wait queue that records each wake-up
     * (mode, WF_SYNC or not, key) under {@code name} and returns {@code ret}.
     */
    private static void record(int fd, List<String> log, String name, boolean exclusive, int ret) {
        WaitQueueEntry entry = new WaitQueueEntry(null, (e, mode, flags, key) -> {
            log.add(name + ": " + mode(mode) + (flags == Sched.WF_SYNC ? " WF_SYNC" : " flags=" + flags)
                    + " key=" + (key == 0 ? "0" : Poll.names("EPOLL", key)));
            return ret;
        }, 0);
        if (exclusive) {
            sock(fd).skWq.addWaitQueueExclusive(entry);
        } else {
            sock(fd).skWq.addWaitQueue(entry);
        }
    }

    @Test
    void socketpairGivesTwoConnectedFds() {
        inProcess(sched, () -> {
            int[] sv = socketpair(false);
            assertThat(sv).as("the two lowest free fds").containsExactly(3, 4);
            assertThat(file(3)).hasToString("socket:[unix]");
            assertThat(sock(3).peer).as("each end's peer is the other").isSameAs(sock(4));
            assertThat(sock(4).peer).isSameAs(sock(3));
            assertThat(file(3).nonBlocking()).as("SOCK_NONBLOCK").isTrue();

            sendAll(3, "hello");
            assertThat(recv(4, 16)).as("written on 3, read on 4").isEqualTo("hello");
            sendAll(4, "world");
            assertThat(recv(3, 16)).as("written on 4, read on 3").isEqualTo("world");
            assertThat(recv(4, 16)).as("a write is not read back on its own end").isEqualTo("EAGAIN");
        });
    }

    @Test
    void socketpairRefusesWhatTheModelDoesNotHaveAndABadAddressIsEfault() {
        inProcess(sched, () -> {
            for (int[] args : new int[][] {{2, UnixStream.SOCK_STREAM, 0}, {UnixStream.AF_UNIX, 2, 0},
                {UnixStream.AF_UNIX, UnixStream.SOCK_STREAM, 1}}) {
                assertThatThrownBy(() -> UnixStream.socketpair(args[0], args[1], args[2], new int[2]))
                        .as("socketpair(%d, %d, %d)", args[0], args[1], args[2])
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("AF_UNIX SOCK_STREAM sockets only");
            }
            int[] one = {-1};
            assertThat(errno(UnixStream.socketpair(UnixStream.AF_UNIX, UnixStream.SOCK_STREAM, 0, null)))
                    .as("sv is NULL: copy_to_user fails").isEqualTo("EFAULT");
            assertThat(errno(UnixStream.socketpair(UnixStream.AF_UNIX, UnixStream.SOCK_STREAM, 0, one)))
                    .as("sv has room for one fd only").isEqualTo("EFAULT");
            assertThat(one).containsExactly(-1);
            assertThat(Process.current().files.openFds()).as("a failed socketpair takes no fd").containsExactly(0, 1, 2);
        });
    }

    @Test
    void socketpairWithOneFreeFdIsEmfileAndGivesTheFirstFdBack() {
        inProcess(sched, () -> {
            for (int fd = 3; fd < FilesStruct.NR_OPEN_DEFAULT - 1; fd++) {
                assertThat(Vfs.dup(0)).isEqualTo(fd);
            }
            int[] sv = {-1, -1};
            assertThat(errno(UnixStream.socketpair(UnixStream.AF_UNIX, UnixStream.SOCK_STREAM, 0, sv)))
                    .as("room for the first end only").isEqualTo("EMFILE");
            assertThat(sv).as("sv is written only on success").containsExactly(-1, -1);
            assertThat(Process.current().files.fget(FilesStruct.NR_OPEN_DEFAULT - 1))
                    .as("the first end's fd was closed again").isNull();
            assertThat(Vfs.dup(0)).as("so it is free").isEqualTo(FilesStruct.NR_OPEN_DEFAULT - 1);
            assertThat(errno(UnixStream.socketpair(UnixStream.AF_UNIX, UnixStream.SOCK_STREAM, 0, sv)))
                    .as("no room for either end").isEqualTo("EMFILE");
        });
    }

    @Test
    void socketpairTakesTheLowestFreeFdsDescriptorZeroIncluded() {
        inProcess(sched, () -> {
            assertThat(Vfs.close(0)).isZero();
            int[] sv = socketpair(false);
            assertThat(sv).as("fd 0 is free again: the first end gets it").containsExactly(0, 3);
        });
    }

    @Test
    void closingOneEndPurgesItsOwnReceiveQueueAndShutsItDown() {
        inProcess(sched, () -> {
            int[] sv = socketpair(false);
            UnixStream.UnixSock closing = sock(sv[0]);
            sendAll(sv[1], "unread");
            assertThat(closing.queued()).isEqualTo(6);
            assertThat(Vfs.close(sv[0])).isZero();
            assertThat(closing.queued()).as("unix_release_sock: the closing end's unread data is dropped").isZero();
            assertThat(closing.skShutdown).as("and it is shut down both ways").isEqualTo(Sock.SHUTDOWN_MASK);
        });
    }

    @Test
    void socketpairAsStracePrintsIt() {
        new Process(sched, "test").spawn("test", () -> {
            socketpair(false);
            socketpair(true);
            UnixStream.socketpair(UnixStream.AF_UNIX, UnixStream.SOCK_STREAM, 0, null);
        });
        sched.run();
        assertThat(StraceFormat.render(sched.trace().events())).isEqualTo("""
                [pid   100] socketpair(AF_UNIX, SOCK_STREAM|SOCK_NONBLOCK, 0, [3, 4]) = 0
                [pid   100] socketpair(AF_UNIX, SOCK_STREAM, 0, [5, 6]) = 0
                [pid   100] socketpair(AF_UNIX, SOCK_STREAM, 0, 0x7ffc0000) = -1 EFAULT (Bad address)
                """);
    }

    @Test
    void aSocketIsNamedByItsWaitQueueInReports() {
        assertThat(new Sock("tcp.sk_wq")).hasToString("tcp.sk_wq");
    }

    @Test
    void aBlockingPairIsNotNonBlocking() {
        inProcess(sched, () -> {
            int[] sv = socketpair(true);
            assertThat(file(sv[0]).nonBlocking()).isFalse();
            assertThat(file(sv[1]).nonBlocking()).isFalse();
        });
    }

    @Test
    void readsCutAndJoinWritesAsAStream() {
        inProcess(sched, () -> {
            int[] sv = socketpair(false);
            sendAll(sv[0], "abc");
            sendAll(sv[0], "defg");
            assertThat(sock(sv[1]).queued()).isEqualTo(7);

            assertThat(recv(sv[1], 2)).as("part of the first write").isEqualTo("ab");
            assertThat(sock(sv[1]).queued()).isEqualTo(5);
            assertThat(recv(sv[1], 4)).as("the rest of the first and the start of the second").isEqualTo("cdef");
            sendAll(sv[0], "hi");
            assertThat(recv(sv[1], 100)).as("everything left, up to the buffer's size").isEqualTo("ghi");
            assertThat(sock(sv[1]).queued()).isZero();
            assertThat(recv(sv[1], 100)).as("nothing left, non-blocking").isEqualTo("EAGAIN");
        });
    }

    @Test
    void aBlockingReadSleepsUntilThePeerWrites() {
        Process p = new Process(sched, "test");
        String[] got = {null};
        Task reader = p.spawn("reader", () -> {
            socketpair(true);
            got[0] = recv(3, 16);
        });
        sched.runUntilIdle();

        assertThat(reader.state()).as("nothing to read: the reader sleeps").isEqualTo(Task.TASK_INTERRUPTIBLE);
        assertThat(got[0]).isNull();

        p.spawn("writer", () -> sendAll(4, "ping"));
        sched.run();

        assertThat(got[0]).isEqualTo("ping");
        assertThat(reader.wakeups()).as("one write, one wake-up").isEqualTo(1);
    }

    @Test
    void aSignalInterruptsABlockingReadWithEintr() {
        Process p = new Process(sched, "test");
        String[] got = {null};
        Task reader = p.spawn("reader", () -> {
            socketpair(true);
            got[0] = recv(3, 16);
            assertThat(sock(3).skWq.waitqueueActive()).as("the reader left the wait queue").isFalse();
        });
        sched.runUntilIdle();

        Sched.sendSignal(reader);
        sched.run();

        assertThat(got[0]).isEqualTo("EINTR");
    }

    @Test
    void pollIsReadableWithDataAndAlwaysWritable() {
        inProcess(sched, () -> {
            int[] sv = socketpair(false);
            assertThat(Poll.names("EPOLL", poll(sv[1]))).as("nothing queued")
                    .isEqualTo(Poll.names("EPOLL", WRITABLE));
            sendAll(sv[0], "x");
            assertThat(Poll.names("EPOLL", poll(sv[1]))).as("data queued")
                    .isEqualTo(Poll.names("EPOLL", READABLE | WRITABLE));
            assertThat(Poll.names("EPOLL", poll(sv[0]))).as("the writer's end has nothing to read")
                    .isEqualTo(Poll.names("EPOLL", WRITABLE));
            recv(sv[1], 1);
            assertThat(Poll.names("EPOLL", poll(sv[1]))).as("read it all")
                    .isEqualTo(Poll.names("EPOLL", WRITABLE));
        });
    }

    @Test
    void pollOfAStreamSocketReportsWritableEvenIfTheCallerAskedOnlyForIn() {
        inProcess(sched, () -> {
            int[] sv = socketpair(false);
            sendAll(sv[0], "x");
            PollTable onlyIn = new PollTable(null);
            onlyIn.key = EPOLLIN;
            File f = file(sv[1]);
            // unix_poll (stream) has no poll_requested_events() shortcut; only unix_dgram_poll has one.
            // The caller (do_pollfd, ep_item_poll) masks the result with what it asked for.
            assertThat(Poll.names("EPOLL", f.fOp.poll(f, onlyIn)))
                    .isEqualTo(Poll.names("EPOLL", READABLE | WRITABLE));
        });
    }

    @Test
    void afterThePeerClosesPollHangsUpReadGivesWhatIsLeftThenEofAndWriteEpipe() {
        inProcess(sched, () -> {
            int[] sv = socketpair(false);
            sendAll(sv[1], "bye");
            assertThat(Vfs.close(sv[1])).isZero();

            assertThat(Poll.names("EPOLL", poll(sv[0])))
                    .as("shut down both ways: HUP, RDHUP, readable (EOF) and still writable")
                    .isEqualTo(Poll.names("EPOLL", EPOLLHUP | EPOLLRDHUP | READABLE | WRITABLE));
            assertThat(recv(sv[0], 2)).as("data sent before the close is still read").isEqualTo("by");
            assertThat(recv(sv[0], 16)).isEqualTo("e");
            assertThat(recv(sv[0], 16)).as("then end of file, not EAGAIN").isEqualTo("EOF");
            assertThat(recv(sv[0], 16)).as("and again").isEqualTo("EOF");
            assertThat(errno(Vfs.write(sv[0], new byte[1], 1))).as("no one to write to").isEqualTo("EPIPE");
        });
    }

    @Test
    void aBlockingReaderWakesWithEofWhenThePeerCloses() {
        Process p = new Process(sched, "test");
        String[] got = {null};
        p.spawn("reader", () -> {
            socketpair(true);
            got[0] = recv(3, 16);
        });
        sched.runUntilIdle();

        p.spawn("closer", () -> assertThat(Vfs.close(4)).isZero());
        sched.run();

        assertThat(got[0]).isEqualTo("EOF");
    }

    @Test
    void aWriteWakesThePeerWithSockDefReadable() {
        inProcess(sched, () -> {
            int[] sv = socketpair(false);
            List<String> log = new CopyOnWriteArrayList<>();
            record(sv[1], log, "peer-1", true, 1);
            record(sv[1], log, "peer-2", true, 1);
            record(sv[0], log, "writer", false, 0);

            sendAll(sv[0], "x");

            assertThat(log).as("interruptible, sync, the readable key, one exclusive waiter only")
                    .containsExactly("peer-1: TASK_INTERRUPTIBLE WF_SYNC key=EPOLLIN|EPOLLPRI|EPOLLRDNORM|EPOLLRDBAND");
        });
    }

    @Test
    void aReadThatUsesUpAWriteWakesTheWriterWithUnixWriteSpace() {
        inProcess(sched, () -> {
            int[] sv = socketpair(false);
            List<String> log = new CopyOnWriteArrayList<>();
            sendAll(sv[0], "abcd");
            record(sv[0], log, "writer", false, 0);
            record(sv[1], log, "reader", false, 0);

            recv(sv[1], 3);
            assertThat(log).as("part of the buffer is left: no room freed yet").isEmpty();

            recv(sv[1], 3);
            assertThat(log).as("the buffer is used up: the writer may write again")
                    .containsExactly("writer: TASK_INTERRUPTIBLE WF_SYNC key=EPOLLOUT|EPOLLWRNORM|EPOLLWRBAND");
        });
    }

    @Test
    void eachWriteUsedUpWakesTheWriterOnce() {
        inProcess(sched, () -> {
            int[] sv = socketpair(false);
            List<String> log = new CopyOnWriteArrayList<>();
            sendAll(sv[0], "ab");
            sendAll(sv[0], "cd");
            sendAll(sv[0], "ef");
            record(sv[0], log, "writer", false, 0);

            assertThat(recv(sv[1], 5)).isEqualTo("abcde");

            // Each skb consumed is freed (consume_skb -> sock_wfree -> sk_write_space): two used up, two wake-ups.
            assertThat(log).as("two writes used up, one half read").containsExactly(
                    "writer: TASK_INTERRUPTIBLE WF_SYNC key=EPOLLOUT|EPOLLWRNORM|EPOLLWRBAND",
                    "writer: TASK_INTERRUPTIBLE WF_SYNC key=EPOLLOUT|EPOLLWRNORM|EPOLLWRBAND");
        });
    }

    @Test
    void closingWakesEveryWaiterOfThePeerWithNoKey() {
        inProcess(sched, () -> {
            int[] sv = socketpair(false);
            List<String> log = new CopyOnWriteArrayList<>();
            record(sv[1], log, "peer-1", true, 1);
            record(sv[1], log, "peer-2", true, 1);
            record(sv[1], log, "peer-3", false, 1);
            record(sv[0], log, "closer", false, 0);

            assertThat(Vfs.close(sv[0])).isZero();

            assertThat(log).as("sock_def_wakeup: wake_up_interruptible_all, no key, even exclusive waiters all")
                    .containsExactly(
                            "peer-3: TASK_INTERRUPTIBLE flags=0 key=0",
                            "peer-1: TASK_INTERRUPTIBLE flags=0 key=0",
                            "peer-2: TASK_INTERRUPTIBLE flags=0 key=0");
        });
    }

    @Test
    void aWriteToASocketWithNoWaiterWakesNobody() {
        inProcess(sched, () -> {
            int[] sv = socketpair(false);
            assertThat(sock(sv[1]).skwqHasSleeper()).isFalse();
            sendAll(sv[0], "x");
            assertThat(sched.trace().events()).as("sock_def_readable checks skwq_has_sleeper first")
                    .noneMatch(e -> e.name().equals("__wake_up"));
        });
    }
}
