package herd.inet;

import static herd.fs.Poll.EPOLLERR;
import static herd.fs.Poll.EPOLLHUP;
import static herd.fs.Poll.EPOLLOUT;
import static herd.fs.Poll.EPOLLWRNORM;
import static herd.inet.TcpSock.TCP_CLOSE;
import static herd.inet.TcpSock.TCP_CLOSE_WAIT;
import static herd.inet.TcpSock.TCP_ESTABLISHED;
import static herd.inet.TcpSock.TCP_LISTEN;
import static herd.inet.TcpSock.TCP_SYN_RECV;
import static herd.inet.TcpSock.TCP_SYN_SENT;

import herd.fs.File;
import herd.fs.PollTable;
import herd.socket.SockaddrIn;
import herd.net.Sock;
import herd.trace.Ftrace;
import herd.uapi.Errno;
import herd.wait.WaitEvent;

/**
 * net/ipv4/tcp.c: what a task does with a TCP socket: poll it ({@code tcp_poll}), read
 * ({@code tcp_recvmsg}), write ({@code tcp_sendmsg}), close it ({@code tcp_close}), and
 * the state changes those cause ({@code tcp_set_state}, {@code tcp_done}).
 *
 * <p>Not modelled: send buffers and windows (a connected socket is always writable),
 * retransmission of data, {@code FIN_WAIT}/{@code TIME_WAIT} (a closed socket leaves the
 * hash at once) and {@code SIGPIPE}.
 */
public final class Tcp {
    private Tcp() {
    }

    /**
     * {@code tcp_poll()}: registers the caller on the socket's wait queue
     * ({@code sock_poll_wait}), then reports: a listener is readable exactly when its
     * accept queue is not ({@code inet_csk_listen_poll}); a connection when data or its
     * peer's FIN arrived; writable in every state but {@code SYN_SENT} and {@code SYN_RECV}
     * (so a fresh or a closed socket polls {@code EPOLLOUT|EPOLLHUP}).
     */
    public static int tcpPoll(File file, TcpSock sk, PollTable wait) {
        try (var fn = Ftrace.enter("tcp_poll")) {
            int state = pollWaitAndState(file, sk, wait);
            if (state == TCP_LISTEN) {
                return InetConnectionSock.inetCskListenPoll(sk);
            }
            int mask = sk.pollRead();
            if (state == TCP_CLOSE) {
                mask |= EPOLLHUP;
            }
            if (state != TCP_SYN_SENT && state != TCP_SYN_RECV) {
                mask |= EPOLLOUT | EPOLLWRNORM; // a CLOSE socket too: a fresh one, or a connect that is over
            }
            if (sk.skErr != 0) {
                mask |= EPOLLERR;
            }
            return mask;
        }
    }

    /** The start of {@code tcp_poll}: {@code sock_poll_wait} on the socket's queue, then the state to report on. */
    private static int pollWaitAndState(File file, TcpSock sk, PollTable wait) {
        // @exercise L03-E3 tcp_poll's start: register on the socket's wait queue through the poll table
        //   (sock_poll_wait -> poll_wait), then read sk_state
        PollTable.pollWait(file, sk.skWq, wait);
        return sk.skState;
        // @end L03-E3
    }

    /**
     * {@code tcp_recvmsg()}: {@code -ENOTCONN} on a listener or a socket never connected, a
     * pending error once, else the stream read: data, 0 after the peer's FIN,
     * {@code -EAGAIN} or a sleep while nothing is there.
     */
    public static long tcpRecvmsg(File file, TcpSock sk, byte[] buf, int count) {
        try (var fn = Ftrace.enter("tcp_recvmsg")) {
            if (sk.skState == TCP_LISTEN) {
                return Errno.ENOTCONN.neg();
            }
            if (sk.queued() == 0 && sk.skErr != 0) {
                return sockError(sk);
            }
            if (sk.skState == TCP_CLOSE && (sk.skShutdown & Sock.RCV_SHUTDOWN) == 0) {
                return Errno.ENOTCONN.neg();
            }
            return sk.recvmsg(file, buf, count, () -> { });
        }
    }

