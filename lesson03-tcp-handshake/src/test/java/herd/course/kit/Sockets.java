package herd.course.kit;

import static herd.course.kit.Processes.file;
import static herd.course.kit.Syscalls.check;

import herd.inet.TcpSock;
import herd.sched.SyscallStats;
import herd.sched.Task;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import herd.uapi.Errno;
import java.util.List;

/**
 * TCP sockets in tests, from lesson 3 on: sockets, listeners and clients on
 * 127.0.0.1:80, and the structures behind a descriptor. {@link #listener} calls
 * {@code listen()} (L03-E1), and {@link #connect} and {@link #connectNonBlocking} the
 * handshake (L03-E2); for listeners and queued connections made by hand, see
 * {@code herd.inet.InetTests}.
 */
public final class Sockets {
    /** The server's address: 127.0.0.1:80. */
    public static final SockaddrIn SERVER = SockaddrIn.inet("127.0.0.1", 80);

    private Sockets() {
    }

    /** {@code socket(AF_INET, SOCK_STREAM | flags, 0)}, which must succeed; {@code flags} 0 or SOCK_NONBLOCK. */
    public static int socket(int flags) {
        return (int) check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM | flags, 0));
    }

    /** A TCP socket bound to {@code addr}, not listening. */
    public static int bound(SockaddrIn addr, int flags) {
        int fd = socket(flags);
        check(SocketCalls.bind(fd, addr, SockaddrIn.SIZE));
        return fd;
    }

    /** A TCP socket bound to 127.0.0.1:80, not listening yet. */
    public static int bound(int flags) {
        return bound(SERVER, flags);
    }

    /** A listener on {@code addr} with {@code backlog} (calls listen(), L03-E1). */
    public static int listener(SockaddrIn addr, int backlog, int flags) {
        int fd = bound(addr, flags);
        check(SocketCalls.listen(fd, backlog));
        return fd;
    }

    /** A listener on 127.0.0.1:80 with {@code backlog} (calls listen(), L03-E1). */
    public static int listener(int backlog, int flags) {
        return listener(SERVER, backlog, flags);
    }

    /** A new socket's {@code connect()} to 127.0.0.1:80: the descriptor; the result goes to {@code ret[0]} if given. */
    public static int connect(int flags, long[] ret) {
        int fd = socket(flags);
        long r = SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE);
        if (ret != null) {
            ret[0] = r;
        }
        return fd;
    }

    /**
     * A non-blocking connect to 127.0.0.1:80 from a new socket: the handshake runs on the
     * loopback before connect() returns {@code -EINPROGRESS}, as on Linux, so the connection
     * is in the accept queue. Returns the fd.
     */
    public static int connectNonBlocking() {
        return connect(Socket.SOCK_NONBLOCK, null);
    }

    /** {@code accept4(fd, NULL, NULL, flags)}, which must succeed. */
    public static int accept(int fd, int flags) {
        return (int) check(SocketCalls.accept4(fd, null, null, flags));
    }

    /** The {@code struct socket} behind {@code fd}. */
    public static Socket sock(int fd) {
        return Socket.sockFromFile(file(fd));
    }

    /** The TCP sock behind socket descriptor {@code fd}. */
    public static TcpSock sk(int fd) {
        return sock(fd).sk;
    }

    /** The local port of the client socket {@code fd}: what the server sees as the peer's port. */
    public static int portOf(int fd) {
        return sk(fd).num;
    }

    /** {@code ss}'s name of the state of the sock behind {@code fd}. */
    public static String state(int fd) {
        return TcpSock.stateName(sk(fd).skState);
    }

    /** The current task's successful and EAGAIN accept4 calls so far: [successes, EAGAIN]. */
    public static List<Long> accept4Calls() {
        SyscallStats stats = Task.current().syscallStats();
        long eagain = stats.errors("accept4", Errno.EAGAIN);
        return List.of(stats.returned("accept4") - eagain, eagain);
    }
}
