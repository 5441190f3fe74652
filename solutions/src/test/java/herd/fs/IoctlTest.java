package herd.fs;

import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Syscalls.errno;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Schedulers;
import herd.course.kit.Syscalls;
import herd.sched.DeterministicScheduler;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import herd.trace.StraceFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * {@code ioctl(fd, FIONBIO, [on])} (fs/ioctl.c, {@code ioctl_fionbio}): sets or clears
 * {@code O_NONBLOCK} on the OPEN FILE, not on the descriptor, so every descriptor that
 * shares it (dup, fork) sees the change. nginx makes its listening socket non-blocking
 * this way.
 */
class IoctlTest {
    @AutoClose
    private final Schedulers schedulers = new Schedulers();
    private final DeterministicScheduler sched = schedulers.deterministic(1);

    private static long read(int fd) {
        return Vfs.read(fd, new byte[Long.BYTES], Long.BYTES);
    }

    @Test
    void fionbioSetsAndClearsONonblockOnTheOpenFile() {
        inProcess(sched, () -> {
            int fd = (int) Syscalls.check(EventFd.eventfd2(0, 0));
            assertThat(file(fd).nonBlocking()).as("eventfd2 without EFD_NONBLOCK: a blocking file").isFalse();

            assertThat(Vfs.ioctlFionbio(fd, 1)).as("ioctl(fd, FIONBIO, [1]) returns 0").isZero();
            assertThat(file(fd).fFlags & File.O_NONBLOCK).as("[1] sets O_NONBLOCK in f_flags")
                    .isEqualTo(File.O_NONBLOCK);
            assertThat(errno(read(fd))).as("so a read of a 0 count fails at once instead of sleeping")
                    .isEqualTo("EAGAIN");

            assertThat(Vfs.ioctlFionbio(fd, 1)).as("setting it again is no error").isZero();
            assertThat(file(fd).nonBlocking()).as("still non-blocking").isTrue();

            assertThat(Vfs.ioctlFionbio(fd, 0)).as("ioctl(fd, FIONBIO, [0]) returns 0").isZero();
            assertThat(file(fd).nonBlocking()).as("[0] clears O_NONBLOCK").isFalse();
            assertThat(Vfs.ioctlFionbio(fd, 0)).as("clearing it again is no error").isZero();
            assertThat(file(fd).nonBlocking()).as("still blocking").isFalse();
        });
    }

    @Test
    void anyNonZeroValueSetsIt() {
        inProcess(sched, () -> {
            int fd = (int) Syscalls.check(EventFd.eventfd2(0, 0));
            assertThat(Vfs.ioctlFionbio(fd, 7)).as("ioctl(fd, FIONBIO, [7])").isZero();
            assertThat(file(fd).nonBlocking()).as("the kernel tests the int for non-zero: 7 sets O_NONBLOCK").isTrue();
            assertThat(Vfs.ioctlFionbio(fd, -1)).as("ioctl(fd, FIONBIO, [-1])").isZero();
            assertThat(file(fd).nonBlocking()).as("-1 is non-zero too").isTrue();
        });
    }

    @Test
    void onlyONonblockChanges() {
        inProcess(sched, () -> {
            int fd = (int) Syscalls.check(EventFd.eventfd2(0, 0));
            int other = 0x2; // O_RDWR: a flag the ioctl must leave alone
            file(fd).fFlags = other;
            Syscalls.check(Vfs.ioctlFionbio(fd, 1));
            assertThat(file(fd).fFlags).as("setting O_NONBLOCK keeps the other flags")
                    .isEqualTo(other | File.O_NONBLOCK);
            Syscalls.check(Vfs.ioctlFionbio(fd, 0));
            assertThat(file(fd).fFlags).as("clearing O_NONBLOCK keeps the other flags").isEqualTo(other);
        });
    }

    @Test
    void dupedDescriptorsShareTheFlagBecauseTheyShareTheOpenFile() {
        inProcess(sched, () -> {
            int fd = (int) Syscalls.check(EventFd.eventfd2(0, 0));
            int copy = (int) Syscalls.check(Vfs.dup(fd));
            assertThat(file(copy)).as("dup shares the open file").isSameAs(file(fd));

            Syscalls.check(Vfs.ioctlFionbio(fd, 1));
            assertThat(file(copy).nonBlocking()).as("FIONBIO on fd %d shows on its dup %d", fd, copy).isTrue();
            assertThat(errno(read(copy))).as("a read through the dup does not block either").isEqualTo("EAGAIN");

            Syscalls.check(Vfs.ioctlFionbio(copy, 0));
            assertThat(file(fd).nonBlocking()).as("FIONBIO [0] on the dup clears it for the original").isFalse();
        });
    }

