package herd.inet;

import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Sockets.SERVER;
import static herd.course.kit.Sockets.bound;
import static herd.course.kit.Sockets.listener;
import static herd.course.kit.Sockets.sk;
import static herd.course.kit.Sockets.sock;
import static herd.course.kit.Sockets.socket;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static herd.inet.InetTests.queueByHand;
import static herd.inet.InetTests.request;
import static herd.inet.TcpSock.TCP_CLOSE;
import static herd.inet.TcpSock.TCP_SYN_SENT;
import static org.assertj.core.api.Assertions.assertThat;

import herd.fs.EventFd;
import herd.sched.DeterministicScheduler;
import herd.socket.SockOptions;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * L03-E1: {@code listen()} ({@code __sys_listen}'s somaxconn cap, {@code inet_listen}) and
 * the two limits a SYN meets in {@code tcp_conn_request}: a full SYN queue
 * ({@code inet_csk_reqsk_queue_is_full}, {@code >} since "tcp/dccp: allow a connection
 * when sk_max_ack_backlog is zero", 2025) and a full accept queue
 * ({@code sk_acceptq_is_full}, {@code >}).
 *
 * <p>No handshake completes here (the final ACK runs L03-E2's code): the SYN-ACKs are
 * dropped with {@link Net#setDropFilter}, so requests stay in the SYN queue, and the
 * accept queue is filled by hand with fake connections.
 */
@Tag("lesson03")
@Tag("L03-E1")
@DisplayName("L03-E1: listen() and the queue limits of tcp_conn_request")
class ListenTest {
    private static final int LOOPBACK = SockaddrIn.INADDR_LOOPBACK;

    /** getsockopt(SO_ACCEPTCONN): 1 on a listener. */
    private static int acceptconn(int fd) {
        int[] val = {-1};
        check(SocketCalls.getsockopt(fd, SockOptions.SOL_SOCKET, SockOptions.SO_ACCEPTCONN, val, new int[] {4}));
        return val[0];
    }

    /** A non-blocking connect to 127.0.0.1:80 that must return EINPROGRESS; the client's fd. */
    private static int connect() {
        int fd = socket(Socket.SOCK_NONBLOCK);
        assertThat(errno(SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE)))
                .as("a non-blocking connect() returns EINPROGRESS while the handshake is not complete")
                .isEqualTo("EINPROGRESS");
        return fd;
    }

    /** Drops every SYN-ACK on the loopback: the requests stay in the SYN queue, no handshake completes. */
    private static void dropSynAcks() {
        Net.current().setDropFilter(skb -> skb.has(SkBuff.SYN | SkBuff.ACK));
    }

    // ---- listen() ---------------------------------------------------------------------------

    @ParameterizedTest(name = "listen(fd, {0})")
    @ValueSource(ints = {0, 1, 4, 128})
    @DisplayName("listen() stores the backlog in sk_max_ack_backlog and the socket becomes a listener on its port")
    void listenStoresTheBacklog(int backlog) {
        inProcess(() -> {
            int fd = bound(0);
            assertThat(errno(SocketCalls.listen(fd, backlog))).as("listen(bound socket, %d)", backlog).isEqualTo("0");
            TcpSock sk = sk(fd);
            assertThat(sk.skMaxAckBacklog).as("sk_max_ack_backlog after listen(fd, %d)", backlog).isEqualTo(backlog);
            assertThat(TcpSock.stateName(sk.skState)).as("sk_state after listen()").isEqualTo("LISTEN");
            assertThat(sk.skAckBacklog).as("sk_ack_backlog of a new listener: its accept queue is empty").isZero();
            assertThat(sk.icskAcceptQueue.len()).as("reqsk_queue_len of a new listener: its SYN queue is empty")
                    .isZero();
            assertThat(acceptconn(fd)).as("getsockopt(SO_ACCEPTCONN) on a listener").isEqualTo(1);
            assertThat(Net.current().hashinfo.listeners(SERVER.port()))
                    .as("the listening hash of port 80 (inet_hash): exactly this socket").containsExactly(sk);
        });
    }

    @ParameterizedTest(name = "somaxconn {0}, listen(fd, {1}) -> sk_max_ack_backlog {2}")
    @CsvSource({
        "16, 100, 16",
        "16, 17, 16",
        "16, 16, 16",
        "16, 15, 15",
        "16, 0, 0",
        "16, -1, 16",
        "16, -2147483648, 16",
        "0, 5, 0",
    })
    @DisplayName("the backlog is capped at net.core.somaxconn, compared UNSIGNED: a negative backlog becomes somaxconn, 0 stays 0")
    void backlogIsCappedAtSomaxconn(int somaxconn, int backlog, int stored) {
        inProcess(() -> {
            Net.current().somaxconn = somaxconn;
            int fd = bound(0);
            assertThat(errno(SocketCalls.listen(fd, backlog)))
                    .as("listen(fd, %d) never fails because of the backlog: it is silently capped", backlog)
                    .isEqualTo("0");
            assertThat(sk(fd).skMaxAckBacklog)
                    .as("sk_max_ack_backlog after listen(fd, %d) with somaxconn %d: min(backlog, somaxconn) with the "
                            + "backlog read as an UNSIGNED int (a negative one is huge)", backlog, somaxconn)
                    .isEqualTo(stored);
        });
    }

    @ParameterizedTest(name = "listen(fd, {0}) -> sk_max_ack_backlog {1}")
    @CsvSource({"4095, 4095", "4096, 4096", "4097, 4096", "2147483647, 4096", "-1, 4096"})
    @DisplayName("net.core.somaxconn is 4096 by default (since 5.4), so that is the largest backlog")
    void defaultSomaxconnIs4096(int backlog, int stored) {
        inProcess(() -> {
            assertThat(Net.current().somaxconn).as("net.core.somaxconn of a fresh namespace").isEqualTo(4096);
            int fd = bound(0);
            check(SocketCalls.listen(fd, backlog));
            assertThat(sk(fd).skMaxAckBacklog).as("sk_max_ack_backlog after listen(fd, %d) with the default somaxconn",
                    backlog).isEqualTo(stored);
        });
    }

    @Test
    @DisplayName("listen() on a listener only changes the backlog: same listening socket, accept queue kept, hashed once")
    void listenTwiceOnlyChangesTheBacklog() {
        inProcess(() -> {
            int fd = listener(8, 0);
            TcpSock sk = sk(fd);
            RequestSock waiting = queueByHand(sk, 40000);
            assertThat(errno(SocketCalls.listen(fd, 2))).as("a second listen(fd, 2) on a listener").isEqualTo("0");
            assertThat(sk.skMaxAckBacklog).as("sk_max_ack_backlog after listen(fd, 8) then listen(fd, 2)")
                    .isEqualTo(2);
            assertThat(TcpSock.stateName(sk.skState)).as("sk_state after the second listen()").isEqualTo("LISTEN");
            assertThat(sk.skAckBacklog)
                    .as("sk_ack_backlog after the second listen(): inet_csk_listen_start runs only the first time, "
                            + "so the connection waiting in the accept queue is still counted")
                    .isEqualTo(1);
            assertThat(sk.icskAcceptQueue.acceptQueue())
                    .as("the accept queue after the second listen(): untouched").containsExactly(waiting);
            assertThat(Net.current().hashinfo.listeners(SERVER.port()))
                    .as("the listening hash of port 80 after two listen() calls: the socket once, not hashed again")
                    .containsExactly(sk);
        });
    }

    @Test
    @DisplayName("listen() on an unbound socket takes an ephemeral port from ip_local_port_range (32768-60999) and listens there")
    void listenOnAnUnboundSocketTakesAnEphemeralPort() {
        inProcess(() -> {
            int fd = socket(0);
            assertThat(sk(fd).num).as("the port of a socket never bound").isZero();
            assertThat(errno(SocketCalls.listen(fd, 5))).as("listen(unbound socket, 5)").isEqualTo("0");
            TcpSock sk = sk(fd);
            assertThat(sk.num).as("the port listen() took for an unbound socket (inet_csk_get_port(sk, 0))")
                    .isBetween(InetHashtables.LOCAL_PORT_LOW, InetHashtables.LOCAL_PORT_HIGH);
            assertThat(TcpSock.stateName(sk.skState)).as("sk_state after listen() on an unbound socket")
                    .isEqualTo("LISTEN");
            assertThat(sk.skMaxAckBacklog).as("sk_max_ack_backlog").isEqualTo(5);
            assertThat(Net.current().hashinfo.listeners(sk.num)).as("the listening hash of the port it took")
                    .containsExactly(sk);
        });
    }

    /** The three ways a socket can be "connected" for inet_listen, each set up as its name says. */
    enum Connected {
        /** A non-blocking connect whose SYN is lost: struct socket SS_CONNECTING, sk SYN_SENT. */
        CONNECTING_AFTER_CONNECT,
        /** A fresh socket (sk CLOSE) whose struct socket says SS_CONNECTED, as after accept() or connect(). */
        SOCKET_SS_CONNECTED,
        /** struct socket SS_UNCONNECTED but sk in SYN_SENT: the second check, on sk_state. */
        SK_SYN_SENT
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"CONNECTING_AFTER_CONNECT", "SOCKET_SS_CONNECTED", "SK_SYN_SENT"})
    @DisplayName("listen() gives EINVAL unless the socket is SS_UNCONNECTED and its sk is CLOSE or LISTEN; nothing changes")
    void listenOnAConnectedSocketIsEinval(Connected how) {
        inProcess(() -> {
            int fd = socket(Socket.SOCK_NONBLOCK);
            Socket sock = sock(fd);
            switch (how) {
                case CONNECTING_AFTER_CONNECT -> {
                    // the SYN is lost: the connect stays in progress
                    Net.current().setDropFilter(skb -> skb.has(SkBuff.SYN));
                    assertThat(errno(SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE)))
                            .as("non-blocking connect() whose SYN is dropped").isEqualTo("EINPROGRESS");
                    assertThat(sock.state).as("struct socket state after connect(): SS_CONNECTING")
                            .isEqualTo(Socket.SS_CONNECTING);
                }
                case SOCKET_SS_CONNECTED -> sock.state = Socket.SS_CONNECTED;
                case SK_SYN_SENT -> {
                    Net.current().setDropFilter(skb -> skb.has(SkBuff.SYN));
                    SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE);
                    sock.state = Socket.SS_UNCONNECTED;
                }
            }
            TcpSock sk = sk(fd);
            int stateBefore = sk.skState;
            int portBefore = sk.num;
            assertThat(errno(SocketCalls.listen(fd, 7)))
                    .as("listen() on a socket with struct socket state %d and sk_state %s", sock.state,
                            TcpSock.stateName(stateBefore))
                    .isEqualTo("EINVAL");
            assertThat(TcpSock.stateName(sk.skState)).as("sk_state after the failed listen(): unchanged")
                    .isEqualTo(TcpSock.stateName(stateBefore));
            assertThat(sk.skMaxAckBacklog).as("sk_max_ack_backlog after the failed listen(): the backlog is not stored")
                    .isZero();
            assertThat(sk.num).as("the port after the failed listen(): unchanged").isEqualTo(portBefore);
            assertThat(Net.current().hashinfo.listeners(sk.num)).as("listeners of its port: it did not become one")
                    .doesNotContain(sk);
            if (how != Connected.SOCKET_SS_CONNECTED) {
                assertThat(TcpSock.stateName(sk.skState)).as("the sk whose SYN is unanswered is still connecting")
                        .isEqualTo(TcpSock.stateName(TCP_SYN_SENT));
            }
        });
    }

    @Test
    @DisplayName("two SO_REUSEADDR sockets may bind the same port, but only one may listen: the second listen() is EADDRINUSE and back to CLOSE")
    void secondListenerOnAReusedPortIsEaddrinuse() {
        inProcess(() -> {
            int[] fds = new int[2];
            for (int i = 0; i < 2; i++) {
                fds[i] = socket(0);
                check(SocketCalls.setsockopt(fds[i], SockOptions.SOL_SOCKET, SockOptions.SO_REUSEADDR, 1));
                assertThat(errno(SocketCalls.bind(fds[i], SERVER, SockaddrIn.SIZE)))
                        .as("bind #%d to 127.0.0.1:80 with SO_REUSEADDR, nobody listening yet", i + 1).isEqualTo("0");
            }
            assertThat(errno(SocketCalls.listen(fds[0], 4))).as("listen() on the first socket").isEqualTo("0");
            assertThat(errno(SocketCalls.listen(fds[1], 4)))
                    .as("listen() on the second: SO_REUSEADDR never lets a socket share a port with a LISTENING one "
                            + "(inet_csk_listen_start -> get_port conflict)")
                    .isEqualTo("EADDRINUSE");
            TcpSock second = sk(fds[1]);
            assertThat(TcpSock.stateName(second.skState))
                    .as("sk_state of the second socket after its failed listen(): inet_csk_listen_start puts it back")
                    .isEqualTo(TcpSock.stateName(TCP_CLOSE));
            assertThat(acceptconn(fds[1])).as("SO_ACCEPTCONN of the second socket").isZero();
            assertThat(Net.current().hashinfo.listeners(SERVER.port()))
                    .as("listeners of port 80: the first socket only")
                    .containsExactly(sk(fds[0]));
        });
    }

    @Test
    @DisplayName("listen() looks the descriptor up first: EBADF for a closed fd, ENOTSOCK for /dev/null or an eventfd; a socket listens")
    void listenChecksTheDescriptor() {
        inProcess(() -> {
            int efd = (int) check(EventFd.eventfd2(0, EventFd.EFD_NONBLOCK));
            int sfd = bound(0);
            List<String> results = new ArrayList<>();
            results.add("99: " + errno(SocketCalls.listen(99, 5)));
            results.add("99 (backlog -1): " + errno(SocketCalls.listen(99, -1)));
            results.add("0 (/dev/null): " + errno(SocketCalls.listen(0, 5)));
            results.add("eventfd: " + errno(SocketCalls.listen(efd, 5)));
            results.add("socket: " + errno(SocketCalls.listen(sfd, 5)));
            assertThat(results).as("listen(fd, backlog) for each kind of descriptor")
                    .containsExactly("99: EBADF", "99 (backlog -1): EBADF", "0 (/dev/null): ENOTSOCK",
                            "eventfd: ENOTSOCK", "socket: 0");
        });
    }

    // ---- the predicates ---------------------------------------------------------------------

    @ParameterizedTest(name = "sk_ack_backlog {0}, sk_max_ack_backlog {1} -> full {2}")
    @CsvSource({"0, 0, false", "1, 0, true", "0, 1, false", "1, 1, false", "2, 1, true", "4, 4, false", "5, 4, true",
        "3, 4, false"})
    @DisplayName("sk_acceptq_is_full: the accept queue is full only when sk_ack_backlog is GREATER than the backlog (> not >=)")
    void skAcceptqIsFullIsStrictlyGreater(int ackBacklog, int maxAckBacklog, boolean full) {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            TcpSock sk = new TcpSock(Net.of(sched), 0);
            sk.skAckBacklog = ackBacklog;
            sk.skMaxAckBacklog = maxAckBacklog;
            assertThat(sk.skAcceptqIsFull())
                    .as("sk_acceptq_is_full() with %d connections queued and backlog %d: full means %d > %d, so the "
                            + "queue holds backlog+1", ackBacklog, maxAckBacklog, ackBacklog, maxAckBacklog)
                    .isEqualTo(full);
        }
    }

    @ParameterizedTest(name = "reqsk_queue_len {0}, sk_max_ack_backlog {1} -> full {2}")
    @CsvSource({"0, 0, false", "1, 0, true", "0, 1, false", "1, 1, false", "2, 1, true", "3, 4, false", "4, 4, false",
        "5, 4, true"})
    @DisplayName("inet_csk_reqsk_queue_is_full: the SYN queue is full only when reqsk_queue_len is GREATER than the backlog (>, since 2025)")
    void reqskQueueIsFullAboveTheBacklog(int qlen, int maxAckBacklog, boolean full) {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            TcpSock sk = new TcpSock(Net.of(sched), 0);
            for (int i = 0; i < qlen; i++) {
                sk.icskAcceptQueue.added();
            }
            sk.skMaxAckBacklog = maxAckBacklog;
            assertThat(InetConnectionSock.inetCskReqskQueueIsFull(sk))
                    .as("inet_csk_reqsk_queue_is_full() with %d requests in the SYN queue and backlog %d: full means "
                            + "%d > %d (include/net/inet_connection_sock.h since \"tcp/dccp: allow a connection when "
                            + "sk_max_ack_backlog is zero\"; it was >= before)", qlen, maxAckBacklog, qlen, maxAckBacklog)
                    .isEqualTo(full);
        }
    }

    // ---- tcp_conn_request's limits ------------------------------------------------------------

    @ParameterizedTest(name = "backlog {0}")
    @ValueSource(ints = {0, 1, 4})
    @DisplayName("SYN queue: with backlog b exactly b+1 requests are admitted (listen(fd, 0): one); the next SYNs are dropped (TCPReqQFullDrop, ListenDrops; not ListenOverflows)")
    void synQueueAdmitsBacklogPlusOneRequests(int backlog) {
        inProcess(() -> {
            int lfd = listener(backlog, 0);
            TcpSock listener = sk(lfd);
            dropSynAcks();
            List<Integer> ports = new ArrayList<>();
            List<Boolean> admitted = new ArrayList<>();
            for (int i = 0; i < backlog + 3; i++) {
                int cfd = connect();
                TcpSock c = sk(cfd);
                assertThat(TcpSock.stateName(c.skState)).as("client #%d, its SYN-ACK (if any) dropped", i + 1)
                        .isEqualTo(TcpSock.stateName(TCP_SYN_SENT));
                ports.add(c.num);
                admitted.add((request(c.num) != null));
            }
            List<Boolean> expected = new ArrayList<>();
            for (int i = 0; i < backlog + 3; i++) {
                expected.add(i <= backlog);
            }
            assertThat(admitted)
                    .as("for each of %d SYNs in order (client ports %s): did it get a request sock? With backlog %d the "
                            + "SYN queue is full once it holds %d (reqsk_queue_len > backlog, since 2025's \"tcp/dccp: "
                            + "allow a connection when sk_max_ack_backlog is zero\")", backlog + 3, ports, backlog,
                            backlog + 1)
                    .isEqualTo(expected);
            assertThat(listener.icskAcceptQueue.len()).as("reqsk_queue_len: the SYN queue holds the backlog plus one")
                    .isEqualTo(backlog + 1);
            assertThat(Net.current().stat(Mib.REQ_Q_FULL_DROP)).as("TcpExtTCPReqQFullDrop: the 2 SYNs that found the SYN queue full")
                    .isEqualTo(2);
            assertThat(Net.current().stat(Mib.LISTEN_DROPS))
                    .as("TcpExtListenDrops: every SYN the listener dropped (tcp_listendrop)")
                    .isEqualTo(2);
            assertThat(Net.current().stat(Mib.LISTEN_OVERFLOWS))
                    .as("TcpExtListenOverflows: the ACCEPT queue never overflowed (it is empty)").isZero();
            assertThat(listener.icskAcceptQueue.acceptQueue()).as("the accept queue: no handshake completed").isEmpty();
            assertThat(Net.current().stat(Mib.PASSIVE_OPENS)).as("TcpPassiveOpens: no child was created").isZero();
        });
    }

    @ParameterizedTest(name = "backlog {0}")
    @ValueSource(ints = {1, 4})
    @DisplayName("accept queue holding exactly the backlog is not full: a SYN is still admitted into the SYN queue")
    void synAdmittedWithBacklogConnectionsQueued(int backlog) {
        inProcess(() -> {
            int lfd = listener(backlog, 0);
            TcpSock listener = sk(lfd);
            for (int i = 0; i < backlog; i++) {
                queueByHand(listener, 50000 + i);
            }
            dropSynAcks();
            int cfd = connect();
            assertThat((request(sk(cfd).num) != null))
                    .as("a request sock for the SYN that found %d connections in an accept queue of backlog %d "
                            + "(%d > %d is false: not full)", backlog, backlog, backlog, backlog)
                    .isTrue();
            assertThat(listener.icskAcceptQueue.len()).as("reqsk_queue_len after the SYN").isEqualTo(1);
            assertThat(Net.current().stat(Mib.LISTEN_OVERFLOWS)).as("TcpExtListenOverflows").isZero();
            assertThat(Net.current().stat(Mib.LISTEN_DROPS)).as("TcpExtListenDrops").isZero();
            assertThat(Net.current().stat(Mib.REQ_Q_FULL_DROP)).as("TcpExtTCPReqQFullDrop").isZero();
        });
    }

    @ParameterizedTest(name = "backlog {0}")
    @ValueSource(ints = {1, 4})
    @DisplayName("accept queue holding backlog+1 is full: the SYN is dropped and counted in ListenOverflows AND ListenDrops")
    void synDroppedWhenTheAcceptQueueIsFull(int backlog) {
        inProcess(() -> {
            int lfd = listener(backlog, 0);
            TcpSock listener = sk(lfd);
            for (int i = 0; i <= backlog; i++) {
                queueByHand(listener, 50000 + i);
            }
            dropSynAcks();
            int cfd = connect();
            assertThat((request(sk(cfd).num) != null))
                    .as("a request sock for the SYN that found %d connections in an accept queue of backlog %d "
                            + "(%d > %d: full)", backlog + 1, backlog, backlog + 1, backlog)
                    .isFalse();
            assertThat(TcpSock.stateName(sk(cfd).skState)).as("the client, whose SYN was silently dropped")
                    .isEqualTo(TcpSock.stateName(TCP_SYN_SENT));
            assertThat(listener.icskAcceptQueue.len()).as("reqsk_queue_len: the SYN made no request").isZero();
            assertThat(Net.current().stat(Mib.LISTEN_OVERFLOWS)).as("TcpExtListenOverflows: the accept queue was full")
                    .isEqualTo(1);
            assertThat(Net.current().stat(Mib.LISTEN_DROPS)).as("TcpExtListenDrops: the listener dropped a SYN")
                    .isEqualTo(1);
            assertThat(Net.current().stat(Mib.REQ_Q_FULL_DROP)).as("TcpExtTCPReqQFullDrop: the SYN queue was not full")
                    .isZero();
            assertThat(listener.skAckBacklog).as("sk_ack_backlog: unchanged by a dropped SYN").isEqualTo(backlog + 1);
        });
    }

    @Test
    @DisplayName("the SYN queue is checked first: with both queues full a SYN counts TCPReqQFullDrop, not ListenOverflows")
    void synQueueIsCheckedBeforeTheAcceptQueue() {
        inProcess(() -> {
            int lfd = listener(1, 0);
            TcpSock listener = sk(lfd);
            dropSynAcks();
            connect();
            connect(); // their requests fill the SYN queue of backlog 1: 2 > 1
            assertThat(listener.icskAcceptQueue.len()).as("reqsk_queue_len after the first two SYNs").isEqualTo(2);
            queueByHand(listener, 50000);
            queueByHand(listener, 50001); // and 2 > 1: the accept queue is full too
            connect();
            assertThat(List.of(Net.current().stat(Mib.REQ_Q_FULL_DROP), Net.current().stat(Mib.LISTEN_OVERFLOWS),
                    Net.current().stat(Mib.LISTEN_DROPS)))
                    .as("[TCPReqQFullDrop, ListenOverflows, ListenDrops] after a SYN that found both queues full: "
                            + "tcp_conn_request drops it at the SYN-queue check and never reaches the accept-queue one")
                    .containsExactly(1L, 0L, 1L);
            assertThat(listener.icskAcceptQueue.len()).as("reqsk_queue_len").isEqualTo(2);
        });
    }
}
