package herd.course.kit;

import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static org.assertj.core.api.Assertions.assertThat;

import herd.fs.EventFd;
import herd.fs.File;
import herd.fs.Poll;
import herd.fs.Vfs;
import herd.net.UnixStream;
import herd.wait.WaitQueueHead;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Descriptors to read, write and poll in tests: eventfds, AF_UNIX stream pairs, and text
 * written to and read from any descriptor.
 */
public final class Io {
    private Io() {
    }

    // ---- eventfds ----------------------------------------------------------------------------------

    /** A new non-blocking eventfd with count 0. */
    public static int eventfd() {
        return eventfd(0);
    }

    /** A new non-blocking eventfd whose count is {@code count}. */
    public static int eventfd(int count) {
        return (int) check(EventFd.eventfd2(count, EventFd.EFD_NONBLOCK));
    }

    /** Adds {@code n} to an eventfd: it becomes readable and wakes its waiters with EPOLLIN. */
    public static void signal(int efd, long n) {
        assertThat(Vfs.write(efd, EventFd.value(n), Long.BYTES)).as("write(%d, %d) to the eventfd", efd, n)
                .isEqualTo(Long.BYTES);
    }

    /** Reads an eventfd's count back to 0: it is no longer readable. Returns the count, or the error. */
    public static long drain(int efd) {
        byte[] buf = new byte[Long.BYTES];
        long ret = Vfs.read(efd, buf, Long.BYTES);
        return ret < 0 ? ret : ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder()).getLong();
    }

    /** The wait queue of an eventfd's file. */
    public static WaitQueueHead eventfdQueue(File eventfd) {
        return ((EventFd.Ctx) eventfd.privateData).wqh;
    }

    // ---- streams -----------------------------------------------------------------------------------

    /** A connected non-blocking AF_UNIX stream pair: {@code [a, b]}. */
    public static int[] socketpair() {
        int[] sv = new int[2];
        check(UnixStream.socketpair(UnixStream.AF_UNIX, UnixStream.SOCK_STREAM | UnixStream.SOCK_NONBLOCK, 0, sv));
        return sv;
    }

    /** Writes {@code text} to {@code fd}: the result, or the errno's name. */
    public static String send(int fd, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return errno(Vfs.write(fd, bytes, bytes.length));
    }

    /** Writes {@code text} to {@code fd}; fails unless all of it was written. */
    public static void sendAll(int fd, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        assertThat(Vfs.write(fd, bytes, bytes.length)).as("write(%d, \"%s\")", fd, text).isEqualTo(bytes.length);
    }

    /** Reads up to {@code n} bytes: the text read, "EOF", or the errno's name. */
    public static String recv(int fd, int n) {
        byte[] buf = new byte[n];
        long ret = Vfs.read(fd, buf, n);
        if (ret == 0) {
            return "EOF";
        }
        return ret < 0 ? errno(ret) : new String(buf, 0, (int) ret, StandardCharsets.US_ASCII);
    }

    /** {@code vfs_poll} of {@code fd} without a poll table, by name ({@code EPOLLIN|EPOLLOUT...}). */
    public static String poll(int fd) {
        File f = Processes.file(fd);
        return Poll.names("EPOLL", f.fOp.poll(f, null));
    }
}
