package herd.net;

import static herd.fs.Poll.EPOLLERR;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLPRI;
import static herd.fs.Poll.EPOLLRDBAND;
import static herd.fs.Poll.EPOLLRDNORM;

import herd.trace.Ftrace;
import herd.wait.WaitQueueHead;
import java.util.function.Consumer;

/**
 * {@code struct sock} (include/net/sock.h), the parts every protocol shares: the wait
 * queue that readers, writers and pollers of the socket sleep on, the shutdown state,
 * and the callbacks a protocol calls when something changes. Their defaults are
 * net/core/sock.c's {@code sock_def_*}.
 */
public class Sock {
    /** {@code RCV_SHUTDOWN}: nothing more will arrive. */
    public static final int RCV_SHUTDOWN = 1;
    /** {@code SEND_SHUTDOWN}: nothing more may be sent. */
    public static final int SEND_SHUTDOWN = 2;
    /** {@code SHUTDOWN_MASK}: both. */
    public static final int SHUTDOWN_MASK = 3;

    /** {@code sk->sk_wq->wait} ({@code sk_sleep(sk)}): the socket's one wait queue. */
    public final WaitQueueHead skWq;
    /** {@code sk_shutdown}. */
    public volatile int skShutdown;
    /** {@code sk_data_ready}: called when data (or a connection) arrives. */
    public Consumer<Sock> skDataReady = Sock::sockDefReadable;
    /** {@code sk_state_change}: called when the connection's state changes (the peer closed). */
    public Consumer<Sock> skStateChange = Sock::sockDefWakeup;
    /** {@code sk_error_report}: called when an error is set, or the socket was disconnected. */
    public Consumer<Sock> skErrorReport = Sock::sockDefErrorReport;

    /** A socket whose wait queue is called {@code name} in reports. */
    public Sock(String name) {
        this.skWq = new WaitQueueHead(name);
    }

    /** {@code skwq_has_sleeper()}: someone waits on the socket (a sleeper or a poller such as epoll). */
    public boolean skwqHasSleeper() {
        return skWq.waitqueueActive();
    }

    /**
     * {@code sock_def_readable()}: wakes the socket's waiters with
     * {@code EPOLLIN|EPOLLPRI|EPOLLRDNORM|EPOLLRDBAND}, interruptible, one exclusive, sync.
     */
    public static void sockDefReadable(Sock sk) {
        try (var fn = Ftrace.enter("sock_def_readable")) {
            if (sk.skwqHasSleeper()) {
                sk.skWq.wakeUpInterruptibleSyncPoll(EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND);
            }
        }
    }

    /** {@code sock_def_wakeup()}: wakes every waiter, with no key. */
    public static void sockDefWakeup(Sock sk) {
        try (var fn = Ftrace.enter("sock_def_wakeup")) {
            if (sk.skwqHasSleeper()) {
                sk.skWq.wakeUpInterruptibleAll();
            }
        }
    }

    /** {@code sock_def_error_report()}: wakes the socket's waiters with {@code EPOLLERR}, interruptible, one exclusive. */
    public static void sockDefErrorReport(Sock sk) {
        try (var fn = Ftrace.enter("sock_def_error_report")) {
            if (sk.skwqHasSleeper()) {
                sk.skWq.wakeUpInterruptiblePoll(EPOLLERR);
            }
        }
    }

    @Override
    public String toString() {
        return skWq.toString();
    }
}