    /**
     * {@code tcp_sendmsg()}: one segment with the bytes to the peer. {@code -EPIPE} on a
     * socket shut down for sending, reset or not connected ({@code sk_stream_wait_connect});
     * while the handshake is not done, {@code -EAGAIN} or a wait.
     */
    public static long tcpSendmsg(File file, TcpSock sk, byte[] buf, int count) {
        try (var fn = Ftrace.enter("tcp_sendmsg")) {
            sk.lockSock();
            try {
                while (sk.skState == TCP_SYN_SENT || sk.skState == TCP_SYN_RECV) {
                    if (file.nonBlocking()) {
                        return Errno.EAGAIN.neg();
                    }
                    sk.releaseSock();
                    long err = WaitEvent.waitEventInterruptible(sk.skWq,
                            () -> sk.skState != TCP_SYN_SENT && sk.skState != TCP_SYN_RECV);
                    sk.lockSock();
                    if (err != 0) {
                        return err;
                    }
                }
                if (sk.skErr != 0) {
                    return sockError(sk);
                }
                if ((sk.skShutdown & Sock.SEND_SHUTDOWN) != 0
                        || (sk.skState != TCP_ESTABLISHED && sk.skState != TCP_CLOSE_WAIT)) {
                    return Errno.EPIPE.neg();
                }
                TcpOutput.tcpPush(sk, buf, count);
                return count;
            } finally {
                sk.releaseSock();
            }
        }
    }

    /**
     * {@code tcp_shutdown()}: {@code SEND_SHUTDOWN} on an open connection sends the FIN
     * ({@code tcp_close_state}). The model has no {@code FIN_WAIT}/{@code LAST_ACK}, the
     * states the kernel's first FIN leaves the socket in, where a second shutdown finds
     * nothing to send: the state stays, so {@code finSent} (an earlier shutdown sent the
     * FIN) stands for them, here as in {@code tcp_close}.
     */
    static void tcpShutdown(TcpSock sk, int how, boolean finSent) {
        if ((how & Sock.SEND_SHUTDOWN) == 0 || finSent) {
            return;
        }
        int state = sk.skState;
        if (state == TCP_ESTABLISHED || state == TCP_SYN_RECV || state == TCP_CLOSE_WAIT) {
            TcpOutput.tcpSendFin(sk);
        }
    }

    /**
     * {@code tcp_disconnect()}, the ABORT of RFC 793: the socket goes to {@code CLOSE}
     * (unhashed); a listener resets the connections it queued ({@code inet_csk_listen_stop});
     * an open connection sends a reset ({@code ECONNRESET}); a connecting one is told
     * {@code ECONNRESET}. The timers stop, unread data goes, the peer, the automatic local
     * address and the shutdown state are forgotten: the socket may connect or listen again.
     * Last, {@code sk_error_report}.
     */
    static long tcpDisconnect(TcpSock sk, int flags) {
        try (var fn = Ftrace.enter("tcp_disconnect")) {
            int oldState = sk.skState;
            boolean reset = tcpNeedReset(oldState);
            if (reset) {
                // The kernel sends it after tcp_set_state(CLOSE), from inet_sport, which inet_put_port leaves
                // alone; the model's one port field (inet_num) is cleared there, so the reset leaves first.
                TcpOutput.tcpSendActiveReset(sk);
            }
            if (oldState != TCP_CLOSE) {
                tcpSetState(sk, TCP_CLOSE);
            }
            if (oldState == TCP_LISTEN) {
                InetConnectionSock.inetCskListenStop(sk);
            } else if (reset) {
                sk.skErr = Errno.ECONNRESET.number();
            } else if (oldState == TCP_SYN_SENT) {
                sk.skErr = Errno.ECONNRESET.number();
            }
            TcpTimer.inetCskClearXmitTimer(sk); // tcp_clear_xmit_timers
            sk.purgeReceiveQueue();
            sk.dport = 0;
            if (!sk.bindAddrLock) {
                sk.rcvSaddr = SockaddrIn.INADDR_ANY; // inet_reset_saddr
            }
            sk.skShutdown = 0;
            sk.skErrorReport.accept(sk);
        }
        return 0;
    }

