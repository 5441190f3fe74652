package herd.inet;

import static herd.inet.SkBuff.ACK;
import static herd.inet.SkBuff.FIN;
import static herd.inet.SkBuff.PSH;
import static herd.inet.SkBuff.RST;
import static herd.inet.SkBuff.SYN;

import herd.trace.Ftrace;
import java.util.Arrays;

/**
 * The segments a socket sends (net/ipv4/tcp_output.c, and {@code tcp_v4_send_synack},
 * {@code tcp_v4_send_reset} of tcp_ipv4.c), each handed to the loopback.
 */
final class TcpOutput {
    private TcpOutput() {
    }

    private static SkBuff segment(TcpSock sk, int flags, byte[] data) {
        return new SkBuff(sk.rcvSaddr, sk.num, sk.daddr, sk.dport, flags, data);
    }

    /**
     * {@code tcp_connect()}: arms the retransmit timer ({@code TCP_TIMEOUT_INIT}), then
     * sends the SYN. (A SYN-ACK that comes back at once, on the loopback, disarms it.)
     */
    static void tcpConnect(TcpSock sk) {
        try (var fn = Ftrace.enter("tcp_connect")) {
            sk.net.incStats(Mib.ACTIVE_OPENS);
            sk.icskRetransmits = 0;
            sk.icskRto = TcpTimer.TCP_TIMEOUT_INIT;
            TcpTimer.inetCskResetXmitTimer(sk);
            Loopback.xmit(sk.net, segment(sk, SYN, new byte[0]));
        }
    }

    /** {@code tcp_retransmit_skb()} of the SYN, from the retransmit timer. */
    static void tcpRetransmitSyn(TcpSock sk) {
        try (var fn = Ftrace.enter("tcp_retransmit_skb")) {
            Loopback.xmit(sk.net, segment(sk, SYN, new byte[0]));
        }
    }

    /** {@code tcp_v4_send_synack()}: the listener's answer to a SYN, from the request sock. */
    static void tcpV4SendSynack(Net net, RequestSock req) {
        try (var fn = Ftrace.enter("tcp_v4_send_synack")) {
            Loopback.xmit(net, new SkBuff(req.locAddr, req.locPort, req.rmtAddr, req.rmtPort, SYN | ACK));
        }
    }

    /** {@code tcp_send_ack()}. */
    static void tcpSendAck(TcpSock sk) {
        try (var fn = Ftrace.enter("tcp_send_ack")) {
            Loopback.xmit(sk.net, segment(sk, ACK, new byte[0]));
        }
    }

    /** {@code tcp_push()} of {@code count} bytes: one segment. */
    static void tcpPush(TcpSock sk, byte[] buf, int count) {
        Loopback.xmit(sk.net, segment(sk, PSH | ACK, Arrays.copyOf(buf, count)));
    }

    /** {@code tcp_send_fin()}. */
    static void tcpSendFin(TcpSock sk) {
        Loopback.xmit(sk.net, segment(sk, FIN | ACK, new byte[0]));
    }

    /** {@code tcp_send_active_reset()}: tells the peer the connection is gone. */
    static void tcpSendActiveReset(TcpSock sk) {
        sk.net.incStats(Mib.OUT_RSTS);
        Loopback.xmit(sk.net, segment(sk, RST | ACK, new byte[0]));
    }

    /** {@code tcp_v4_send_reset()}: the answer to a segment nobody takes; never to a reset. */
    static void tcpV4SendReset(Net net, SkBuff skb) {
        if (skb.has(RST)) {
            return;
        }
        try (var fn = Ftrace.enter("tcp_v4_send_reset")) {
            net.incStats(Mib.OUT_RSTS);
            Loopback.xmit(net, skb.reply(skb.has(ACK) ? RST : RST | ACK));
        }
    }
}
