package herd.inet;

import static herd.course.Syscalls.check;

import herd.fs.File;
import herd.fs.PollFd;
import herd.fs.ProcessTests;
import herd.fs.Select;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;

/**
 * What the lesson-3 tests share: a process on a deterministic scheduler, listeners and
 * clients on 127.0.0.1:80, and a look at the kernel structures behind a descriptor.
 * Nothing here calls an exercise except {@link #listener}, which calls {@code listen()}
 * (L03-E1) and so serves the tests of the later exercises only; {@link #listenerByHand}
 * and {@link #queueByHand} do the work of L03-E1 and L03-E2 with the given code.
 */
final class InetTests {
    /** The server's address: 127.0.0.1:80. */
    static final SockaddrIn SERVER = SockaddrIn.inet("127.0.0.1", 80);

    private InetTests() {
    }

    /** Runs {@code body} in one task of a fresh process on a scheduler with {@code seed}, to the end. */
    static void inProcess(long seed, Runnable body) {
        ProcessTests.inProcess(seed, body);
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
        return ProcessTests.file(fd);
    }

    /** The TCP sock behind socket descriptor {@code fd}. */
    static TcpSock sk(int fd) {
        return Socket.sockFromFile(file(fd)).sk;
    }

    /**
     * A listener on 127.0.0.1:80 made without listen() (L03-E1): bound, then
     * {@code inet_csk_listen_start} (given code) under the socket lock, as {@code inet_listen} does.
     */
    static int listenerByHand(int backlog, int flags) {
        int fd = boundSocket(flags);
        TcpSock sk = sk(fd);
        sk.lockSock();
        try {
            sk.skMaxAckBacklog = backlog;
            check(InetConnectionSock.inetCskListenStart(sk));
        } finally {
            sk.releaseSock();
        }
        return fd;
    }

    /**
     * A completed connection from 127.0.0.1:{@code port} put at the tail of the listener's
     * accept queue by hand, as {@code inet_csk_reqsk_queue_add} (L03-E2) would: a request
     * carrying an ESTABLISHED child, counted in {@code sk_ack_backlog}. Returns the request.
     */
    static RequestSock queueByHand(TcpSock listener, int port) {
        RequestSock req = new RequestSock(listener, new SkBuff(SockaddrIn.INADDR_LOOPBACK, port,
                SockaddrIn.INADDR_LOOPBACK, listener.num, SkBuff.SYN));
        TcpSock child = new TcpSock(listener.net, listener.skUid);
        child.rcvSaddr = req.locAddr;
        child.num = req.locPort;
        child.daddr = req.rmtAddr;
        child.dport = req.rmtPort;
        child.skState = TcpSock.TCP_ESTABLISHED;
        RequestSockQueue queue = listener.icskAcceptQueue;
        queue.rskqLock.lock();
        try {
            req.sk = child;
            queue.linkTail(req);
            listener.skAckBacklog++;
        } finally {
            queue.rskqLock.unlock();
        }
        return req;
    }

    /** The request sock of 127.0.0.1:{@code clientPort} -> 127.0.0.1:80 in the established hash, or null. */
    static RequestSock request(int clientPort) {
        Object entry = net().hashinfo.lookupEstablished(new SkBuff(SockaddrIn.INADDR_LOOPBACK, clientPort,
                SockaddrIn.INADDR_LOOPBACK, SERVER.port(), SkBuff.ACK));
        return entry instanceof RequestSock req ? req : null;
    }

    /** {@code poll(NULL, 0, -1)}: sleeps until the test ends, so that the process keeps its descriptors. */
    static void pause() {
        Select.poll(new PollFd[0], -1);
    }

    /** The network namespace of the current task. */
    static Net net() {
        return Net.current();
    }
}
