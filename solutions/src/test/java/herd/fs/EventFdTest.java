package herd.fs;

import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Syscalls.errno;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLOUT;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Schedulers;
import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.sched.Task;
import herd.wait.WaitQueueEntry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * fs/eventfd.c: a 64-bit counter. A write adds and wakes with {@code EPOLLIN}, a read
 * takes the whole count and wakes with {@code EPOLLOUT}; 0 blocks or gives EAGAIN.
 */
class EventFdTest {
    private static final long ULLONG_MAX = -1L;

    @AutoClose
    private final Schedulers schedulers = new Schedulers();
    private final DeterministicScheduler sched = schedulers.deterministic(1);

    private static int eventfd(int initval, int flags) {
        long fd = EventFd.eventfd2(initval, flags);
        assertThat(fd).as("eventfd2(%d, %#x)", initval, flags).isNotNegative();
        return (int) fd;
    }

    private static EventFd.Ctx ctx(int fd) {
        return (EventFd.Ctx) file(fd).privateData;
    }

    private static long write(int fd, long value) {
        return Vfs.write(fd, EventFd.value(value), Long.BYTES);
    }

    /** Reads the count: the value read, or the negated errno. */
    private static long read(int fd) {
        byte[] buf = new byte[Long.BYTES];
        long ret = Vfs.read(fd, buf, Long.BYTES);
        if (ret < 0) {
            return ret;
        }
        assertThat(ret).as("a read returns the 8 bytes of the count").isEqualTo(Long.BYTES);
        return ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder()).getLong();
    }

    private static int poll(int fd) {
        File f = file(fd);
        return f.fOp.poll(f, null);
    }

    /** Queues an entry on the eventfd's wait queue that records each wake-up and accepts none. */
    private static List<String> record(int fd) {
        List<String> wakeups = new CopyOnWriteArrayList<>();
        ctx(fd).wqh.addWaitQueue(new WaitQueueEntry(null, (e, mode, flags, key) -> {
            wakeups.add((mode == Task.TASK_NORMAL ? "TASK_NORMAL" : Task.stateName(mode)) + " flags=" + flags + " key=" + Poll.names("EPOLL", key));
            return 0;
        }, 0));
        return wakeups;
    }

    @Test
    void eventfd2AcceptsNonblockAndCloexecOnly() {
        inProcess(sched, () -> {
            assertThat(errno(EventFd.eventfd2(0, 0x4))).as("an unknown flag").isEqualTo("EINVAL");
            assertThat(errno(EventFd.eventfd2(0, File.O_NONBLOCK | 0x40))).as("a known and an unknown flag")
                    .isEqualTo("EINVAL");
            assertThat(Process.current().files.openFds()).as("a failed eventfd2 takes no fd").containsExactly(0, 1, 2);

            int both = eventfd(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
            int cloexec = eventfd(0, EventFd.EFD_CLOEXEC);
            int none = eventfd(0, 0);

            assertThat(List.of(both, cloexec, none)).containsExactly(3, 4, 5);
            assertThat(file(both).nonBlocking()).as("EFD_NONBLOCK makes the file non-blocking").isTrue();
            assertThat(file(cloexec).nonBlocking()).isFalse();
            assertThat(file(none).nonBlocking()).isFalse();
            assertThat(file(none)).hasToString("anon_inode:[eventfd]");
        });
    }

    @Test
    void theInitialValueIsAnUnsignedInt() {
        inProcess(sched, () -> {
            assertThat(read(eventfd(5, EventFd.EFD_NONBLOCK))).isEqualTo(5);
            assertThat(read(eventfd(-1, EventFd.EFD_NONBLOCK))).as("initval is an unsigned int")
                    .isEqualTo(0xffff_ffffL);
        });
    }

    @Test
    void readOfZeroIsEagainWhenNonBlocking() {
        inProcess(sched, () -> {
            int efd = eventfd(0, EventFd.EFD_NONBLOCK);
            byte[] buf = {9, 9, 9, 9, 9, 9, 9, 9};
            assertThat(errno(Vfs.read(efd, buf, 8))).isEqualTo("EAGAIN");
            assertThat(buf).as("a failed read writes nothing").containsOnly(9);
        });
    }

    @Test
    void writesAddUpAndAReadTakesTheWholeCount() {
        inProcess(sched, () -> {
            int efd = eventfd(0, EventFd.EFD_NONBLOCK);
            assertThat(write(efd, 2)).as("a write returns 8").isEqualTo(8);
            assertThat(write(efd, 3)).isEqualTo(8);
            assertThat(write(efd, 0)).as("adding 0 is allowed").isEqualTo(8);
            assertThat(ctx(efd).count()).isEqualTo(5);

            byte[] buf = new byte[16];
            assertThat(Vfs.read(efd, buf, 16)).as("a bigger buffer still gets 8 bytes").isEqualTo(8);
            assertThat(ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder()).getLong(0))
                    .as("the count, in native byte order").isEqualTo(5);
            assertThat(buf).as("EventFd.value makes the same 8 bytes").startsWith(EventFd.value(5));
            assertThat(ctx(efd).count()).as("a read resets the count").isZero();
            assertThat(errno(read(efd))).as("so the next read finds 0").isEqualTo("EAGAIN");
        });
    }

    @Test
    void buffersShorterThan8BytesAreEinval() {
        inProcess(sched, () -> {
            int efd = eventfd(0, EventFd.EFD_NONBLOCK);
            assertThat(errno(Vfs.read(efd, new byte[8], 7)))
                    .as("a short read, checked before the count (not EAGAIN)").isEqualTo("EINVAL");
            assertThat(errno(Vfs.write(efd, EventFd.value(1), 7))).as("a short write").isEqualTo("EINVAL");
            assertThat(ctx(efd).count()).isZero();
            assertThat(write(efd, 4)).isEqualTo(8);
            assertThat(errno(Vfs.read(efd, new byte[8], 0))).as("a read of 0 bytes").isEqualTo("EINVAL");
            assertThat(ctx(efd).count()).as("a failed read keeps the count").isEqualTo(4);
        });
    }

    @Test
    void writingUllongMaxIsEinvalAndAnOverflowIsEagain() {
        inProcess(sched, () -> {
            int efd = eventfd(1, EventFd.EFD_NONBLOCK);
            assertThat(errno(write(efd, ULLONG_MAX))).as("0xffffffffffffffff may not be written").isEqualTo("EINVAL");
            assertThat(ctx(efd).count()).isEqualTo(1);
            assertThat(write(efd, ULLONG_MAX - 2)).as("up to ULLONG_MAX - 1 in all").isEqualTo(8);
            assertThat(ctx(efd).count()).isEqualTo(ULLONG_MAX - 1);
            assertThat(errno(write(efd, 1))).as("a write past ULLONG_MAX - 1 would block: EAGAIN").isEqualTo("EAGAIN");
            assertThat(write(efd, 0)).as("adding 0 still fits").isEqualTo(8);
            assertThat(read(efd)).as("the count is unsigned").isEqualTo(ULLONG_MAX - 1);
        });
    }

    @Test
    void pollIsInWhenTheCountIsNotZeroAndOutUnlessItIsAtTheMaximum() {
        inProcess(sched, () -> {
            int efd = eventfd(0, EventFd.EFD_NONBLOCK);
            assertThat(poll(efd)).as("count 0").isEqualTo(EPOLLOUT);
            write(efd, 1);
            assertThat(poll(efd)).as("count 1").isEqualTo(EPOLLIN | EPOLLOUT);
            write(efd, ULLONG_MAX - 3);
            assertThat(poll(efd)).as("count ULLONG_MAX - 2: one more may still be added").isEqualTo(EPOLLIN | EPOLLOUT);
            write(efd, 1);
            assertThat(poll(efd)).as("count ULLONG_MAX - 1: nothing more may be added").isEqualTo(EPOLLIN);
            read(efd);
            assertThat(poll(efd)).as("read back to 0").isEqualTo(EPOLLOUT);
        });
    }

    @Test
    void eventfdSignalAddsOneAndWakesTheReadersWithEpollin() {
        inProcess(sched, () -> {
            int efd = eventfd(2, EventFd.EFD_NONBLOCK);
            List<String> wakeups = record(efd);

            EventFd.eventfdSignal(ctx(efd));
            assertThat(ctx(efd).count()).as("eventfd_signal adds 1 to the count, as a write of 1 would")
                    .isEqualTo(3);
            assertThat(wakeups).as("and wakes the readers with EPOLLIN (wake_up_locked_poll)")
                    .containsExactly("TASK_NORMAL flags=0 key=EPOLLIN");
            assertThat(read(efd)).as("a read takes the signalled count").isEqualTo(3);
        });
    }

    @Test
    void eventfdSignalSaturatesAtUllongMaxWhichEventfdPollReportsAsEpollerr() {
        inProcess(sched, () -> {
            int efd = eventfd(0, EventFd.EFD_NONBLOCK);
            assertThat(write(efd, ULLONG_MAX - 1)).as("a write may fill the count up to ULLONG_MAX - 1").isEqualTo(8);
            EventFd.eventfdSignal(ctx(efd));
            assertThat(ctx(efd).count()).as("eventfd_signal goes one further, to ULLONG_MAX, which no write can reach")
                    .isEqualTo(ULLONG_MAX);
            assertThat(Poll.names("EPOLL", poll(efd)))
                    .as("eventfd_poll: count != 0 gives EPOLLIN, count == ULLONG_MAX gives EPOLLERR, and no EPOLLOUT "
                            + "(nothing can be added)")
                    .isEqualTo(Poll.names("EPOLL", EPOLLIN | Poll.EPOLLERR));
            EventFd.eventfdSignal(ctx(efd));
            assertThat(ctx(efd).count()).as("eventfd_signal saturates: the count stays at ULLONG_MAX, it does not wrap to 0")
                    .isEqualTo(ULLONG_MAX);
            assertThat(read(efd)).as("a read takes all of it").isEqualTo(ULLONG_MAX);
            assertThat(poll(efd)).as("and the error is gone with the count").isEqualTo(EPOLLOUT);
        });
    }

    @Test
    void aWriteWakesWithEpollinAReadWithEpollout() {
        inProcess(sched, () -> {
            int efd = eventfd(0, EventFd.EFD_NONBLOCK);
            List<String> wakeups = record(efd);

            write(efd, 3);
            assertThat(wakeups).as("a write").containsExactly("TASK_NORMAL flags=0 key=EPOLLIN");
            wakeups.clear();

            read(efd);
            assertThat(wakeups).as("a read").containsExactly("TASK_NORMAL flags=0 key=EPOLLOUT");
            wakeups.clear();

            assertThat(errno(read(efd))).isEqualTo("EAGAIN");
            assertThat(errno(write(efd, ULLONG_MAX))).isEqualTo("EINVAL");
            assertThat(write(efd, ULLONG_MAX - 1)).isEqualTo(8);
            assertThat(errno(write(efd, 1))).isEqualTo("EAGAIN");
            assertThat(wakeups).as("failed reads and writes wake nobody; the write that succeeded does")
                    .containsExactly("TASK_NORMAL flags=0 key=EPOLLIN");
        });
    }

    @Test
    void aBlockingReadSleepsUntilAWrite() {
        Process p = new Process(sched, "test");
        long[] got = {0};
        Task reader = p.spawn("reader", () -> {
            int efd = eventfd(0, 0);
            got[0] = read(efd);
        });
        sched.runUntilIdle();

        assertThat(reader.state()).as("the reader sleeps, interruptibly").isEqualTo(Task.TASK_INTERRUPTIBLE);
        File efd = p.files.fget(3);
        efd.fput();
        EventFd.Ctx ctx = (EventFd.Ctx) efd.privateData;
        assertThat(ctx.wqh.waitqueueActive()).as("on the eventfd's wait queue").isTrue();

        p.spawn("writer", () -> {
            assertThat(write(3, 40)).isEqualTo(8);
            assertThat(write(3, 2)).isEqualTo(8);
        });
        sched.run();

        assertThat(got[0]).as("the reader woke and read both writes").isEqualTo(42);
        assertThat(reader.wakeups()).as("the first write woke it; it ran after the second").isEqualTo(1);
        assertThat(ctx.count()).isZero();
        assertThat(ctx.wqh.waitqueueActive()).as("the reader left the wait queue").isFalse();
    }

    @Test
    void aSignalInterruptsABlockingReadWithEintr() {
        Process p = new Process(sched, "test");
        long[] got = {0};
        Task reader = p.spawn("reader", () -> {
            int efd = eventfd(0, 0);
            got[0] = read(efd);
            assertThat(ctx(efd).wqh.waitqueueActive()).as("the interrupted reader left the wait queue").isFalse();
        });
        sched.runUntilIdle();

        Sched.sendSignal(reader);
        sched.run();

        assertThat(errno(got[0])).as("no SA_RESTART in the model: EINTR").isEqualTo("EINTR");
    }
}
