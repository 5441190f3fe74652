package herd.inet;

import static herd.inet.TcpSock.TCP_CLOSE;
import static herd.inet.TcpSock.TCP_LISTEN;
import static herd.inet.TcpSock.TCP_SYN_RECV;
import static herd.inet.TcpSock.TCP_SYN_SENT;

import herd.fs.File;
import herd.fs.Process;
import herd.net.Sock;
import herd.sched.Sched;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.trace.Ftrace;
import herd.uapi.Errno;
import herd.wait.WaitEvent;

/**
 * net/ipv4/af_inet.c, {@code inet_stream_ops}: the socket calls of an {@code AF_INET}
 * stream socket, between net/socket.c and TCP.
 */
public final class AfInet {
    private AfInet() {
    }

    /** {@code inet_create()}: the TCP sock of a new socket, owned by the current user. */
    public static void inetCreate(Socket sock) {
        sock.sk = new TcpSock(Net.current(), Process.current().user.uid());
    }

    /**
     * {@code __inet_bind()}: {@code -EINVAL} for a short address, {@code -EAFNOSUPPORT}
     * for another family, {@code -EADDRNOTAVAIL} for an address that is not local,
     * {@code -EINVAL} if already bound, {@code -EADDRINUSE} when the port is taken
     * ({@code inet_csk_get_port}). Privileged ports are not checked.
     */
    public static long inetBind(Socket sock, SockaddrIn addr, int addrLen) {
        try (var fn = Ftrace.enter("inet_bind")) {
            TcpSock sk = sock.sk;
            if (addrLen < SockaddrIn.SIZE) {
                return Errno.EINVAL.neg();
            }
            if (addr.family() != Socket.AF_INET
                    && (addr.family() != Socket.AF_UNSPEC || addr.addr() != SockaddrIn.INADDR_ANY)) {
                return Errno.EAFNOSUPPORT.neg();
            }
            if (addr.addr() != SockaddrIn.INADDR_ANY && addr.addr() >>> 24 != 127) {
                return Errno.EADDRNOTAVAIL.neg();
            }
            sk.lockSock();
            try {
                if (sk.skState != TCP_CLOSE || sk.num != 0) {
                    return Errno.EINVAL.neg();
                }
                sk.rcvSaddr = addr.addr();
                if (!sk.net.hashinfo.getPort(sk, addr.port())) {
                    sk.rcvSaddr = SockaddrIn.INADDR_ANY;
                    return Errno.EADDRINUSE.neg();
                }
                sk.bindAddrLock = addr.addr() != SockaddrIn.INADDR_ANY;
                sk.bindPortLock = addr.port() != 0;
                sk.daddr = 0;
                sk.dport = 0;
                return 0;
            } finally {
                sk.releaseSock();
            }
        }
    }

    /**
     * {@code inet_listen()}: {@code -EINVAL} unless an unconnected stream socket in
     * {@code CLOSE} or {@code LISTEN}; stores the backlog; starts listening only the first
     * time (a second {@code listen()} just changes the backlog).
     */
    public static long inetListen(Socket sock, int backlog) {
        try (var fn = Ftrace.enter("inet_listen")) {
            TcpSock sk = sock.sk;
            sk.lockSock();
            try {
                // @exercise L03-E1 inet_listen: -EINVAL unless sock is SS_UNCONNECTED and SOCK_STREAM and sk
                //   is CLOSE or LISTEN; store the backlog in sk_max_ack_backlog; inet_csk_listen_start unless
                //   already LISTEN
                if (sock.state != Socket.SS_UNCONNECTED || sock.type != Socket.SOCK_STREAM) {
                    return Errno.EINVAL.neg();
                }
                int oldState = sk.skState;
                if (oldState != TCP_CLOSE && oldState != TCP_LISTEN) {
                    return Errno.EINVAL.neg();
                }
                sk.skMaxAckBacklog = backlog;
                if (oldState != TCP_LISTEN) {
                    return InetConnectionSock.inetCskListenStart(sk);
                }
                return 0;
                // @end L03-E1
            } finally {
                sk.releaseSock();
            }
        }
    }

    /**
     * {@code inet_stream_connect()}: {@code -EISCONN} when connected or not closed,
     * {@code -EALREADY} while a connect is in progress; otherwise the SYN leaves
     * ({@code tcp_v4_connect}). Non-blocking: {@code -EINPROGRESS}. Blocking: waits for the
     * handshake ({@code inet_wait_for_connect}); a reset gives {@code -ECONNREFUSED}, no
     * answer after the SYN retries {@code -ETIMEDOUT}, a signal {@code -ERESTARTSYS}.
     */
    public static long inetStreamConnect(Socket sock, SockaddrIn uaddr, int addrLen, int flags) {
        try (var fn = Ftrace.enter("inet_stream_connect")) {
            TcpSock sk = sock.sk;
            sk.lockSock();
            try {
                return inetStreamConnectLocked(sock, sk, uaddr, addrLen, flags);
            } finally {
                sk.releaseSock();
            }
        }
    }

