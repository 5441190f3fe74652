package herd.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import herd.course.kit.Schedulers;
import herd.net.UnixStream;
import herd.sched.DeterministicScheduler;
import herd.trace.StraceFormat;
import herd.uapi.Errno;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** The file syscalls as {@code strace -f} prints them: arguments, buffers, results and errors. */
class VfsTest {
    @AutoClose
    private final Schedulers schedulers = new Schedulers();
    private final DeterministicScheduler sched = schedulers.deterministic(1);

    /** Runs {@code body} in one task (pid 100) of a fresh process; returns the strace of the run. */
    private String strace(Runnable body) {
        new Process(sched, "test").spawn("test", body);
        sched.run();
        return StraceFormat.render(sched.trace().events());
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    @Test
    void anEventfdsLifeAsStracePrintsIt() {
        // JUnit's assumption, not AssertJ's: AssertJ's proxies make JDK 24+ warn about sun.misc.Unsafe.
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the expected bytes are little-endian");

        String out = strace(() -> {
            EventFd.eventfd2(0, EventFd.EFD_NONBLOCK);
            Vfs.write(3, EventFd.value(1), 8);
            Vfs.read(3, new byte[8], 8);
            Vfs.read(3, new byte[8], 8);
            Vfs.close(3);
            Vfs.close(3);
        });

        assertThat(out).isEqualTo("""
                [pid   100] eventfd2(0, EFD_NONBLOCK) = 3
                [pid   100] write(3, "\\1\\0\\0\\0\\0\\0\\0\\0", 8) = 8
                [pid   100] read(3, "\\1\\0\\0\\0\\0\\0\\0\\0", 8) = 8
                [pid   100] read(3, 0x7ffc0000, 8) = -1 EAGAIN (Resource temporarily unavailable)
                [pid   100] close(3) = 0
                [pid   100] close(3) = -1 EBADF (Bad file descriptor)
                """);
    }

    @Test
    void aNullBufferIsPrintedAsNullAndTheCallFailsWithEfault() {
        long[] ret = {0};
        String out = strace(() -> ret[0] = Vfs.write(1, null, 4));
        assertThat(out).as("strace prints a NULL pointer as NULL").isEqualTo("""
                [pid   100] write(1, NULL, 4) = -1 EFAULT (Bad address)
                """);
        assertThat(ret[0]).isEqualTo(Errno.EFAULT.neg());
    }

    @Test
    void openatAsStracePrintsItForAConfigAndALog() {
        long[] fds = new long[2];
        String out = strace(() -> {
            fds[0] = RegularFile.open("/etc/nginx/nginx.conf");
            fds[1] = RegularFile.openLog("/var/log/nginx/access.log");
        });
        assertThat(out).as("each open takes the lowest free fd").isEqualTo("""
                [pid   100] openat(AT_FDCWD, "/etc/nginx/nginx.conf", O_RDONLY) = 3
                [pid   100] openat(AT_FDCWD, "/var/log/nginx/access.log", O_WRONLY|O_CREAT|O_APPEND, 0644) = 4
                """);
        assertThat(fds).as("the caller gets the descriptor strace printed").containsExactly(3, 4);
    }

    @Test
    void aFileWithoutReadOrWriteIsEinval() {
        long[] ret = new long[2];
        strace(() -> {
            FileOperations pollOnly = (file, wait) -> 0;
            int fd = Process.current().files.installNew(new File("test:[poll only]", pollOnly, null, 0));
            ret[0] = Vfs.read(fd, new byte[8], 8);
            ret[1] = Vfs.write(fd, new byte[8], 8);
        });
        assertThat(ret).as("vfs_read and vfs_write: a file without ->read or ->write gives EINVAL")
                .containsExactly(Errno.EINVAL.neg(), Errno.EINVAL.neg());
    }

    @Test
    void dupAsStracePrintsIt() {
        String out = strace(() -> {
            EventFd.eventfd2(0, 0);
            Vfs.dup(3);
            Vfs.dup(9);
        });

        assertThat(out).as("dup(oldfd) = the new fd, or -1 EBADF").isEqualTo("""
                [pid   100] eventfd2(0, 0) = 3
                [pid   100] dup(3) = 4
                [pid   100] dup(9) = -1 EBADF (Bad file descriptor)
                """);
    }

    @Test
    void eventfd2FlagsAndInitialValueAsStracePrintsThem() {
        String out = strace(() -> {
            EventFd.eventfd2(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
            EventFd.eventfd2(-1, EventFd.EFD_CLOEXEC);
            EventFd.eventfd2(7, 0);
        });

        assertThat(out).as("printflags(efd_flags) in xlat order; initval is unsigned").isEqualTo("""
                [pid   100] eventfd2(0, EFD_CLOEXEC|EFD_NONBLOCK) = 3
                [pid   100] eventfd2(4294967295, EFD_CLOEXEC) = 4
                [pid   100] eventfd2(7, 0) = 5
                """);
    }

    @Test
    void eventfd2FlagsWithoutANameAreHexAsStracePrintsThem() {
        String out = strace(() -> {
            EventFd.eventfd2(0, 0x4);
            EventFd.eventfd2(1, EventFd.EFD_NONBLOCK | 0x40);
        });

        assertThat(out).as("printflags: the unknown bits in hex, commented when no flag is known").isEqualTo("""
                [pid   100] eventfd2(0, 0x4 /* EFD_??? */) = -1 EINVAL (Invalid argument)
                [pid   100] eventfd2(1, EFD_NONBLOCK|0x40) = -1 EINVAL (Invalid argument)
                """);
    }

    @Test
    void pollBitsWithoutANameAreHex() {
        assertThat(Poll.names("POLL", Poll.EPOLLIN | 0x8000)).isEqualTo("POLLIN|0x8000");
        assertThat(Poll.names("EPOLL", Poll.POLLFREE)).as("POLLFREE is the kernel's own, user space has no name for it")
                .isEqualTo("0x4000");
        assertThat(Poll.names("EPOLL", Poll.EPOLLERR | Poll.EPOLLIN | Poll.EPOLLRDHUP))
                .as("in strace's order, whatever the bits' order").isEqualTo("EPOLLIN|EPOLLERR|EPOLLRDHUP");
    }

    @Test
    void aSocketsBytesAreQuotedAsStraceQuotesThem() {
        String text = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        byte[] get = text.getBytes(StandardCharsets.US_ASCII);
        String out = strace(() -> {
            int[] sv = new int[2];
            UnixStream.socketpair(UnixStream.AF_UNIX, UnixStream.SOCK_STREAM | UnixStream.SOCK_NONBLOCK, 0, sv);
            Vfs.write(sv[0], get, get.length);
            Vfs.read(sv[1], new byte[64], 64);
            Vfs.read(sv[1], new byte[64], 64);
        });

        assertThat(out).isEqualTo("""
                [pid   100] socketpair(AF_UNIX, SOCK_STREAM|SOCK_NONBLOCK, 0, [3, 4]) = 0
                [pid   100] write(3, "GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n", 27) = 27
                [pid   100] read(4, "GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n", 64) = 27
                [pid   100] read(4, 0x7ffc0000, 64) = -1 EAGAIN (Resource temporarily unavailable)
                """);
    }

    @Test
    void onlyTheFirst32BytesArePrintedThenAnEllipsis() {
        byte[] buf = new byte[40];
        Arrays.fill(buf, (byte) 'a');

        assertThat(Vfs.quote(buf, 40)).isEqualTo("\"" + "a".repeat(32) + "\"...");
        assertThat(Vfs.quote(buf, 32)).as("exactly 32: no ellipsis").isEqualTo("\"" + "a".repeat(32) + "\"");
        assertThat(Vfs.quote(buf, 0)).isEqualTo("\"\"");
    }

    @Test
    void escapesAreStracesEscapes() {
        assertThat(Vfs.quote(bytes('"', '\\', '\n', '\r', '\t', '\f', 0x0b), 7))
                .as("C escapes, \\f and \\v included").isEqualTo("\"\\\"\\\\\\n\\r\\t\\f\\v\"");
        assertThat(Vfs.quote(bytes(0, 1, 7, 8, 0x1b, 0x7f, 0x80, 0xff), 8))
                .as("other bytes in the shortest octal").isEqualTo("\"\\0\\1\\7\\10\\33\\177\\200\\377\"");
        assertThat(Vfs.quote(bytes(1, '0', 1, '7', 1, '8', 0x1b, '1', 0, 'a'), 10))
                .as("three octal digits when an octal digit follows, so that it is not read as part of the escape")
                .isEqualTo("\"\\0010\\0017\\18\\0331\\0a\"");
        assertThat(Vfs.quote(bytes(' ', '~', '\''), 3)).as("printable ASCII as is").isEqualTo("\" ~'\"");
    }

    @Test
    void aBufferThatCannotBeReadIsPrintedAsAnAddressAndTheCallFailsWithEfault() {
        long[] ret = {0};
        String out = strace(() -> ret[0] = Vfs.write(1, new byte[4], 8));

        assertThat(ret[0]).as("8 bytes from a buffer of 4: EFAULT").isEqualTo(Errno.EFAULT.neg());
        assertThat(out).isEqualTo("[pid   100] write(1, 0x7ffc0000, 8) = -1 EFAULT (Bad address)\n");
    }
}
