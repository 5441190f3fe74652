package herd.socket;

import static herd.course.Syscalls.check;

import herd.fs.File;
import herd.fs.FsTests;
import herd.fs.Poll;
import herd.fs.PollFd;
import herd.fs.Select;
import herd.fs.Vfs;
import herd.inet.TcpSock;
import herd.sched.Scheduler;
import herd.trace.StraceFormat;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What the tests of the socket syscalls and of the TCP code given in lesson 3 share
 * ({@code herd.socket} and {@code herd.inet} in the solutions module): sockets, listeners
 * and clients on 127.0.0.1:80, the structures behind a descriptor, reads and writes by
 * text, poll masks by name and the strace of a run.
 */
public final class SocketTests {
    /** The server's address: 127.0.0.1:80. */
    public static final SockaddrIn SERVER = SockaddrIn.inet("127.0.0.1", 80);
    /** {@code sizeof(struct sockaddr_in)}. */
    public static final int LEN = SockaddrIn.SIZE;

    private SocketTests() {
    }

    /** {@code socket(AF_INET, SOCK_STREAM | flags, 0)}, which must succeed. */
    public static int socket(int flags) {
        return (int) check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM | flags, 0));
    }

    /** A socket bound to {@code addr}. */
    public static int bound(SockaddrIn addr, int flags) {
        int fd = socket(flags);
        check(SocketCalls.bind(fd, addr, LEN));
        return fd;
    }

    /** A listener on {@code addr} with {@code backlog}. */
    public static int listener(SockaddrIn addr, int backlog, int flags) {
        int fd = bound(addr, flags);
        check(SocketCalls.listen(fd, backlog));
        return fd;
    }

    /** A listener on 127.0.0.1:80 with {@code backlog}. */
    public static int listener(int backlog, int flags) {
        return listener(SERVER, backlog, flags);
    }

    /** A new socket's {@code connect()} to 127.0.0.1:80: the descriptor; the result goes to {@code ret[0]} if given. */
    public static int connect(int flags, long[] ret) {
        int fd = socket(flags);
        long r = SocketCalls.connect(fd, SERVER, LEN);
        if (ret != null) {
            ret[0] = r;
        }
        return fd;
    }

    /** {@code accept4(fd, NULL, NULL, flags)}, which must succeed. */
    public static int accept(int fd, int flags) {
        return (int) check(SocketCalls.accept4(fd, null, null, flags));
    }

    /** The open file behind {@code fd}. */
    public static File file(int fd) {
        return FsTests.file(fd);
    }

    /** The {@code struct socket} behind {@code fd}. */
    public static Socket sock(int fd) {
        return Socket.sockFromFile(file(fd));
    }

    /** The TCP sock behind {@code fd}. */
    public static TcpSock sk(int fd) {
        return sock(fd).sk;
    }

    /** {@code ss}'s name of the state of the sock behind {@code fd}. */
    public static String state(int fd) {
        return TcpSock.stateName(sk(fd).skState);
    }

    /** {@code vfs_poll} of {@code fd} without a poll table, by name ({@code EPOLLIN|EPOLLOUT...}). */
    public static String poll(int fd) {
        File f = file(fd);
        return Poll.names("EPOLL", f.fOp.poll(f, null));
    }

    /** A mask by name, to compare with {@link #poll}. */
    public static String mask(int mask) {
        return Poll.names("EPOLL", mask);
    }

    /** Writes {@code text} to {@code fd}: the result, or the errno's name. */
    public static String send(int fd, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return FsTests.errno(Vfs.write(fd, bytes, bytes.length));
    }

    /** Reads up to {@code n} bytes: the text read, "EOF", or the errno's name. */
    public static String recv(int fd, int n) {
        byte[] buf = new byte[n];
        long ret = Vfs.read(fd, buf, n);
        if (ret == 0) {
            return "EOF";
        }
        return ret < 0 ? FsTests.errno(ret) : new String(buf, 0, (int) ret, StandardCharsets.US_ASCII);
    }

    /** Sleeps until the test ends ({@code poll(NULL, 0, -1)}), so that the process keeps its descriptors. */
    public static void pause() {
        Select.poll(new PollFd[0], -1);
    }

    /** The strace lines of everything {@code sched} ran so far. */
    public static List<String> strace(Scheduler sched) {
        return StraceFormat.render(sched.trace().events()).lines().toList();
    }
}
