package herd.inet;

import static herd.course.Syscalls.check;
import static org.assertj.core.api.Assertions.assertThat;

import herd.fs.File;
import herd.fs.Process;
import herd.sched.DeterministicScheduler;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;

/**
 * What the lesson-3 tests share: a process on a deterministic scheduler, listeners and
 * clients on 127.0.0.1:80, and a look at the kernel structures behind a descriptor.
 * Nothing here calls an exercise except {@link #listener}, which calls {@code listen()}
 * (L03-E1) and so serves the tests of the later exercises only.
 */
final class InetTests {
    /** The server's address: 127.0.0.1:80. */
    static final SockaddrIn SERVER = SockaddrIn.inet("127.0.0.1", 80);

    private InetTests() {
    }

    /** Runs {@code body} in one task of a fresh process on a scheduler with {@code seed}, to the end. */
    static void inProcess(long seed, Runnable body) {
        try (DeterministicScheduler sched = new DeterministicScheduler(seed)) {
            new Process(sched, "test").spawn("test", body);
            sched.run();
        }
    }

    /** Runs {@code body} in one task of a fresh process, to the end. */
    static void inProcess(Runnable body) {
        inProcess(1, body);
    }

    /** A TCP socket bound to 127.0.0.1:80, not listening yet; {@code flags} as socket()'s (SOCK_NONBLOCK). */
    static int boundSocket(int flags) {
        int fd = (int) check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM | flags, 0));
        check(SocketCalls.bind(fd, SERVER, SockaddrIn.SIZE));
        return fd;
    }

    /** A listener on 127.0.0.1:80 with {@code backlog} (calls listen(), L03-E1). */
    static int listener(int backlog, int flags) {
        int fd = boundSocket(flags);
        check(SocketCalls.listen(fd, backlog));
        return fd;
    }

    /** A new client socket, non-blocking when {@code flags} has SOCK_NONBLOCK. */
    static int client(int flags) {
        return (int) check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM | flags, 0));
    }

    /**
     * A non-blocking connect to 127.0.0.1:80 from a new socket: the handshake runs on the
     * loopback before connect() returns {@code -EINPROGRESS}, as on Linux. Returns the fd.
     */
    static int connectNonBlocking() {
        int fd = client(Socket.SOCK_NONBLOCK);
        SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE);
        return fd;
    }

    /** The open file behind {@code fd}. */
    static File file(int fd) {
        File file = Process.current().files.fget(fd);
        assertThat(file).as("fd %d is open", fd).isNotNull();
        file.fput();
        return file;
    }

    /** The TCP sock behind socket descriptor {@code fd}. */
    static TcpSock sk(int fd) {
        return Socket.sockFromFile(file(fd)).sk;
    }

    /** The network namespace of the current task. */
    static Net net() {
        return Net.current();
    }
}