    @Test
    void aForkedChildsFionbioIsSeenByTheParent() {
        // nginx's master makes the socket, its workers inherit it: a fork shares the open files.
        List<String> seen = new CopyOnWriteArrayList<>();
        inProcess(sched, () -> {
            int gate = (int) Syscalls.check(EventFd.eventfd2(0, 0));
            int fd = (int) Syscalls.check(EventFd.eventfd2(0, 0));
            Process.current().fork("child", () -> {
                Syscalls.check(Vfs.ioctlFionbio(fd, 1));
                Syscalls.check(Vfs.write(gate, EventFd.value(1), Long.BYTES)); // the parent may go on
            });
            Syscalls.check(read(gate)); // sleeps until the child has made its ioctl
            seen.add("O_NONBLOCK " + file(fd).nonBlocking());
            seen.add("read " + errno(read(fd)));
        });
        assertThat(seen).as("the child's FIONBIO on its inherited fd changed the parent's open file: the "
                + "parent's read of a 0 count fails with EAGAIN").containsExactly("O_NONBLOCK true", "read EAGAIN");
    }

    @Test
    void fionbioPutsTheReferenceItTookOnTheFile() {
        inProcess(sched, () -> {
            int fd = (int) Syscalls.check(EventFd.eventfd2(0, 0));
            File f = file(fd);
            assertThat(f.fileCount()).as("the descriptor holds the only reference").isEqualTo(1);
            Syscalls.check(Vfs.ioctlFionbio(fd, 1));
            Syscalls.check(Vfs.ioctlFionbio(fd, 0));
            assertThat(f.fileCount()).as("ioctl takes a reference for the call (fdget) and puts it back (fdput)")
                    .isEqualTo(1);
            Syscalls.check(Vfs.close(fd));
            assertThat(f.fileCount()).as("so close puts the last reference and frees the file").isZero();
        });
    }

    @Test
    void aBadDescriptorIsEbadf() {
        inProcess(sched, () -> {
            assertThat(errno(Vfs.ioctlFionbio(99, 1))).as("fd 99 is not open").isEqualTo("EBADF");
            assertThat(errno(Vfs.ioctlFionbio(-1, 1))).as("a negative fd").isEqualTo("EBADF");
            int fd = (int) Syscalls.check(EventFd.eventfd2(0, 0));
            Syscalls.check(Vfs.close(fd));
            assertThat(errno(Vfs.ioctlFionbio(fd, 0))).as("a closed fd").isEqualTo("EBADF");
        });
    }

    @Test
    void aNonBlockingListeningSocketGivesEagainInsteadOfWaiting() {
        inProcess(sched, () -> {
            int s = (int) Syscalls.check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0));
            Syscalls.check(SocketCalls.bind(s, SockaddrIn.inet("0.0.0.0", 80), SockaddrIn.SIZE));
            Syscalls.check(SocketCalls.listen(s, 511));
            Syscalls.check(Vfs.ioctlFionbio(s, 1));
            assertThat(errno(SocketCalls.accept4(s, new SockaddrIn[1], new int[] {112}, Socket.SOCK_NONBLOCK)))
                    .as("accept4 on an O_NONBLOCK listening file with nothing queued: EAGAIN, not a sleep "
                            + "(SOCK_NONBLOCK is for the NEW socket, not the wait)")
                    .isEqualTo("EAGAIN");
        });
    }

    @Test
    void straceShowsTheIoctlAsNginxMakesIt() {
        inProcess(sched, () -> {
            Syscalls.check(RegularFile.open("/var/log/nginx/error.log"));
            Syscalls.check(RegularFile.open("/var/log/nginx/access.log"));
            Syscalls.check(RegularFile.open("/run/nginx.pid"));
            int s = (int) Syscalls.check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0));
            assertThat(s).as("the socket after three open files").isEqualTo(6);
            Vfs.ioctlFionbio(s, 1);
            Vfs.ioctlFionbio(s, 0);
            Vfs.ioctlFionbio(9, 1);
        });
        assertThat(StraceFormat.render(sched.trace().events()).lines().toList())
                .as("strace prints the int argument in brackets, as it prints an int pointer").containsSubsequence(
                        "[pid   100] socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 6",
                        "[pid   100] ioctl(6, FIONBIO, [1]) = 0",
                        "[pid   100] ioctl(6, FIONBIO, [0]) = 0",
                        "[pid   100] ioctl(9, FIONBIO, [1]) = -1 EBADF (Bad file descriptor)");
    }
}
