package herd.inet;

import static herd.course.kit.Io.recv;
import static herd.course.kit.Io.send;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Sockets.accept;
import static herd.course.kit.Sockets.connectNonBlocking;
import static herd.course.kit.Sockets.listener;
import static herd.course.kit.Sockets.sk;
import static herd.course.kit.Sockets.state;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Schedulers;
import herd.fs.Process;
import herd.sched.DeterministicScheduler;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * net/ipv4/tcp_input.c {@code tcp_rcv_state_process} in the states the model's own peers
 * seldom or never send to: a socket closed while the segment waited on its backlog, a
 * connection in {@code CLOSE_WAIT}, a full socket in {@code SYN_RECV}. Its answer decides
 * whether {@code tcp_v4_do_rcv} sends a reset.
 *
 * <p>Segments the model's peers never send (a forged reset, a bare ACK) are made by the
 * test, as a packet generator would.
 */
class TcpRcvStateProcessTest {
    private static final int LOOPBACK = SockaddrIn.INADDR_LOOPBACK;

    @AutoClose
    private final Schedulers schedulers = new Schedulers();
    private final DeterministicScheduler sched = schedulers.deterministic(1);

    @Test
    @DisplayName("A segment that waited on the backlog while a reset closed the socket is dropped unanswered "
            + "(tcp_rcv_state_process, TCP_CLOSE: discard): the peer's connection is not reset")
    void aSegmentForASocketClosedMeanwhileIsDroppedUnanswered() {
        inProcess(sched, () -> {
            int lfd = listener(5, 0);
            int c = connectNonBlocking();
            int s = accept(lfd, Socket.SOCK_NONBLOCK);
            TcpSock client = sk(c);
            List<String> seen = Tcpdump.start();

            client.lockSock(); // a task owns the client: what arrives waits on its backlog
            Loopback.xmit(client.net, new SkBuff(LOOPBACK, 80, LOOPBACK, client.num, SkBuff.RST)); // forged
            assertThat(send(s, "late")).isEqualTo("4");
            client.releaseSock(); // the reset closes it; then the data finds it CLOSE

            assertThat(seen).as("the reset and the data, nothing back").containsExactly(
                    "127.0.0.1.80 > 127.0.0.1.32768: Flags [R]",
                    "127.0.0.1.80 > 127.0.0.1.32768: Flags [P.], length 4");
            assertThat(List.of(state(c), client.queued())).as("tcp_reset, then the data dropped")
                    .containsExactly("UNCONN", 0);
            assertThat(recv(c, 8)).isEqualTo("ECONNRESET");
            assertThat(state(s)).as("no reset reached the server").isEqualTo("ESTAB");
        });
    }

    @Test
    @DisplayName("A connection in CLOSE_WAIT answers no segment with a reset: the peer's bare ACK (of data, say) "
            + "is taken in silence (past LISTEN, SYN_SENT and SYN_RECV, tcp_rcv_state_process returns 0)")
    void aConnectionInCloseWaitDoesNotResetAnAck() {
        inProcess(sched, () -> {
            int lfd = listener(5, 0);
            int c = connectNonBlocking();
            int s = accept(lfd, Socket.SOCK_NONBLOCK);
            check(SocketCalls.shutdown(c, Socket.SHUT_WR));
            assertThat(state(s)).as("the client's FIN").isEqualTo("CLOSE-WAIT");
            assertThat(send(s, "data")).isEqualTo("4");
            TcpSock client = sk(c);
            List<String> seen = Tcpdump.start();

            Loopback.xmit(client.net, new SkBuff(LOOPBACK, client.num, LOOPBACK, 80, SkBuff.ACK)); // the client's ACK

            assertThat(seen).as("the ACK, unanswered").containsExactly("127.0.0.1.32768 > 127.0.0.1.80: Flags [.]");
            assertThat(List.of(state(s), state(c))).containsExactly("CLOSE-WAIT", "ESTAB");
            assertThat(recv(c, 8)).as("the client reads on").isEqualTo("data");
        });
    }

    @Test
    @DisplayName("A full socket in SYN_RECV (the kernel's simultaneous open and Fast Open keep one there; the "
            + "model's children only pass through it): a segment without ACK is dropped; a reset is taken "
            + "(tcp_reset: ECONNRESET, CLOSE) and, as every reset, never answered")
    void aSocketInSynRecvDropsASegmentWithoutAckAndTakesAReset() {
        inProcess(sched, () -> {
            TcpSock sk = new TcpSock(Net.current(), Process.current().user.uid());
            sk.rcvSaddr = LOOPBACK;
            sk.num = 80;
            sk.daddr = LOOPBACK;
            sk.dport = 40000;
            sk.skState = TcpSock.TCP_SYN_RECV;
            List<String> seen = Tcpdump.start();

            boolean resetFin = TcpInput.tcpRcvStateProcess(sk, new SkBuff(LOOPBACK, 40000, LOOPBACK, 80, SkBuff.FIN));
            String afterFin = TcpSock.stateName(sk.skState);
            boolean resetRst = TcpInput.tcpRcvStateProcess(sk, new SkBuff(LOOPBACK, 40000, LOOPBACK, 80, SkBuff.RST));

            assertThat(List.of(resetFin, afterFin)).as("no ACK: discard, nothing changes").containsExactly(false,
                    "SYN-RECV");
            assertThat(resetRst).as("a reset is never answered with a reset").isFalse();
            assertThat(List.of(TcpSock.stateName(sk.skState), errno(-sk.skErr))).containsExactly("UNCONN",
                    "ECONNRESET");
            assertThat(seen).as("nothing sent").isEmpty();
        });
    }
}
