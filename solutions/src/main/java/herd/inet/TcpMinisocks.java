package herd.inet;

import static herd.inet.SkBuff.ACK;
import static herd.inet.SkBuff.RST;
import static herd.inet.SkBuff.SYN;
import static herd.inet.TcpSock.TCP_SYN_RECV;

import herd.trace.Ftrace;

/**
 * net/ipv4/tcp_minisocks.c: a segment for a request sock ({@code tcp_check_req}), the
 * child it becomes ({@code tcp_create_openreq_child}) and the child's first segment
 * ({@code tcp_child_process}), which is where the listener's waiters are woken.
 */
final class TcpMinisocks {
    private TcpMinisocks() {
    }

    /**
     * {@code tcp_check_req()}: a retransmitted SYN gets the SYN-ACK again; a reset or a
     * stray SYN kills the request; the final ACK makes the child and moves it to the
     * accept queue ({@code inet_csk_complete_hashdance}). When the accept queue is full
     * ({@code listen_overflow}) the ACK is dropped and the request marked acked, unless
     * {@code tcp_abort_on_overflow} asks for a reset. Returns the queued child, or null.
     */
    static TcpSock tcpCheckReq(TcpSock sk, SkBuff skb, RequestSock req) {
        try (var fn = Ftrace.enter("tcp_check_req")) {
            if (skb.flags() == SYN) {
                req.numRetrans++;
                TcpOutput.tcpV4SendSynack(sk.net, req); // inet_rtx_syn_ack
                return null;
            }
            if ((skb.flags() & (RST | SYN)) != 0) {
                embryonicReset(sk, skb, req);
                return null;
            }
            if (!skb.has(ACK)) {
                return null;
            }
            return completeOnAck(sk, skb, req);
        }
    }

    /** The final ACK's part of {@code tcp_check_req}: the child, or the overflow. */
    private static TcpSock completeOnAck(TcpSock sk, SkBuff skb, RequestSock req) {
        // @exercise L03-E2 tcp_check_req on the final ACK: get the child from tcp_v4_syn_recv_sock; none
        //   means listen_overflow (mark the request acked, or reset it if tcp_abort_on_overflow); else
        //   inet_csk_complete_hashdance
        boolean[] ownReq = new boolean[1];
        TcpSock child = TcpIpv4.tcpV4SynRecvSock(sk, skb, req, ownReq);
        if (child == null) {
            if (sk.net.tcpAbortOnOverflow == 0) {
                req.acked = true;
                return null;
            }
            embryonicReset(sk, skb, req);
            return null;
        }
        return InetConnectionSock.inetCskCompleteHashdance(sk, child, req, ownReq[0]);
        // @end L03-E2
    }

    /** {@code embryonic_reset}: answers with a reset (unless the segment was one) and drops the request. */
    private static void embryonicReset(TcpSock sk, SkBuff skb, RequestSock req) {
        if (!skb.has(RST)) {
            TcpOutput.tcpV4SendReset(sk.net, skb);
        }
        InetConnectionSock.inetCskReqskQueueDrop(sk, req);
    }

    /**
     * {@code tcp_create_openreq_child()}: the connection's own socket, a copy of the
     * listener ({@code sk_clone_lock}) in {@code SYN_RECV}, holding the listener's port
     * ({@code __inet_inherit_port}).
     */
    static TcpSock tcpCreateOpenreqChild(TcpSock sk, RequestSock req) {
        TcpSock newsk = new TcpSock(sk.net, sk.skUid);
        newsk.skLock.slock.lock(); // sk_clone_lock: the clone comes back locked (bh_lock_sock) until tcp_child_process
        newsk.skReuse = sk.skReuse;
        newsk.skReuseport = sk.skReuseport;
        newsk.skRcvtimeo = sk.skRcvtimeo;
        newsk.rcvSaddr = req.locAddr;
        newsk.num = req.locPort;
        newsk.daddr = req.rmtAddr;
        newsk.dport = req.rmtPort;
        newsk.skState = TCP_SYN_RECV;
        sk.net.hashinfo.inheritPort(newsk);
        sk.net.incStats(Mib.PASSIVE_OPENS);
        return newsk;
    }

    /**
     * {@code tcp_child_process()}: the child, already in the accept queue, processes the
     * ACK; if that moved it out of {@code SYN_RECV} (it is {@code ESTABLISHED}) the listener's
     * {@code sk_data_ready} runs: one wake-up per connection, after it is queued. A child a
     * task already owns keeps the segment on its backlog. The child comes here still locked
     * by {@code sk_clone_lock} (so an acceptor's {@code lock_sock} waits until it is done)
     * and is unlocked at the end. Returns non-zero for a reset.
     */
    static int tcpChildProcess(TcpSock parent, TcpSock child, SkBuff skb) {
        try (var fn = Ftrace.enter("tcp_child_process")) {
            // @exercise L03-E2 tcp_child_process: the child is still bh-locked by sk_clone_lock; if no task
            //   owns it run tcp_rcv_state_process on it and, if that moved it out of SYN_RECV, call the
            //   parent's sk_data_ready; else add the segment to the child's backlog; finally
            //   bh_unlock_sock(child)
            int ret = 0;
            int state = child.skState;
            try { // the child is still locked by sk_clone_lock
                if (!child.skLock.ownedByUser()) {
                    ret = TcpInput.tcpRcvStateProcess(child, skb) ? 1 : 0;
                    if (state == TCP_SYN_RECV && child.skState != state) {
                        parent.skDataReady.accept(parent);
                    }
                } else {
                    child.skLock.addBacklog(skb);
                }
            } finally {
                child.skLock.slock.unlock();
            }
            return ret;
            // @end L03-E2
        }
    }
}
