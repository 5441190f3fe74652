package herd.inet;

import static herd.inet.TcpSock.TCP_SYN_SENT;

import herd.uapi.Errno;

/**
 * net/ipv4/tcp_timer.c, the one timer the model has: the retransmission of an unanswered
 * SYN ({@code ICSK_TIME_RETRANS}). {@code tcp_connect} arms it; it runs in timer context,
 * whatever the connecting task does (sleeps in a blocking {@code connect()}, or went on
 * after a non-blocking one), and a SYN-ACK, a reset or the close disarms it.
 */
final class TcpTimer {
    /** {@code TCP_TIMEOUT_INIT}: the first SYN retransmission comes after one second. */
    static final long TCP_TIMEOUT_INIT = 1_000_000_000L;
    /** {@code TCP_RTO_MAX}: the timeout stops doubling at 120 s. */
    static final long TCP_RTO_MAX = 120_000_000_000L;

    private TcpTimer() {
    }

    /** {@code inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, icsk_rto, TCP_RTO_MAX)}: the timer runs {@code icsk_rto} from now. */
    static void inetCskResetXmitTimer(TcpSock sk) {
        sk.icskRetransmitTimer.modTimer(sk.net.clock() + Math.min(sk.icskRto, TCP_RTO_MAX));
    }

    /** {@code inet_csk_clear_xmit_timer(sk, ICSK_TIME_RETRANS)}. */
    static void inetCskClearXmitTimer(TcpSock sk) {
        sk.icskRetransmitTimer.delTimer();
    }

    /**
     * {@code tcp_write_timer()}, the timer's function: under {@code bh_lock_sock}, the work
     * is done at once unless a task owns the socket; then it is left for that task's
     * {@code release_sock} ({@code TCP_WRITE_TIMER_DEFERRED}, {@code tcp_release_cb}).
     * Segments it sends are received after it unlocks, as the NET_RX softirq runs after
     * the timer softirq.
     */
    static void tcpWriteTimer(TcpSock sk) {
        Loopback.localBhDisable();
        sk.skLock.slock.lock();
        try {
            if (!sk.skLock.ownedByUser()) {
                tcpWriteTimerHandler(sk);
            } else {
                sk.writeTimerDeferred = true;
            }
        } finally {
            sk.skLock.slock.unlock();
            Loopback.localBhEnable();
        }
    }

    /** {@code tcp_release_cb()}: the owner runs what the write timer left it. */
    static void tcpReleaseCb(TcpSock sk) {
        if (sk.writeTimerDeferred) {
            sk.writeTimerDeferred = false;
            tcpWriteTimerHandler(sk);
        }
    }

    /** {@code tcp_write_timer_handler()}: the retransmit timer's work, if the socket still waits for it. */
    private static void tcpWriteTimerHandler(TcpSock sk) {
        if (sk.skState == TCP_SYN_SENT) {
            tcpRetransmitTimer(sk);
        }
    }

    /**
     * {@code tcp_retransmit_timer()} for a SYN: after {@code tcp_syn_retries} resends the
     * connection fails with {@code ETIMEDOUT} ({@code tcp_write_timeout} ->
     * {@code tcp_write_err}); otherwise the SYN goes again, the timeout doubles
     * ({@code icsk_backoff}: 1, 2, 4... seconds) and the timer is armed again.
     */
    static void tcpRetransmitTimer(TcpSock sk) {
        if (sk.icskRetransmits >= sk.net.tcpSynRetries) {
            sk.skErr = Errno.ETIMEDOUT.number();
            Tcp.tcpDone(sk); // tcp_write_err: the owner is woken (sk_state_change)
            return;
        }
        TcpOutput.tcpRetransmitSyn(sk);
        sk.icskRetransmits++;
        sk.icskRto = Math.min(sk.icskRto << 1, TCP_RTO_MAX);
        inetCskResetXmitTimer(sk);
    }
}
