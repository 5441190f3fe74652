package herd.inet;

import static herd.inet.SkBuff.ACK;
import static herd.inet.SkBuff.FIN;
import static herd.inet.SkBuff.RST;
import static herd.inet.SkBuff.SYN;
import static herd.inet.TcpSock.TCP_CLOSE;
import static herd.inet.TcpSock.TCP_CLOSE_WAIT;
import static herd.inet.TcpSock.TCP_ESTABLISHED;
import static herd.inet.TcpSock.TCP_LISTEN;
import static herd.inet.TcpSock.TCP_SYN_RECV;
import static herd.inet.TcpSock.TCP_SYN_SENT;

import herd.net.Sock;
import herd.trace.Ftrace;
import herd.uapi.Errno;

/**
 * net/ipv4/tcp_input.c: the state machine for a segment that reached its socket. A
 * listener turns a SYN into a request sock ({@code tcp_conn_request}); a client in
 * {@code SYN_SENT} completes its side on the SYN-ACK; a connection queues data and
 * takes the peer's FIN or reset.
 */
final class TcpInput {
    private TcpInput() {
    }

    /** {@code tcp_rcv_state_process()}: true when the caller must answer with a reset. */
    static boolean tcpRcvStateProcess(TcpSock sk, SkBuff skb) {
        try (var fn = Ftrace.enter("tcp_rcv_state_process")) {
            switch (sk.skState) {
                case TCP_CLOSE: // a segment that waited on the backlog of a socket closed meanwhile: dropped, unanswered
                    return false;
                case TCP_LISTEN:
                    if (skb.has(ACK)) {
                        return true;
                    }
                    if (skb.has(SYN) && !skb.has(RST)) {
                        tcpConnRequest(sk, skb);
                    }
                    return false;
                case TCP_SYN_SENT:
                    tcpRcvSynsentStateProcess(sk, skb);
                    return false;
                case TCP_SYN_RECV:
                    if (skb.has(RST)) {
                        tcpReset(sk);
                        return false;
                    }
                    if (!skb.has(ACK)) {
                        return false;
                    }
                    Tcp.tcpSetState(sk, TCP_ESTABLISHED);
                    sk.skStateChange.accept(sk);
                    tcpRcvEstablished(sk, skb);
                    return false;
                default:
                    tcpRcvEstablished(sk, skb);
                    return false;
            }
        }
    }

    /**
     * {@code tcp_conn_request()}: a SYN on a listener. Past the queue limits, a request sock
     * ({@code TCP_NEW_SYN_RECV}) goes into the established hash and the SYN queue, and the
     * SYN-ACK leaves. A dropped SYN is silent: the client sends it again.
     */
    static void tcpConnRequest(TcpSock sk, SkBuff skb) {
        try (var fn = Ftrace.enter("tcp_conn_request")) {
            if (!tcpConnRequestAdmits(sk)) {
                tcpListendrop(sk);
                return;
            }
            RequestSock req = new RequestSock(sk, skb);
            InetConnectionSock.inetCskReqskQueueHashAdd(sk, req);
            TcpOutput.tcpV4SendSynack(sk.net, req);
        }
    }

    /**
     * The two limits {@code tcp_conn_request} applies before it allocates a request: a
     * full SYN queue (the model has no syncookies: {@code tcp_syn_flood_action} counts
     * {@code TCPReqQFullDrop} and drops), then a full accept queue ({@code ListenOverflows}).
     */
    private static boolean tcpConnRequestAdmits(TcpSock sk) {
        // >>> L03-E1
        // tcp_conn_request's limits: a full SYN queue drops the SYN (count TCPReqQFullDrop), then a
        // full accept queue drops it (count ListenOverflows); otherwise admit
        throw herd.course.Todo.exercise("L03-E1", "tcp_conn_request's limits: a full SYN queue drops the SYN (count TCPReqQFullDrop), then a full accept queue drops it (count ListenOverflows); otherwise admit");
        // <<< L03-E1
    }

    /** {@code tcp_listendrop()}: a listener dropped a SYN or a final ACK. */
    static void tcpListendrop(TcpSock sk) {
        sk.net.incStats(Mib.LISTEN_DROPS);
    }

    /**
     * {@code tcp_rcv_synsent_state_process()}: a reset refuses the connection; a SYN-ACK
     * completes it ({@code tcp_finish_connect}: {@code ESTABLISHED}, wake the connecting
     * task) and the final ACK leaves.
     */
    private static void tcpRcvSynsentStateProcess(TcpSock sk, SkBuff skb) {
        if (skb.has(RST)) {
            tcpReset(sk);
            return;
        }
        if (skb.has(SYN | ACK)) {
            TcpTimer.inetCskClearXmitTimer(sk); // tcp_ack: the SYN is acknowledged, nothing left to resend
            Tcp.tcpSetState(sk, TCP_ESTABLISHED);
            if (!sk.dead) {
                sk.skStateChange.accept(sk);
            }
            TcpOutput.tcpSendAck(sk);
        }
    }

    /** {@code tcp_rcv_established()} and {@code tcp_data_queue()}: data for the reader, a FIN, a reset. */
    static void tcpRcvEstablished(TcpSock sk, SkBuff skb) {
        try (var fn = Ftrace.enter("tcp_rcv_established")) {
            if (skb.has(RST)) {
                tcpReset(sk);
                return;
            }
            if (skb.data().length > 0 && sk.queueRcv(skb.data(), skb.data().length)) {
                sk.skDataReady.accept(sk); // tcp_data_ready
            }
            if (skb.has(FIN)) {
                tcpFin(sk);
            }
        }
    }

    /** {@code tcp_fin()}: nothing more will arrive; {@code CLOSE_WAIT}; readers and pollers are woken. */
    private static void tcpFin(TcpSock sk) {
        sk.shutdown(Sock.RCV_SHUTDOWN, false);
        if (sk.skState == TCP_ESTABLISHED) {
            Tcp.tcpSetState(sk, TCP_CLOSE_WAIT);
        }
        if (!sk.dead) {
            sk.skStateChange.accept(sk);
        }
    }

    /**
     * {@code tcp_reset()}: the peer reset the connection. The error left for the owner is
     * {@code ECONNREFUSED} in {@code SYN_SENT}, {@code EPIPE} in {@code CLOSE_WAIT},
     * {@code ECONNRESET} otherwise; then {@code tcp_done}.
     */
    static void tcpReset(TcpSock sk) {
        Errno err = switch (sk.skState) {
            case TCP_SYN_SENT -> Errno.ECONNREFUSED;
            case TCP_CLOSE_WAIT -> Errno.EPIPE;
            case TCP_CLOSE -> null;
            default -> Errno.ECONNRESET;
        };
        if (err == null) {
            return;
        }
        sk.skErr = err.number();
        Tcp.tcpDone(sk);
    }
}
