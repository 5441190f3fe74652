package herd.inet;

import herd.sched.Sched;
import herd.sched.Task;
import herd.trace.Ftrace;
import java.util.ArrayDeque;

/**
 * The loopback device (drivers/net/loopback.c) and the receive half of net/core/dev.c.
 * {@code loopback_xmit} hands a segment to {@code netif_rx}, which queues it on this
 * CPU's backlog; the NET_RX softirq then runs at once in the sender's context, as it
 * does when {@code local_bh_enable} finds it raised, and feeds every queued segment to
 * {@code tcp_v4_rcv}, including the replies those segments cause. So a {@code connect()}
 * performs the whole handshake before it returns, on the client's CPU, as on Linux.
 * Code that runs with bottom halves off ({@link #localBhDisable}: a timer, or
 * {@code release_sock}'s {@code release_cb}) only queues; the softirq runs when they are
 * back on.
 */
public final class Loopback {
    /** {@code softnet_data}: one per CPU; in the model every task has its own thread, so one per thread. */
    private static final ThreadLocal<SoftnetData> SOFTNET = ThreadLocal.withInitial(SoftnetData::new);

    /** A segment on the backlog, with the namespace whose {@code tcp_v4_rcv} takes it. */
    private record Queued(Net net, SkBuff skb) {
    }

    private static final class SoftnetData {
        final ArrayDeque<Queued> inputPktQueue = new ArrayDeque<>();
        /** {@code softirq_count()}: in the softirq, or bottom halves disabled; nesting counts. */
        int bhDisabled;
    }

    private Loopback() {
    }

    /**
     * {@code loopback_xmit()}: sends {@code skb}; a segment the firewall rule of
     * {@link Net#setDropFilter} matches is lost. Must not be called with a spinlock held
     * outside the softirq, since the softirq runs here.
     */
    public static void xmit(Net net, SkBuff skb) {
        SoftnetData sd = SOFTNET.get();
        try (var fn = Ftrace.enter("loopback_xmit")) {
            if (net.dropped(skb)) {
                return;
            }
            sd.inputPktQueue.addLast(new Queued(net, skb)); // netif_rx -> enqueue_to_backlog
        }
        if (sd.bhDisabled == 0) {
            doSoftirq(sd);
        }
    }

    /** {@code local_bh_disable()}: segments sent from now on wait on the backlog. */
    static void localBhDisable() {
        SOFTNET.get().bhDisabled++;
    }

    /** {@code local_bh_enable()}: the last one runs the pending NET_RX softirq. */
    static void localBhEnable() {
        SoftnetData sd = SOFTNET.get();
        if (--sd.bhDisabled == 0 && !sd.inputPktQueue.isEmpty()) {
            doSoftirq(sd);
        }
    }

    /** {@code do_softirq()} -> {@code net_rx_action()} -> {@code process_backlog()}, with preemption off as in softirq context. */
    private static void doSoftirq(SoftnetData sd) {
        Task current = Task.current();
        sd.bhDisabled++;
        if (current != null) {
            current.preemptDisable();
        }
        try (var fn = Ftrace.enter("net_rx_action")) {
            Queued q;
            while ((q = sd.inputPktQueue.pollFirst()) != null) {
                TcpIpv4.tcpV4Rcv(q.net(), q.skb());
            }
        } finally {
            sd.inputPktQueue.clear(); // empty unless a segment's processing threw
            sd.bhDisabled--;
            if (current != null) {
                current.preemptEnableNoResched();
            }
        }
        Sched.condResched();
    }
}
