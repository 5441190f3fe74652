package herd.inet;

import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Sockets.SERVER;
import static herd.course.kit.Sockets.listener;
import static herd.course.kit.Sockets.sk;
import static herd.course.kit.Sockets.socket;
import static herd.course.kit.Sockets.state;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static herd.inet.InetTests.request;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Io;
import herd.course.kit.Schedulers;
import herd.fs.PollFd;
import herd.fs.Select;
import herd.fs.Vfs;
import herd.sched.DeterministicScheduler;
import herd.sched.Task;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A request sock between the SYN and the final ACK (net/ipv4/tcp_minisocks.c,
 * {@code tcp_check_req}): a retransmitted SYN, a reset, a stray SYN, a segment without ACK;
 * and the final ACK's races with another CPU ({@code inet_csk_complete_hashdance},
 * {@code inet_csk_reqsk_queue_add}), which the tests play by calling {@code tcp_check_req}
 * as the other CPU's {@code tcp_v4_rcv} would, after its lookup found the request.
 *
 * <p>Segments a client's kernel would send but the model's client never does (a reset, a
 * stray SYN) are made by the test, as a packet generator would.
 */
class RequestSockTest {
    private static final int LOOPBACK = SockaddrIn.INADDR_LOOPBACK;

    @AutoClose
    private final Schedulers schedulers = new Schedulers();
    private final DeterministicScheduler sched = schedulers.deterministic(1);

    /**
     * Records every segment the loopback carries, as tcpdump prints it, and drops those
     * {@code drop} matches (marked "dropped").
     */
    private static List<String> tcpdump(Predicate<SkBuff> drop) {
        List<String> seen = new CopyOnWriteArrayList<>();
        Net.current().setDropFilter(skb -> {
            boolean dropped = drop.test(skb);
            seen.add(skb + (dropped ? " dropped" : ""));
            return dropped;
        });
        return seen;
    }

    /** A segment from the client at {@code port} to 127.0.0.1:80. */
    private static SkBuff fromClient(int port, int flags) {
        return new SkBuff(LOOPBACK, port, LOOPBACK, SERVER.port(), flags);
    }

    /**
     * A non-blocking client whose handshake stops at the request sock: its final ACK is
     * dropped, so the request stays in the listener's SYN queue and the client is
     * ESTABLISHED. Returns the client's fd; the drop filter is cleared.
     */
    private static int clientWithoutFinalAck() {
        tcpdump(skb -> skb.flags() == SkBuff.ACK);
        int c = socket(Socket.SOCK_NONBLOCK);
        assertThat(errno(SocketCalls.connect(c, SERVER, SockaddrIn.SIZE))).isEqualTo("EINPROGRESS");
        Net.current().setDropFilter(skb -> false);
        assertThat(request(sk(c).num)).as("the request waits for the final ACK").isNotNull();
        return c;
    }

    /** {@code tcp_check_req} as another CPU's {@code tcp_v4_rcv} runs it after its lookup: in the NET_RX softirq. */
    private static TcpSock tcpCheckReqInSoftirq(TcpSock listener, SkBuff skb, RequestSock req) {
        Loopback.localBhDisable();
        try {
            return TcpMinisocks.tcpCheckReq(listener, skb, req);
        } finally {
            Loopback.localBhEnable(); // what it sent goes out now
        }
    }

    @Test
    @DisplayName("A retransmitted SYN for a request in the SYN queue gets the SYN-ACK again (inet_rtx_syn_ack, "
            + "num_retrans 1), not a second request; that SYN-ACK completes the handshake")
    void aRetransmittedSynGetsTheSynAckAgain() {
        inProcess(sched, () -> {
            TcpSock listener = sk(listener(4, 0));
            int[] synAcks = {0};
            List<String> seen = tcpdump(skb -> skb.flags() == (SkBuff.SYN | SkBuff.ACK) && synAcks[0]++ == 0);
            int c = socket(Socket.SOCK_NONBLOCK);
            assertThat(errno(SocketCalls.connect(c, SERVER, SockaddrIn.SIZE))).isEqualTo("EINPROGRESS");
            RequestSock req = request(sk(c).num);
            assertThat(state(c)).as("the first SYN-ACK was lost").isEqualTo("SYN-SENT");
            assertThat(listener.icskAcceptQueue.len()).as("one request in the SYN queue").isEqualTo(1);

            Select.poll(new PollFd[0], 1500); // the client's timer resends the SYN at 1 s

            assertThat(seen).as("the SYN, its SYN-ACK (lost), the SYN resent at 1 s, the SYN-ACK again, the final ACK")
                    .containsExactly(
                            "127.0.0.1.32768 > 127.0.0.1.80: Flags [S]",
                            "127.0.0.1.80 > 127.0.0.1.32768: Flags [S.] dropped",
                            "127.0.0.1.32768 > 127.0.0.1.80: Flags [S]",
                            "127.0.0.1.80 > 127.0.0.1.32768: Flags [S.]",
                            "127.0.0.1.32768 > 127.0.0.1.80: Flags [.]");
            assertThat(req.numRetrans).as("tcp_check_req counted the SYN-ACK it sent again").isEqualTo(1);
            assertThat(listener.icskAcceptQueue.acceptQueue()).as("the same request, completed").containsExactly(req);
            assertThat(listener.icskAcceptQueue.len()).as("the SYN queue is empty again").isZero();
            assertThat(state(c)).isEqualTo("ESTAB");
        });
    }