    /** {@code tcp_need_reset()}: the states whose ABORT sends a reset (the model has no FIN_WAIT states). */
    private static boolean tcpNeedReset(int state) {
        return state == TCP_ESTABLISHED || state == TCP_CLOSE_WAIT || state == TCP_SYN_RECV;
    }

    /** {@code sock_error()}: the pending error, negated, and cleared. */
    public static long sockError(TcpSock sk) {
        int err = sk.skErr;
        sk.skErr = 0;
        return -err;
    }

    /**
     * {@code tcp_close()}: a listener stops ({@code inet_csk_listen_stop} resets the
     * connections nobody accepted); a connection sends its FIN. Either way the socket is
     * closed and orphaned.
     */
    public static void tcpClose(TcpSock sk) {
        try (var fn = Ftrace.enter("tcp_close")) {
            sk.lockSock();
            try {
                boolean finSent = (sk.skShutdown & Sock.SEND_SHUTDOWN) != 0; // by shutdown(SHUT_WR)
                sk.shutdown(Sock.SHUTDOWN_MASK, true);
                int state = sk.skState;
                sk.dead = true;
                if (!finSent && (state == TCP_ESTABLISHED || state == TCP_CLOSE_WAIT || state == TCP_SYN_RECV)) {
                    TcpOutput.tcpSendFin(sk); // from the connection's port, before CLOSE gives it back
                }
                tcpSetState(sk, TCP_CLOSE);
                TcpTimer.inetCskClearXmitTimer(sk); // inet_csk_destroy_sock -> tcp_clear_xmit_timers
                if (state == TCP_LISTEN) {
                    InetConnectionSock.inetCskListenStop(sk);
                }
                sk.net.hashinfo.putPort(sk); // tcp_v4_destroy_sock: a port bind() locked, or never used, goes too
            } finally {
                sk.releaseSock();
            }
        }
    }

    /**
     * {@code tcp_set_state()}: entering {@code CLOSE} takes the socket out of the hash
     * tables ({@code inet_unhash}, leaving its reuseport group) and gives its port back,
     * unless {@code bind()} chose it ({@code SOCK_BINDPORT_LOCK}): that one is kept until
     * the last close.
     */
    static void tcpSetState(TcpSock sk, int state) {
        int old = sk.skState;
        sk.skState = state;
        if (state != TCP_CLOSE || old == TCP_CLOSE) {
            return;
        }
        InetHashtables hashinfo = sk.net.hashinfo;
        if (old == TCP_LISTEN) {
            if (sk.skReuseportCb != null) {
                SockReuseport.reuseportDetachSock(sk);
            }
            hashinfo.listenUnhash(sk);
        } else {
            hashinfo.ehashRemove(new FourTuple(sk.rcvSaddr, sk.num, sk.daddr, sk.dport), sk);
        }
        if (!sk.bindPortLock) {
            hashinfo.putPort(sk);
        }
    }

    /** {@code tcp_done()}: the connection is over; {@code CLOSE}, shut down both ways, and the owner is told. */
    static void tcpDone(TcpSock sk) {
        tcpSetState(sk, TCP_CLOSE);
        TcpTimer.inetCskClearXmitTimer(sk); // tcp_clear_xmit_timers
        sk.shutdown(Sock.SHUTDOWN_MASK, false);
        if (!sk.dead) {
            sk.skStateChange.accept(sk);
        }
    }
}
