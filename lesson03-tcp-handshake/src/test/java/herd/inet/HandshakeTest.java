package herd.inet;

import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Sockets.SERVER;
import static herd.course.kit.Sockets.listener;
import static herd.course.kit.Sockets.sk;
import static herd.course.kit.Sockets.socket;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static herd.inet.InetTests.listenerByHand;
import static herd.inet.InetTests.request;
import static herd.inet.TcpSock.TCP_CLOSE;
import static herd.inet.TcpSock.TCP_ESTABLISHED;
import static herd.inet.TcpSock.TCP_SYN_SENT;
import static org.assertj.core.api.Assertions.assertThat;

import herd.fs.Vfs;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import herd.uapi.Errno;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * L03-E2: the final ACK. {@code tcp_check_req} gets the child from
 * {@code tcp_v4_syn_recv_sock} (which refuses when the accept queue is full),
 * {@code inet_csk_reqsk_queue_add} queues it, and {@code tcp_child_process} moves it to
 * {@code ESTABLISHED} and calls the listener's {@code sk_data_ready} once.
 *
 * <p>The loopback is synchronous: a non-blocking {@code connect()} runs the whole handshake
 * before it returns {@code EINPROGRESS}. Nothing here polls (L03-E3) or accepts (L03-E4):
 * the listener's accept queue, the SNMP counters and a recording {@code sk_data_ready}
 * show what happened.
 */
@Tag("lesson03")
@Tag("L03-E2")
@DisplayName("L03-E2: the final ACK, the child in the accept queue and sk_data_ready")
class HandshakeTest {
    private static final int LOOPBACK = SockaddrIn.INADDR_LOOPBACK;
    /** The port the client whose final ACK is held binds to. */
    private static final int HELD_PORT = 40000;

