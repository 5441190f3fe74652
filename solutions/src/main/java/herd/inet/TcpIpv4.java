package herd.inet;

import static herd.inet.TcpSock.TCP_CLOSE;
import static herd.inet.TcpSock.TCP_ESTABLISHED;
import static herd.inet.TcpSock.TCP_LISTEN;
import static herd.inet.TcpSock.TCP_SYN_SENT;

import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.trace.Ftrace;
import herd.uapi.Errno;

/**
 * net/ipv4/tcp_ipv4.c: where a received segment finds its socket ({@code tcp_v4_rcv}),
 * the listener's child factory ({@code tcp_v4_syn_recv_sock}) and the client's
 * {@code tcp_v4_connect}.
 */
public final class TcpIpv4 {
    private TcpIpv4() {
    }

    /**
     * {@code tcp_v4_rcv()}: looks the segment up in the established hash (connections and
     * request socks), then among the listeners. A request sock hands the segment to its
     * listener's {@code tcp_check_req} and, once a child exists, to {@code tcp_child_process};
     * a listener takes it without the socket lock; any other socket takes it under
     * {@code bh_lock_sock}, or on its backlog while a task owns it. Nobody: a reset.
     */
    public static void tcpV4Rcv(Net net, SkBuff skb) {
        try (var fn = Ftrace.enter("tcp_v4_rcv")) {
            for (;;) {
                Object sk = net.hashinfo.lookupEstablished(skb);
                if (sk == null) {
                    sk = net.hashinfo.lookupListener(net, skb);
                }
                if (sk == null) {
                    TcpOutput.tcpV4SendReset(net, skb);
                    return;
                }
                if (sk instanceof RequestSock req) {
                    TcpSock listener = req.rskListener;
                    if (listener.skState != TCP_LISTEN) {
                        InetConnectionSock.inetCskReqskQueueDrop(listener, req);
                        continue; // lookup again: the request is gone
                    }
                    TcpSock nsk = TcpMinisocks.tcpCheckReq(listener, skb, req);
                    if (nsk != null && TcpMinisocks.tcpChildProcess(listener, nsk, skb) != 0) {
                        TcpOutput.tcpV4SendReset(net, skb);
                    }
                    return;
                }
                TcpSock tsk = (TcpSock) sk;
                if (tsk.skState == TCP_LISTEN) {
                    tcpV4DoRcv(tsk, skb);
                    return;
                }
                tsk.skLock.slock.lock();
                try {
                    if (!tsk.skLock.ownedByUser()) {
                        tcpV4DoRcv(tsk, skb);
                    } else {
                        tsk.skLock.addBacklog(skb);
                    }
                } finally {
                    tsk.skLock.slock.unlock();
                }
                return;
            }
        }
    }

    /** {@code tcp_v4_do_rcv()}: the established fast path, else the state machine; a reset when it refuses the segment. */
    static void tcpV4DoRcv(TcpSock sk, SkBuff skb) {
        try (var fn = Ftrace.enter("tcp_v4_do_rcv")) {
            if (sk.skState == TCP_ESTABLISHED) {
                TcpInput.tcpRcvEstablished(sk, skb);
            } else if (TcpInput.tcpRcvStateProcess(sk, skb)) {
                TcpOutput.tcpV4SendReset(sk.net, skb);
            }
        }
    }

    /**
     * {@code tcp_v4_syn_recv_sock()}: the child for a request whose final ACK came; null
     * when the accept queue is full (counted in {@code ListenOverflows} and
     * {@code ListenDrops}). {@code ownReq[0]} tells whether the child took the request's
     * place in the established hash ({@code inet_ehash_nolisten}).
     */
    static TcpSock tcpV4SynRecvSock(TcpSock sk, SkBuff skb, RequestSock req, boolean[] ownReq) {
        try (var fn = Ftrace.enter("tcp_v4_syn_recv_sock")) {
            if (acceptQueueOverflows(sk)) {
                return null;
            }
            TcpSock newsk = TcpMinisocks.tcpCreateOpenreqChild(sk, req);
            ownReq[0] = sk.net.hashinfo.ehashReplace(req, newsk);
            return newsk;
        }
    }

    /** The check at the top of {@code tcp_v4_syn_recv_sock}: true (and counted) when the final ACK must be dropped. */
    private static boolean acceptQueueOverflows(TcpSock sk) {
        // @exercise L03-E2 tcp_v4_syn_recv_sock's check: a full accept queue (sk_acceptq_is_full) counts
        //   ListenOverflows, then tcp_listendrop, and creates no child
        if (sk.skAcceptqIsFull()) {
            sk.net.incStats(Mib.LISTEN_OVERFLOWS);
            TcpInput.tcpListendrop(sk);
            return true;
        }
        return false;
        // @end L03-E2
    }

    /**
     * {@code tcp_v4_connect()}: checks the address, takes a source address and port
     * ({@code inet_hash_connect}), enters {@code SYN_SENT} and sends the SYN.
     */
    static long tcpV4Connect(TcpSock sk, SockaddrIn usin, int addrLen) {
        try (var fn = Ftrace.enter("tcp_v4_connect")) {
            if (addrLen < SockaddrIn.SIZE) {
                return Errno.EINVAL.neg();
            }
            if (usin.family() != Socket.AF_INET) {
                return Errno.EAFNOSUPPORT.neg();
            }
            int daddr = usin.addr() == SockaddrIn.INADDR_ANY ? SockaddrIn.INADDR_LOOPBACK : usin.addr();
            if (daddr >>> 24 != 127) {
                throw new IllegalArgumentException("the model's only network is the loopback (127.0.0.0/8): "
                        + SockaddrIn.ntoa(daddr));
            }
            if (sk.rcvSaddr == SockaddrIn.INADDR_ANY) {
                sk.rcvSaddr = SockaddrIn.INADDR_LOOPBACK;
            }
            sk.daddr = daddr;
            sk.dport = usin.port();
            Tcp.tcpSetState(sk, TCP_SYN_SENT);
            if (!sk.net.hashinfo.hashConnect(sk)) {
                Tcp.tcpSetState(sk, TCP_CLOSE);
                sk.dport = 0;
                return Errno.EADDRNOTAVAIL.neg();
            }
            TcpOutput.tcpConnect(sk);
            return 0;
        }
    }
}