    @Test
    @DisplayName("A reset for a request sock drops it silently (embryonic_reset never answers a reset): the SYN "
            + "queue is empty, the client's next segment finds only the listener")
    void aResetDropsTheRequestSilently() {
        inProcess(sched, () -> {
            TcpSock listener = sk(listener(4, 0));
            int c = clientWithoutFinalAck();
            int port = sk(c).num;
            List<String> seen = tcpdump(skb -> false);
            long resets = Net.current().stat(Mib.OUT_RSTS);

            Loopback.xmit(listener.net, fromClient(port, SkBuff.RST));

            assertThat(seen).as("the reset, unanswered").containsExactly("127.0.0.1.32768 > 127.0.0.1.80: Flags [R]");
            assertThat(Net.current().stat(Mib.OUT_RSTS)).isEqualTo(resets);
            assertThat(request(port)).as("inet_csk_reqsk_queue_drop: out of the established hash").isNull();
            assertThat(listener.icskAcceptQueue.len()).as("and out of the SYN queue").isZero();
            assertThat(listener.icskAcceptQueue.acceptQueue()).isEmpty();
        });
    }

    @Test
    @DisplayName("Data from a client whose request was dropped finds only the listener, which answers any segment "
            + "with ACK with a reset (tcp_rcv_state_process, TCP_LISTEN: th->ack, return 1): the client, "
            + "ESTABLISHED all along, gets ECONNRESET")
    void aListenerResetsASegmentWithAck() {
        inProcess(sched, () -> {
            TcpSock listener = sk(listener(4, 0));
            int c = clientWithoutFinalAck();
            Loopback.xmit(listener.net, fromClient(sk(c).num, SkBuff.RST)); // drops the request
            List<String> seen = tcpdump(skb -> false);

            assertThat(Io.send(c, "hi")).isEqualTo("2");

            assertThat(seen).as("no request, no child: the listener's reset").containsExactly(
                    "127.0.0.1.32768 > 127.0.0.1.80: Flags [P.], length 2",
                    "127.0.0.1.80 > 127.0.0.1.32768: Flags [R]");
            assertThat(listener.icskAcceptQueue.len()).as("and no new request").isZero();
            assertThat(state(c)).isEqualTo("UNCONN");
            assertThat(Io.recv(c, 8)).isEqualTo("ECONNRESET");
        });
    }

    @Test
    @DisplayName("A stray SYN|ACK for a request sock is answered with a reset and drops the request (embryonic_reset); "
            + "the reset refuses the client")
    void aStraySynIsResetAndDropsTheRequest() {
        inProcess(sched, () -> {
            TcpSock listener = sk(listener(4, 0));
            int c = socket(Socket.SOCK_NONBLOCK);
            tcpdump(skb -> skb.flags() == (SkBuff.SYN | SkBuff.ACK));
            assertThat(errno(SocketCalls.connect(c, SERVER, SockaddrIn.SIZE))).isEqualTo("EINPROGRESS");
            int port = sk(c).num;
            assertThat(state(c)).as("the SYN-ACK was lost").isEqualTo("SYN-SENT");
            List<String> seen = tcpdump(skb -> false);

            Loopback.xmit(listener.net, fromClient(port, SkBuff.SYN | SkBuff.ACK));

            assertThat(seen).as("tcp_check_req: SYN in a segment that is not a plain retransmitted SYN")
                    .containsExactly("127.0.0.1.32768 > 127.0.0.1.80: Flags [S.]",
                            "127.0.0.1.80 > 127.0.0.1.32768: Flags [R]");
            assertThat(request(port)).as("the request is dropped").isNull();
            assertThat(listener.icskAcceptQueue.len()).isZero();
            assertThat(state(c)).as("the reset reached the connecting client: tcp_reset in SYN_SENT")
                    .isEqualTo("UNCONN");
            assertThat(errno(-sk(c).skErr)).isEqualTo("ECONNREFUSED");
        });
    }