    /** A non-blocking connect to 127.0.0.1:80 from {@code fd}, which must return EINPROGRESS. */
    private static void connect(int fd) {
        assertThat(errno(SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE)))
                .as("a non-blocking connect() returns EINPROGRESS (on the loopback the handshake ran inside it)")
                .isEqualTo("EINPROGRESS");
    }

    /** A new non-blocking client connected (or connecting) to 127.0.0.1:80; its fd. */
    private static int connect() {
        int fd = socket(Socket.SOCK_NONBLOCK);
        connect(fd);
        return fd;
    }

    /** The client ports of the connections in {@code listener}'s accept queue, oldest first. */
    private static List<Integer> queuedPorts(TcpSock listener) {
        return listener.icskAcceptQueue.acceptQueue().stream().map(req -> req.rmtPort).toList();
    }

    /** Replaces the listener's sk_data_ready with one that records the accept queue's length at each call. */
    private static List<Integer> recordDataReady(TcpSock listener) {
        List<Integer> calls = new ArrayList<>();
        listener.skDataReady = s -> calls.add(listener.icskAcceptQueue.acceptQueue().size());
        return calls;
    }

    /** Writes "hello" from client {@code fd}: one PSH|ACK segment, which carries an ACK for the server. */
    private static void writeHello(int fd) {
        assertThat(Vfs.write(fd, "hello".getBytes(), 5)).as("write(client, \"hello\", 5) on an ESTABLISHED client")
                .isEqualTo(5);
    }

    @Test
    @DisplayName("a final ACK for a request already in the SYN queue (put there by hand: no listen(), no SYN) makes the "
            + "child, moves it to the accept queue and wakes the listener once, after it is queued")
    void finalAckForARequestMadeByHand() {
        inProcess(() -> {
            TcpSock listener = sk(listenerByHand(4, 0));
            List<Integer> dataReady = recordDataReady(listener);
            RequestSock req = new RequestSock(listener, new SkBuff(LOOPBACK, HELD_PORT, LOOPBACK, SERVER.port(), SkBuff.SYN));
            InetConnectionSock.inetCskReqskQueueHashAdd(listener, req);
            assertThat(listener.icskAcceptQueue.len()).as("reqsk_queue_len: the request made by hand").isEqualTo(1);

            Loopback.xmit(listener.net, new SkBuff(LOOPBACK, HELD_PORT, LOOPBACK, SERVER.port(), SkBuff.ACK));

            assertThat(queuedPorts(listener)).as("the accept queue after the final ACK: the request, now with a child")
                    .containsExactly(HELD_PORT);
            assertThat(req.child()).as("req->sk, the child tcp_v4_syn_recv_sock made").isNotNull();
            assertThat(TcpSock.stateName(req.child().skState))
                    .as("the child after tcp_child_process ran the ACK through its state machine")
                    .isEqualTo(TcpSock.stateName(TCP_ESTABLISHED));
            assertThat(listener.icskAcceptQueue.len()).as("reqsk_queue_len: the request left the SYN queue").isZero();
            assertThat(listener.skAckBacklog).as("sk_ack_backlog: one connection in the accept queue").isEqualTo(1);
            assertThat(dataReady).as("the listener's sk_data_ready calls, each with the accept queue's length then: "
                    + "exactly one, with the child already queued").containsExactly(1);
        });
    }

    /**
     * include/net/inet_connection_sock.h and include/net/sock.h since "tcp/dccp: allow a
     * connection when sk_max_ack_backlog is zero" (January 2025, in every stable kernel):
     * {@code inet_csk_reqsk_queue_is_full} is {@code qlen > sk_max_ack_backlog}, as
     * {@code sk_acceptq_is_full} always was, so a listener with backlog 0 takes one
     * connection. (Before, {@code >=} dropped every SYN without syncookies.)
     */
    @Test
    @DisplayName("listen(fd, 0) completes and queues one connection; the next SYN finds the accept queue full (1 > 0) and is dropped")
    void listenZeroTakesOneConnection() {
        inProcess(() -> {
            TcpSock listener = sk(listener(0, 0));
            int first = connect();
            int second = connect();
            assertThat(TcpSock.stateName(sk(first).skState))
                    .as("the first client of a listener with backlog 0: its SYN found qlen 0, not > 0")
                    .isEqualTo(TcpSock.stateName(TCP_ESTABLISHED));
            assertThat(queuedPorts(listener)).as("the accept queue of listen(fd, 0): one connection")
                    .containsExactly(sk(first).num);
            assertThat(TcpSock.stateName(sk(second).skState))
                    .as("the second client: sk_ack_backlog 1 > sk_max_ack_backlog 0, its SYN was dropped")
                    .isEqualTo(TcpSock.stateName(TCP_SYN_SENT));
            assertThat(List.of(Net.current().stat(Mib.LISTEN_OVERFLOWS), Net.current().stat(Mib.REQ_Q_FULL_DROP)))
                    .as("[ListenOverflows, TCPReqQFullDrop]: the accept queue was full, the SYN queue was not")
                    .containsExactly(1L, 0L);
        });
    }

    @Test
    @DisplayName("a connect completes the handshake: one ESTABLISHED child with the right four-tuple in the accept queue, SYN queue empty")
    void connectLeavesOneEstablishedChildInTheAcceptQueue() {
        inProcess(() -> {
            TcpSock listener = sk(listener(4, 0));
            int cfd = connect();
            TcpSock client = sk(cfd);
            List<RequestSock> queue = listener.icskAcceptQueue.acceptQueue();
            assertThat(queue).as("the listener's accept queue after one connect").hasSize(1);
            RequestSock req = queue.get(0);
            TcpSock child = req.child();
            assertThat(child).as("req->sk: the completed request carries its child").isNotNull();
            assertThat(TcpSock.stateName(child.skState)).as("the child's state after the final ACK")
                    .isEqualTo(TcpSock.stateName(TCP_ESTABLISHED));
            assertThat(List.of(child.local().endpoint(), child.peer().endpoint()))
                    .as("the child's [local, peer]: the server's address, and the client's address and port")
                    .containsExactly("127.0.0.1:80", "127.0.0.1:" + client.num);
            assertThat(req.rmtPort).as("the request's client port").isEqualTo(client.num);
            assertThat(req.acked()).as("acked: the final ACK was not dropped").isFalse();
            assertThat(listener.skAckBacklog).as("sk_ack_backlog: one connection in the accept queue").isEqualTo(1);
            assertThat(listener.icskAcceptQueue.len()).as("reqsk_queue_len: the request left the SYN queue")
                    .isZero();
            assertThat(request(client.num)).as("the request sock in the established hash: the child replaced it")
                    .isNull();
            assertThat(Net.current().stat(Mib.PASSIVE_OPENS)).as("TcpPassiveOpens: one child created").isEqualTo(1);
            assertThat(Net.current().stat(Mib.ACTIVE_OPENS)).as("TcpActiveOpens: one connect").isEqualTo(1);
            assertThat(List.of(Net.current().stat(Mib.LISTEN_OVERFLOWS), Net.current().stat(Mib.LISTEN_DROPS)))
                    .as("[ListenOverflows, ListenDrops]: nothing was dropped").containsExactly(0L, 0L);
        });
    }

    @Test
    @DisplayName("the client's side: connect() returns with the client ESTABLISHED to 127.0.0.1:80")
    void clientIsEstablished() {
        inProcess(() -> {
            listener(4, 0);
            TcpSock client = sk(connect());
            assertThat(TcpSock.stateName(client.skState)).as("the client's state when connect() returned")
                    .isEqualTo(TcpSock.stateName(TCP_ESTABLISHED));
            assertThat(client.peer().endpoint()).as("the client's peer").isEqualTo("127.0.0.1:80");
            assertThat(client.num).as("the client's ephemeral port")
                    .isBetween(InetHashtables.LOCAL_PORT_LOW, InetHashtables.LOCAL_PORT_HIGH);
            assertThat(client.skErr).as("the client's pending error").isZero();
        });
    }

    @Test
    @DisplayName("sk_data_ready of the listener is called exactly once per connection, when the ESTABLISHED child is already queued")
    void dataReadyOnceAfterTheChildIsQueued() {
        inProcess(() -> {
            TcpSock listener = sk(listener(4, 0));
            List<String> seen = new ArrayList<>();
            listener.skDataReady = s -> {
                List<RequestSock> queue = listener.icskAcceptQueue.acceptQueue();
                seen.add("sk " + (s == listener ? "listener" : s) + ", queued " + queue.size() + ", child "
                        + (queue.isEmpty() ? "none" : TcpSock.stateName(queue.get(0).child().skState)));
            };
            connect();
            assertThat(seen)
                    .as("the calls of the listener's sk_data_ready during one connect (tcp_child_process calls it "
                            + "after inet_csk_reqsk_queue_add queued the child and the ACK made it ESTABLISHED)")
                    .containsExactly("sk listener, queued 1, child ESTAB");
        });
    }

    @ParameterizedTest(name = "{0} connects")
    @ValueSource(ints = {1, 3, 5})
    @DisplayName("N sequential connects: N sk_data_ready calls, and the accept queue is FIFO in connect order")
    void sequentialConnectsQueueInOrder(int n) {
        inProcess(() -> {
            TcpSock listener = sk(listener(8, 0));
            List<Integer> calls = recordDataReady(listener);
            List<Integer> ports = new ArrayList<>();
            List<Integer> expectedCalls = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ports.add(sk(connect()).num);
                expectedCalls.add(i + 1);
            }
            assertThat(calls).as("the accept queue's length at each sk_data_ready call: one call per connection, "
                    + "each after its child joined the queue").isEqualTo(expectedCalls);
            assertThat(queuedPorts(listener))
                    .as("client ports in the accept queue, head first: the tail is where inet_csk_reqsk_queue_add "
                            + "links, so it is connect order")
                    .isEqualTo(ports);
            assertThat(listener.icskAcceptQueue.acceptQueue().stream().map(r -> r.child().dport).toList())
                    .as("each queued child's peer port matches its request").isEqualTo(ports);
            assertThat(listener.skAckBacklog).as("sk_ack_backlog").isEqualTo(n);
            assertThat(Net.current().stat(Mib.PASSIVE_OPENS)).as("TcpPassiveOpens").isEqualTo(n);
        });
    }

    @ParameterizedTest(name = "backlog {0}")
    @ValueSource(ints = {1, 2, 4})
    @DisplayName("nobody accepting: backlog+1 connections complete; the next SYN is dropped (ListenOverflows, ListenDrops) and its client stays SYN_SENT")
    void acceptQueueHoldsBacklogPlusOne(int backlog) {
        inProcess(() -> {
            TcpSock listener = sk(listener(backlog, 0));
            List<Integer> calls = recordDataReady(listener);
            for (int i = 0; i < backlog + 1; i++) {
                TcpSock c = sk(connect());
                assertThat(TcpSock.stateName(c.skState))
                        .as("client #%d with backlog %d: the accept queue holds up to backlog+1", i + 1, backlog)
                        .isEqualTo(TcpSock.stateName(TCP_ESTABLISHED));
            }
            assertThat(listener.icskAcceptQueue.acceptQueue()).as("the accept queue with backlog %d", backlog)
                    .hasSize(backlog + 1);
            assertThat(listener.skAckBacklog).as("sk_ack_backlog").isEqualTo(backlog + 1);

            TcpSock late = sk(connect());
            assertThat(TcpSock.stateName(late.skState))
                    .as("the client whose SYN found the accept queue full: dropped silently, it waits to resend it")
                    .isEqualTo(TcpSock.stateName(TCP_SYN_SENT));
            assertThat(List.of(Net.current().stat(Mib.LISTEN_OVERFLOWS), Net.current().stat(Mib.LISTEN_DROPS),
                    Net.current().stat(Mib.REQ_Q_FULL_DROP)))
                    .as("[ListenOverflows, ListenDrops, TCPReqQFullDrop] after the dropped SYN")
                    .containsExactly(1L, 1L, 0L);
            assertThat(listener.icskAcceptQueue.acceptQueue()).as("the accept queue after the dropped SYN")
                    .hasSize(backlog + 1);
            assertThat(request(late.num)).as("a request sock for the dropped SYN").isNull();
            assertThat(calls).as("sk_data_ready calls: one per completed connection, none for the dropped SYN")
                    .hasSize(backlog + 1);
            assertThat(Net.current().stat(Mib.PASSIVE_OPENS)).as("TcpPassiveOpens").isEqualTo(backlog + 1);
        });
    }

    /** What {@link #heldAckOverflow} leaves: the listener, its recorder, the held client and the other ports. */
    private record Overflow(TcpSock listener, List<Integer> calls, int heldFd, RequestSock req, List<Integer> others) {
    }

    /**
     * listen(fd, 2); connection A completes; client B (port 40000) is admitted but its final
     * ACK is dropped, so its request stays in the SYN queue; connections C and D complete and
     * the accept queue holds 3 = backlog+1: full. Then the filter is lifted and B writes: the
     * PSH|ACK segment is the final ACK that finds the accept queue full.
     */
    private static Overflow heldAckOverflow() {
        TcpSock listener = sk(listener(2, 0));
        List<Integer> calls = recordDataReady(listener);
        List<Integer> others = new ArrayList<>();
        others.add(sk(connect()).num);

        Net.current().setDropFilter(skb -> skb.sport() == HELD_PORT && skb.flags() == SkBuff.ACK);
        int heldFd = socket(Socket.SOCK_NONBLOCK);
        check(SocketCalls.bind(heldFd, SockaddrIn.inet("127.0.0.1", HELD_PORT), SockaddrIn.SIZE));
        connect(heldFd);
        assertThat(TcpSock.stateName(sk(heldFd).skState))
                .as("client B got the SYN-ACK: it is ESTABLISHED although its final ACK was lost")
                .isEqualTo(TcpSock.stateName(TCP_ESTABLISHED));
        RequestSock req = request(HELD_PORT);
        assertThat(req).as("B's request sock: admitted while the accept queue had room").isNotNull();

        others.add(sk(connect()).num);
        others.add(sk(connect()).num);
        assertThat(queuedPorts(listener)).as("the accept queue before B's ACK: A, C, D = backlog+1, full")
                .isEqualTo(others);
        assertThat(listener.icskAcceptQueue.acceptQueue()).as("the accept queue before B's ACK: backlog+1, full")
                .hasSize(3);
        assertThat(listener.icskAcceptQueue.len()).as("reqsk_queue_len before B's ACK: B's request").isEqualTo(1);
        assertThat(calls).as("sk_data_ready calls before B's ACK: A, C and D").hasSize(3);

        Net.current().setDropFilter(skb -> false);
        return new Overflow(listener, calls, heldFd, req, others);
    }

    @Test
    @DisplayName("a final ACK that finds the accept queue full is dropped: ListenOverflows and ListenDrops +1, no child, no wake-up, the request stays, acked")
    void finalAckOnAFullAcceptQueueIsDropped() {
        inProcess(() -> {
            Overflow o = heldAckOverflow();
            writeHello(o.heldFd());
            assertThat(List.of(Net.current().stat(Mib.LISTEN_OVERFLOWS), Net.current().stat(Mib.LISTEN_DROPS)))
                    .as("[ListenOverflows, ListenDrops] after B's ACK met the full accept queue (tcp_v4_syn_recv_sock)")
                    .containsExactly(1L, 1L);
            assertThat(o.req().acked())
                    .as("B's request is marked acked (listen_overflow with tcp_abort_on_overflow 0)").isTrue();
            assertThat(o.req().child()).as("B's request has no child").isNull();
            assertThat(request(HELD_PORT)).as("B's request is still in the established hash").isSameAs(o.req());
            assertThat(o.listener().icskAcceptQueue.len()).as("reqsk_queue_len: B's request stays in the SYN queue")
                    .isEqualTo(1);
            assertThat(queuedPorts(o.listener())).as("the accept queue: A, C and D only").isEqualTo(o.others());
            assertThat(o.calls()).as("sk_data_ready calls: none for the dropped ACK").hasSize(3);
            assertThat(Net.current().stat(Mib.PASSIVE_OPENS)).as("TcpPassiveOpens: A, C and D only").isEqualTo(3);
            assertThat(TcpSock.stateName(sk(o.heldFd()).skState))
                    .as("B is not told: it stays ESTABLISHED").isEqualTo(TcpSock.stateName(TCP_ESTABLISHED));
        });
    }

    @Test
    @DisplayName("once the accept queue has room, the client's next segment completes the acked request and sk_data_ready fires once")
    void nextSegmentCompletesTheAckedRequestWhenRoomAppears() {
        inProcess(() -> {
            Overflow o = heldAckOverflow();
            writeHello(o.heldFd());
            RequestSock head = InetConnectionSock.reqskQueueRemove(o.listener().icskAcceptQueue, o.listener());
            assertThat(head.rmtPort).as("the connection taken out by hand: A, the head").isEqualTo(o.others().get(0));
            assertThat(o.calls()).as("sk_data_ready calls before B's next segment").hasSize(3);

            writeHello(o.heldFd());
            assertThat(o.calls()).as("the accept queue's length at each sk_data_ready call: A (1), C (2), D (3), "
                    + "then B (3 again, after A left): exactly one more call").containsExactly(1, 2, 3, 3);
            assertThat(queuedPorts(o.listener())).as("the accept queue, head first: C, D, then B at the tail")
                    .containsExactly(o.others().get(1), o.others().get(2), HELD_PORT);
            RequestSock last = o.listener().icskAcceptQueue.acceptQueue().get(2);
            assertThat(last).as("the request queued for B is the one that was in the SYN queue").isSameAs(o.req());
            assertThat(TcpSock.stateName(last.child().skState)).as("B's child")
                    .isEqualTo(TcpSock.stateName(TCP_ESTABLISHED));
            assertThat(o.listener().icskAcceptQueue.len()).as("reqsk_queue_len: B's request left the SYN queue")
                    .isZero();
            assertThat(List.of(Net.current().stat(Mib.LISTEN_OVERFLOWS), Net.current().stat(Mib.LISTEN_DROPS)))
                    .as("[ListenOverflows, ListenDrops]: only the first overflow").containsExactly(1L, 1L);
            assertThat(Net.current().stat(Mib.PASSIVE_OPENS)).as("TcpPassiveOpens: A, C, D and B").isEqualTo(4);
        });
    }

    @Test
    @DisplayName("with net.ipv4.tcp_abort_on_overflow = 1 the overflowing final ACK resets the client (ECONNRESET) and the request is gone")
    void abortOnOverflowResetsTheClient() {
        inProcess(() -> {
            Overflow o = heldAckOverflow();
            Net.current().tcpAbortOnOverflow = 1;
            long rstsBefore = Net.current().stat(Mib.OUT_RSTS);
            writeHello(o.heldFd());
            TcpSock b = sk(o.heldFd());
            assertThat(TcpSock.stateName(b.skState)).as("client B after the server's reset")
                    .isEqualTo(TcpSock.stateName(TCP_CLOSE));
            assertThat(b.skErr).as("B's pending error (sk_err) after a reset of an ESTABLISHED connection: ECONNRESET")
                    .isEqualTo(Errno.ECONNRESET.number());
            assertThat(Net.current().stat(Mib.OUT_RSTS) - rstsBefore).as("TcpOutRsts: one reset sent (embryonic_reset)")
                    .isEqualTo(1);
            assertThat(request(HELD_PORT)).as("B's request in the established hash: dropped").isNull();
            assertThat(o.listener().icskAcceptQueue.len()).as("reqsk_queue_len: B's request left the SYN queue")
                    .isZero();
            assertThat(o.req().child()).as("B's request got no child").isNull();
            assertThat(List.of(Net.current().stat(Mib.LISTEN_OVERFLOWS), Net.current().stat(Mib.LISTEN_DROPS)))
                    .as("[ListenOverflows, ListenDrops]: the overflow is counted as without abort")
                    .containsExactly(1L, 1L);
            assertThat(queuedPorts(o.listener())).as("the accept queue: A, C and D only").isEqualTo(o.others());
            assertThat(o.calls()).as("sk_data_ready calls: none for B").hasSize(3);
        });
    }
}
