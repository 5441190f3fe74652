package herd.inet;

import herd.sched.Sched;
import herd.uapi.Errno;

/**
 * net/ipv4/tcp_timer.c, the one timer the model has: the retransmission of an unanswered
 * SYN. A blocking {@code connect()} sleeps until its deadline and runs it (the kernel
 * runs it from a timer interrupt; the effect on the connecting task is the same).
 */
final class TcpTimer {
    private TcpTimer() {
    }

    /**
     * {@code tcp_retransmit_timer()} for a SYN: after {@code tcp_syn_retries} resends the
     * connection fails with {@code ETIMEDOUT} ({@code tcp_write_err}); otherwise the SYN
     * goes again and the timeout doubles (1, 2, 4... seconds).
     */
    static void tcpRetransmitTimer(TcpSock sk) {
        if (sk.icskRetransmits >= sk.net.tcpSynRetries) {
            sk.skErr = Errno.ETIMEDOUT.number();
            Tcp.tcpDone(sk);
            return;
        }
        sk.icskRetransmits++;
        sk.icskTimeout = Sched.current().scheduler().clock() + (TcpOutput.TCP_TIMEOUT_INIT << sk.icskRetransmits);
        TcpOutput.tcpRetransmitSyn(sk);
    }
}