    @Test
    @DisplayName("A segment without ACK for a request sock (here a bare FIN) is ignored: no answer, the request stays")
    void aSegmentWithoutAckIsIgnored() {
        inProcess(sched, () -> {
            TcpSock listener = sk(listener(4, 0));
            int c = clientWithoutFinalAck();
            int port = sk(c).num;
            RequestSock req = request(port);
            List<String> seen = tcpdump(skb -> false);

            Loopback.xmit(listener.net, fromClient(port, SkBuff.FIN));

            assertThat(seen).as("tcp_check_req: !(flg & TCP_FLAG_ACK) returns NULL")
                    .containsExactly("127.0.0.1.32768 > 127.0.0.1.80: Flags [F]");
            assertThat(request(port)).isSameAs(req);
            assertThat(listener.icskAcceptQueue.len()).isEqualTo(1);
            assertThat(req.child()).isNull();
        });
    }

    @Test
    @DisplayName("A final ACK that meets a listener closing on another CPU: inet_csk_reqsk_queue_add finds it no "
            + "longer LISTEN and forgets the child (reset to the client); the child's lock is released")
    void aFinalAckThatMeetsAClosingListenerForgetsTheChild() {
        inProcess(sched, () -> {
            int lfd = listener(4, 0);
            TcpSock listener = sk(lfd);
            int c = clientWithoutFinalAck();
            int port = sk(c).num;
            RequestSock req = request(port);
            check(Vfs.close(lfd)); // this CPU closes the listener...
            List<String> seen = tcpdump(skb -> false);

            // ...while the other's tcp_v4_rcv, which found the request and its listener still LISTEN, goes on
            TcpSock child = tcpCheckReqInSoftirq(listener, fromClient(port, SkBuff.ACK), req);

            assertThat(child).as("no child for tcp_child_process").isNull();
            assertThat(seen).as("inet_child_forget: the child resets the connection")
                    .containsExactly("127.0.0.1.80 > 127.0.0.1.32768: Flags [R.]");
            assertThat(state(c)).isEqualTo("UNCONN");
            assertThat(errno(-sk(c).skErr)).isEqualTo("ECONNRESET");
            assertThat(listener.icskAcceptQueue.acceptQueue()).as("nothing queued on the closed listener").isEmpty();
            assertThat(listener.icskAcceptQueue.len()).as("the request left the SYN queue").isZero();
            assertThat(Task.current().preemptCount())
                    .as("bh_unlock_sock(child): no spinlock left held, preemption is on again").isZero();
            assertThat(SocketCalls.bind(socket(0), SERVER, SockaddrIn.SIZE))
                    .as("the forgotten child gave port 80 back (tcp_set_state(CLOSE))").isZero();
        });
    }

    @Test
    @DisplayName("A final ACK whose request another CPU dropped first: the child does not own the request "
            + "(inet_ehash_nolisten fails), gives the port back and is unlocked; nothing is queued")
    void aFinalAckThatLosesTheRequestUndoesTheChild() {
        inProcess(sched, () -> {
            int lfd = listener(4, 0);
            TcpSock listener = sk(lfd);
            int c = clientWithoutFinalAck();
            int port = sk(c).num;
            RequestSock req = request(port);
            assertThat(InetConnectionSock.inetCskReqskQueueDrop(listener, req)).as("the other CPU drops it").isTrue();
            assertThat(InetConnectionSock.inetCskReqskQueueDrop(listener, req)).as("a second drop finds it gone")
                    .isFalse();
            assertThat(listener.icskAcceptQueue.len()).as("counted out of the SYN queue once").isZero();
            long passiveOpens = Net.current().stat(Mib.PASSIVE_OPENS);

            TcpSock child = tcpCheckReqInSoftirq(listener, fromClient(port, SkBuff.ACK), req);

            assertThat(child).isNull();
            assertThat(Net.current().stat(Mib.PASSIVE_OPENS)).as("tcp_v4_syn_recv_sock made a child")
                    .isEqualTo(passiveOpens + 1);
            assertThat(listener.icskAcceptQueue.acceptQueue()).as("it was not queued").isEmpty();
            assertThat(listener.icskAcceptQueue.len()).as("the SYN queue counted the request out once").isZero();
            assertThat(req.child()).isNull();
            assertThat(Task.current().preemptCount()).as("bh_unlock_sock(child)").isZero();
            check(Vfs.close(lfd));
            assertThat(SocketCalls.bind(socket(0), SERVER, SockaddrIn.SIZE))
                    .as("inet_put_port(child): once the listener is closed, nobody holds port 80").isZero();
            assertThat(Io.send(c, "x")).as("the client is ESTABLISHED; its data finds nobody").isEqualTo("1");
            assertThat(state(c)).as("and earns a reset").isEqualTo("UNCONN");
        });
    }
}
