package herd.inet;

import herd.socket.SockaddrIn;

/**
 * {@code struct request_sock} (include/net/request_sock.h) with the parts of
 * {@code inet_request_sock} the model needs: a connection between SYN and final ACK
 * ({@code TCP_NEW_SYN_RECV}), counted in its listener's SYN queue and found in the
 * established hash; on the accept queue it carries the child socket.
 */
public final class RequestSock {
    /** {@code rsk_listener}: the listener the SYN chose; the final ACK goes to it. */
    public final TcpSock rskListener;
    /** {@code ir_loc_addr}, {@code ir_num}: the local end. */
    public final int locAddr;
    public final int locPort;
    /** {@code ir_rmt_addr}, {@code ir_rmt_port}: the client. */
    public final int rmtAddr;
    public final int rmtPort;
    /** {@code inet_rsk(req)->acked}: a final ACK came but the accept queue was full. */
    volatile boolean acked;
    /** {@code num_retrans}: SYN-ACKs sent again for retransmitted SYNs. */
    volatile int numRetrans;
    /** {@code req->sk}: the child, once the handshake completed. */
    volatile TcpSock sk;
    /** When it joined the accept queue (virtual ns): what a probe on {@code inet_csk_reqsk_queue_add} records. */
    volatile long queuedAt;

    RequestSock(TcpSock listener, SkBuff syn) {
        this.rskListener = listener;
        this.locAddr = syn.daddr();
        this.locPort = syn.dport();
        this.rmtAddr = syn.saddr();
        this.rmtPort = syn.sport();
    }

    /** The established-hash key of this connection. */
    FourTuple key() {
        return new FourTuple(locAddr, locPort, rmtAddr, rmtPort);
    }

    /** True if a final ACK was dropped because the accept queue was full. */
    public boolean acked() {
        return acked;
    }

    /** The child socket, or null while the handshake is not complete. */
    public TcpSock child() {
        return sk;
    }

    @Override
    public String toString() {
        return "request_sock " + SockaddrIn.ntoa(rmtAddr) + ":" + rmtPort + " -> " + SockaddrIn.ntoa(locAddr) + ":"
                + locPort;
    }
}
