package herd.inet;

import herd.net.StreamSock;
import herd.sched.Sched;
import herd.sched.TimerList;
import herd.socket.SockaddrIn;
import herd.socket.Socket;

/**
 * {@code struct tcp_sock} with the {@code inet_connection_sock}, {@code inet_sock} and
 * {@code struct sock} fields the model uses: the state, the two ends, the socket options,
 * the listener's queues and limits, and the socket lock.
 */
public final class TcpSock extends StreamSock {
    /** {@code TCP_ESTABLISHED}. */
    public static final int TCP_ESTABLISHED = 1;
    /** {@code TCP_SYN_SENT}. */
    public static final int TCP_SYN_SENT = 2;
    /** {@code TCP_SYN_RECV}. */
    public static final int TCP_SYN_RECV = 3;
    /** {@code TCP_CLOSE}. */
    public static final int TCP_CLOSE = 7;
    /** {@code TCP_CLOSE_WAIT}. */
    public static final int TCP_CLOSE_WAIT = 8;
    /** {@code TCP_LISTEN}. */
    public static final int TCP_LISTEN = 10;
    /** {@code TCP_NEW_SYN_RECV}: the state of a request sock. */
    public static final int TCP_NEW_SYN_RECV = 12;

    /** {@code sock_net(sk)}. */
    public final Net net;
    /** {@code sk_uid}: the owner, for the {@code SO_REUSEPORT} rule. */
    public final int skUid;
    /** {@code sk_state}. */
    public volatile int skState = TCP_CLOSE;
    /** {@code sk_reuse}: {@code SO_REUSEADDR}. */
    public volatile boolean skReuse;
    /** {@code sk_reuseport}: {@code SO_REUSEPORT}. */
    public volatile boolean skReuseport;
    /** {@code sk_rcvtimeo} in nanoseconds: {@link Sched#MAX_SCHEDULE_TIMEOUT} blocks forever. */
    public volatile long skRcvtimeo = Sched.MAX_SCHEDULE_TIMEOUT;
    /** {@code sk_err}: a pending error ({@code ECONNREFUSED}, {@code ETIMEDOUT}...), as a positive errno. */
    public volatile int skErr;
    /** {@code sk_max_ack_backlog}: the backlog {@code listen()} stored. */
    public volatile int skMaxAckBacklog;
    /** {@code sk_ack_backlog}: connections in the accept queue. */
    public volatile int skAckBacklog;
    /** {@code icsk_accept_queue}: the listener's accept queue and SYN queue length. */
    public final RequestSockQueue icskAcceptQueue = new RequestSockQueue();
    /** {@code inet_rcv_saddr}, {@code inet_num}: the local end; port 0 until bound. */
    public volatile int rcvSaddr;
    public volatile int num;
    /** {@code inet_daddr}, {@code inet_dport}: the peer, once connected. */
    public volatile int daddr;
    public volatile int dport;
    /** {@code SOCK_BINDPORT_LOCK} in {@code sk_userlocks}: {@code bind()} chose the port, so only the last close gives it back. */
    volatile boolean bindPortLock;
    /** {@code SOCK_BINDADDR_LOCK} in {@code sk_userlocks}: {@code bind()} chose the address, so a disconnect keeps it. */
    volatile boolean bindAddrLock;
    /** {@code sk_reuseport_cb}: the reuseport group of a listener with {@code SO_REUSEPORT}. */
    volatile SockReuseport skReuseportCb;
    /** {@code SOCK_DEAD}: no file refers to the socket any more. */
    volatile boolean dead;
    /** {@code icsk_retransmits}: how often the unanswered SYN was resent. */
    int icskRetransmits;
    /** {@code icsk_rto}: the retransmission timeout, {@code TCP_TIMEOUT_INIT} doubled at each resend. */
    long icskRto;
    /** {@code icsk_retransmit_timer}: runs {@code tcp_write_timer} ({@code ICSK_TIME_RETRANS}). */
    final TimerList icskRetransmitTimer;
    /** {@code TCP_WRITE_TIMER_DEFERRED} in {@code sk_tsq_flags}: the timer fired while a task owned the socket. */
    boolean writeTimerDeferred;
    /** {@code sk_lock}; {@code release_sock} ends with {@code tcp_release_cb}. */
    final SockLock skLock = new SockLock(skb -> TcpIpv4.tcpV4DoRcv(this, skb), () -> TcpTimer.tcpReleaseCb(this));

    /** {@code sk_alloc()} for user {@code uid} in {@code net}. */
    public TcpSock(Net net, int uid) {
        super("tcp.sk_wq");
        this.net = net;
        this.skUid = uid;
        this.icskRetransmitTimer = new TimerList(net.scheduler, () -> TcpTimer.tcpWriteTimer(this));
    }

    /** {@code sk_acceptq_is_full()}: the accept queue is full only ABOVE the backlog. */
    public boolean skAcceptqIsFull() {
        // @exercise L03-E1 sk_acceptq_is_full: full only when sk_ack_backlog is strictly greater than
        //   sk_max_ack_backlog
        return skAckBacklog > skMaxAckBacklog;
        // @end L03-E1
    }

    /** {@code sock_rcvtimeo()}: how long a receive (or {@code accept}) may block; 0 for a non-blocking call. */
    public long sockRcvtimeo(boolean noblock) {
        return noblock ? 0 : skRcvtimeo;
    }

    /** {@code lock_sock()}. */
    public void lockSock() {
        skLock.lockSock();
    }

    /** {@code release_sock()}: also processes segments that arrived meanwhile. */
    public void releaseSock() {
        skLock.releaseSock();
    }

    /** The local end. */
    public SockaddrIn local() {
        return new SockaddrIn(Socket.AF_INET, num, rcvSaddr);
    }

    /** The peer. */
    public SockaddrIn peer() {
        return new SockaddrIn(Socket.AF_INET, dport, daddr);
    }

    /** A state's name as {@code ss} prints it. */
    public static String stateName(int state) {
        return switch (state) {
            case TCP_ESTABLISHED -> "ESTAB";
            case TCP_SYN_SENT -> "SYN-SENT";
            case TCP_SYN_RECV -> "SYN-RECV";
            case TCP_CLOSE -> "UNCONN";
            case TCP_CLOSE_WAIT -> "CLOSE-WAIT";
            case TCP_LISTEN -> "LISTEN";
            case TCP_NEW_SYN_RECV -> "NEW-SYN-RECV";
            default -> Integer.toString(state);
        };
    }

    @Override
    public String toString() {
        return "tcp " + stateName(skState) + " " + SockaddrIn.ntoa(rcvSaddr) + ":" + num
                + (skState == TCP_LISTEN || dport == 0 ? "" : " -> " + SockaddrIn.ntoa(daddr) + ":" + dport);
    }
}
