package herd.inet;

import static herd.course.kit.Sockets.SERVER;
import static herd.course.kit.Sockets.bound;
import static herd.course.kit.Sockets.sk;
import static herd.course.kit.Syscalls.check;

import herd.socket.SockaddrIn;

/**
 * Listeners and queued connections made with the given code instead of the exercises:
 * {@link #listenerByHand} and {@link #queueByHand} do the work of L03-E1 and L03-E2, so
 * that the tests of the later exercises need only the exercises their own id stands for.
 * In {@code herd.inet} because they reach package-private code; the rest of the socket
 * tests' kit is {@code herd.course.kit.Sockets}.
 */
final class InetTests {
    private InetTests() {
    }

    /**
     * A listener on 127.0.0.1:80 made without listen() (L03-E1): bound, then
     * {@code inet_csk_listen_start} (given code) under the socket lock, as {@code inet_listen} does.
     */
    static int listenerByHand(int backlog, int flags) {
        int fd = bound(flags);
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
        Object entry = Net.current().hashinfo.lookupEstablished(new SkBuff(SockaddrIn.INADDR_LOOPBACK, clientPort,
                SockaddrIn.INADDR_LOOPBACK, SERVER.port(), SkBuff.ACK));
        return entry instanceof RequestSock req ? req : null;
    }
}