    private static long inetStreamConnectLocked(Socket sock, TcpSock sk, SockaddrIn uaddr, int addrLen, int flags) {
        if (addrLen < 2) {
            return Errno.EINVAL.neg();
        }
        if (uaddr.family() == Socket.AF_UNSPEC) {
            throw new IllegalArgumentException("connect(AF_UNSPEC), the disconnect, is not modelled");
        }
        long err;
        switch (sock.state) {
            case Socket.SS_CONNECTED:
                return Errno.EISCONN.neg();
            case Socket.SS_CONNECTING:
                err = Errno.EALREADY.neg();
                break;
            case Socket.SS_UNCONNECTED:
                if (sk.skState != TCP_CLOSE) {
                    return Errno.EISCONN.neg();
                }
                err = TcpIpv4.tcpV4Connect(sk, uaddr, addrLen);
                if (err < 0) {
                    return err;
                }
                sock.state = Socket.SS_CONNECTING;
                err = Errno.EINPROGRESS.neg();
                break;
            default:
                return Errno.EINVAL.neg();
        }
        if (connecting(sk)) {
            if ((flags & File.O_NONBLOCK) != 0) {
                return err;
            }
            if (!inetWaitForConnect(sk)) {
                return InetConnectionSock.sockIntrErrno(Sched.MAX_SCHEDULE_TIMEOUT);
            }
        }
        if (sk.skState == TCP_CLOSE) {
            sock.state = Socket.SS_UNCONNECTED;
            long error = Tcp.sockError(sk);
            return error != 0 ? error : Errno.ECONNABORTED.neg();
        }
        sock.state = Socket.SS_CONNECTED;
        return 0;
    }

    private static boolean connecting(TcpSock sk) {
        return sk.skState == TCP_SYN_SENT || sk.skState == TCP_SYN_RECV;
    }

    /**
     * {@code inet_wait_for_connect()} without a send timeout: sleeps, without the socket
     * lock, until the handshake is over: the SYN-ACK, a reset, or the retransmit timer
     * giving up ({@code ETIMEDOUT}) wakes it through {@code sk_state_change}. The timer
     * resends the SYN on its own meanwhile. False when a signal came first: the caller
     * returns {@code -ERESTARTSYS}.
     */
    private static boolean inetWaitForConnect(TcpSock sk) {
        while (connecting(sk)) {
            sk.releaseSock();
            long err = WaitEvent.waitEventInterruptible(sk.skWq, () -> !connecting(sk));
            sk.lockSock();
            if (err != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code inet_accept()}: the next connection from {@code inet_csk_accept}, grafted onto
     * {@code newsock} ({@code sock_graft}), which is then connected.
     */
    public static long inetAccept(Socket sock, Socket newsock, int flags) {
        long[] err = {0};
        TcpSock sk2 = InetConnectionSock.inetCskAccept(sock.sk, flags, err);
        if (sk2 == null) {
            return err[0];
        }
        sk2.lockSock();
        newsock.sk = sk2;
        newsock.state = Socket.SS_CONNECTED;
        sk2.releaseSock();
        return 0;
    }

    /**
     * {@code inet_shutdown()}: {@code how} + 1 is the mask of {@code RCV_SHUTDOWN} and
     * {@code SEND_SHUTDOWN} ({@code -EINVAL} if it is none or more); then, under the socket
     * lock, by state: a closed socket is {@code -ENOTCONN}, though its mask is still set; an
     * open connection takes the mask and {@code tcp_shutdown} sends the FIN for
     * {@code SEND_SHUTDOWN}; a listener shut down for reading, and a connecting socket, are
     * disconnected ({@code tcp_disconnect}); a listener shut down for writing only is left
     * alone. Then {@code sk_state_change} wakes every waiter, the blocked acceptors too.
     */
    public static long inetShutdown(Socket sock, int how) {
        try (var fn = Ftrace.enter("inet_shutdown")) {
            TcpSock sk = sock.sk;
            long err = 0;
            how++; // SHUT_RD 0 -> RCV_SHUTDOWN 1, SHUT_WR 1 -> SEND_SHUTDOWN 2, SHUT_RDWR 2 -> both
            if ((how & ~Sock.SHUTDOWN_MASK) != 0 || how == 0) {
                return Errno.EINVAL.neg();
            }
            sk.lockSock();
            try {
                boolean finSent = (sk.skShutdown & Sock.SEND_SHUTDOWN) != 0; // the kernel's socket left ESTABLISHED
                if (sock.state == Socket.SS_CONNECTING) {
                    sock.state = connecting(sk) || sk.skState == TCP_CLOSE ? Socket.SS_DISCONNECTING
                            : Socket.SS_CONNECTED;
                }
                switch (sk.skState) {
                    case TCP_CLOSE:
                        err = Errno.ENOTCONN.neg();
                        // the kernel goes on, so that pollers of even an unconnected socket see EPOLLHUP
                    default:
                        sk.shutdown(how, false);
                        Tcp.tcpShutdown(sk, how, finSent);
                        break;
                    case TCP_LISTEN:
                        if ((how & Sock.RCV_SHUTDOWN) == 0) {
                            break;
                        }
                        // a listener shut down for reading stops listening, as close() would
                    case TCP_SYN_SENT:
                        err = Tcp.tcpDisconnect(sk, File.O_NONBLOCK);
                        sock.state = err != 0 ? Socket.SS_DISCONNECTING : Socket.SS_UNCONNECTED;
                        break;
                }
                sk.skStateChange.accept(sk); // wake up anyone sleeping in poll, or in accept
                return err;
            } finally {
                sk.releaseSock();
            }
        }
    }

    /** {@code inet_release()}: the last file reference is gone; TCP closes the socket. */
    public static void inetRelease(Socket sock) {
        if (sock.sk != null) {
            Tcp.tcpClose(sock.sk);
        }
    }

    /** {@code inet_getname()}: the peer's address or the local one. */
    public static SockaddrIn inetGetname(Socket sock, boolean peer) {
        TcpSock sk = sock.sk;
        return peer ? sk.peer() : sk.local();
    }
}
