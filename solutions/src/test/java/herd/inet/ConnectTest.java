package herd.inet;

import static herd.course.kit.Io.poll;
import static herd.course.kit.Io.send;
import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Processes.pause;
import static herd.course.kit.Sockets.SERVER;
import static herd.course.kit.Sockets.accept;
import static herd.course.kit.Sockets.bound;
import static herd.course.kit.Sockets.connect;
import static herd.course.kit.Sockets.listener;
import static herd.course.kit.Sockets.sk;
import static herd.course.kit.Sockets.sock;
import static herd.course.kit.Sockets.socket;
import static herd.course.kit.Sockets.state;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static herd.course.kit.Traces.strace;
import static herd.fs.Poll.EPOLLERR;
import static herd.fs.Poll.EPOLLHUP;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLOUT;
import static herd.fs.Poll.EPOLLRDHUP;
import static herd.fs.Poll.EPOLLRDNORM;
import static herd.fs.Poll.EPOLLWRNORM;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Io;
import herd.course.kit.Schedulers;
import herd.fs.File;
import herd.fs.Poll;
import herd.fs.PollFd;
import herd.fs.Process;
import herd.fs.Select;
import herd.fs.Vfs;
import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.sched.Task;
import herd.socket.SockOptions;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The client side of the handshake: {@code inet_stream_connect} with {@code tcp_v4_connect}
 * (the ephemeral port, the SYN), blocking and non-blocking, its errors (ECONNREFUSED,
 * EALREADY, EISCONN, EINTR, ETIMEDOUT) and the SYN retransmission timer in virtual time.
 */
class ConnectTest {
    private static final long SECOND = 1_000_000_000L;
    private static final SockaddrIn NOBODY = SockaddrIn.inet("127.0.0.1", 81);

    @AutoClose
    private final Schedulers schedulers = new Schedulers();
    private final DeterministicScheduler sched = schedulers.deterministic(1);

    private static boolean isSyn(SkBuff skb) {
        return skb.flags() == SkBuff.SYN;
    }

    @Test
    @DisplayName("A blocking connect() returns 0 once ESTABLISHED, from 127.0.0.1 and the first ephemeral port (32768)")
    void blockingConnectEstablishes() {
        inProcess(sched, () -> {
            int lfd = listener(511, 0);
            long[] ret = new long[1];
            int cfd = connect(0, ret);
            assertThat(ret[0]).as("the handshake completed on the loopback before connect() returned").isZero();
            TcpSock sk = sk(cfd);
            assertThat(state(cfd)).as("the client is ESTABLISHED").isEqualTo("ESTAB");
            assertThat(sock(cfd).state).as("struct socket is SS_CONNECTED").isEqualTo(Socket.SS_CONNECTED);
            assertThat(sk.local()).as("an unbound socket takes 127.0.0.1 and the first port of ip_local_port_range")
                    .isEqualTo(SockaddrIn.inet("127.0.0.1", InetHashtables.LOCAL_PORT_LOW));
            assertThat(sk.peer()).isEqualTo(SERVER);

            List<RequestSock> queue = sk(lfd).icskAcceptQueue.acceptQueue();
            assertThat(queue).as("one child in the accept queue").hasSize(1);
            TcpSock child = queue.get(0).child();
            assertThat(child.skState).as("the child is ESTABLISHED too").isEqualTo(TcpSock.TCP_ESTABLISHED);
            assertThat(child.local()).as("the child's local end is the listener's").isEqualTo(SERVER);
            assertThat(child.peer()).as("its peer is the client").isEqualTo(sk.local());

            int second = connect(0, ret);
            assertThat(ret[0]).isZero();
            assertThat(sk(second).num).as("the next connect takes the next free port").isEqualTo(32769);
            Net net = Net.current();
            assertThat(net.stat(Mib.ACTIVE_OPENS)).as("two SYNs sent by connect()").isEqualTo(2);
            assertThat(net.stat(Mib.PASSIVE_OPENS)).as("two children made by the listener").isEqualTo(2);
        });
    }

    @Test
    @DisplayName("connect() to 0.0.0.0 goes to 127.0.0.1 (the kernel's INADDR_ANY destination is the local host)")
    void connectToTheWildcardGoesToLoopback() {
        inProcess(sched, () -> {
            int lfd = listener(SockaddrIn.inet("0.0.0.0", 80), 5, 0);
            int cfd = socket(0);
            assertThat(SocketCalls.connect(cfd, SockaddrIn.inet("0.0.0.0", 80), SockaddrIn.SIZE)).isZero();
            assertThat(sk(cfd).peer()).as("the destination became 127.0.0.1").isEqualTo(SERVER);
            assertThat(sk(lfd).icskAcceptQueue.acceptQueue()).as("the wildcard listener took it").hasSize(1);
        });
    }

    @Test
    @DisplayName("A bound socket connects from its bound port")
    void aBoundSocketConnectsFromItsPort() {
        inProcess(sched, () -> {
            listener(5, 0);
            int cfd = bound(SockaddrIn.inet("127.0.0.1", 5000), 0);
            assertThat(SocketCalls.connect(cfd, SERVER, SockaddrIn.SIZE)).isZero();
            assertThat(sk(cfd).local()).isEqualTo(SockaddrIn.inet("127.0.0.1", 5000));
        });
    }

    @Test
    @DisplayName("Nobody listens: the SYN is answered with a reset, a blocking connect() fails with ECONNREFUSED, and again")
    void refusedWhenNobodyListens() {
        inProcess(sched, () -> {
            int cfd = socket(0);
            assertThat(errno(SocketCalls.connect(cfd, NOBODY, SockaddrIn.SIZE)))
                    .as("tcp_reset in SYN_SENT: ECONNREFUSED").isEqualTo("ECONNREFUSED");
            assertThat(state(cfd)).as("tcp_done: CLOSE").isEqualTo("UNCONN");
            assertThat(sock(cfd).state).as("back to SS_UNCONNECTED").isEqualTo(Socket.SS_UNCONNECTED);
            assertThat(sk(cfd).skErr).as("the error was reported, so cleared (sock_error)").isZero();
            assertThat(Net.current().stat(Mib.OUT_RSTS)).as("one reset sent").isEqualTo(1);
            assertThat(errno(SocketCalls.connect(cfd, NOBODY, SockaddrIn.SIZE)))
                    .as("SS_UNCONNECTED and CLOSE: connect() tries again, and is refused again").isEqualTo("ECONNREFUSED");
            assertThat(Net.current().stat(Mib.ACTIVE_OPENS)).as("two SYNs").isEqualTo(2);
        });
    }

    @Test
    @DisplayName("connect() checks only that the address holds its family (addr_len >= 2) before the socket's "
            + "state: a connected socket says EISCONN even to a 2-byte address; an unconnected one gets EINVAL "
            + "from tcp_v4_connect (addr_len < sizeof(struct sockaddr_in))")
    void anAddressTooShortForTcpIsCheckedAfterTheState() {
        inProcess(sched, () -> {
            listener(5, 0);
            long[] ret = new long[1];
            int connected = connect(0, ret);
            assertThat(ret[0]).isZero();
            int fresh = socket(0);

            assertThat(errno(SocketCalls.connect(connected, SERVER, 2))).as("__inet_stream_connect: SS_CONNECTED")
                    .isEqualTo("EISCONN");
            assertThat(errno(SocketCalls.connect(fresh, SERVER, 2))).as("tcp_v4_connect").isEqualTo("EINVAL");
            assertThat(errno(SocketCalls.connect(connected, SERVER, 1))).as("no room for sa_family")
                    .isEqualTo("EINVAL");
            assertThat(state(fresh)).isEqualTo("UNCONN");
        });
    }

    @Test
    @DisplayName("A refused connect() gives its automatic port back (inet_num 0); the next attempt takes a port and holds it")
    void aRefusedConnectGivesItsAutomaticPortBack() {
        inProcess(sched, () -> {
            int cfd = socket(0);
            assertThat(errno(SocketCalls.connect(cfd, NOBODY, SockaddrIn.SIZE))).isEqualTo("ECONNREFUSED");
            assertThat(sk(cfd).num).as("tcp_set_state(CLOSE) -> inet_put_port: inet_num = 0").isZero();
            listener(NOBODY, 5, 0);
            assertThat(SocketCalls.connect(cfd, NOBODY, SockaddrIn.SIZE)).as("now somebody listens on 81").isZero();
            int port = sk(cfd).num;
            assertThat(port).as("a port of ip_local_port_range")
                    .isBetween(InetHashtables.LOCAL_PORT_LOW, InetHashtables.LOCAL_PORT_HIGH);
            int other = socket(0);
            assertThat(errno(SocketCalls.bind(other, SockaddrIn.inet("127.0.0.1", port), SockaddrIn.SIZE)))
                    .as("the connection holds its port in the bind hash").isEqualTo("EADDRINUSE");
        });
    }

    @Test
    @DisplayName("A port chosen by bind() survives a refused connect() (SOCK_BINDPORT_LOCK): nobody else may bind it; the retry uses it")
    void aBoundPortSurvivesARefusedConnect() {
        inProcess(sched, () -> {
            SockaddrIn local = SockaddrIn.inet("127.0.0.1", 5000);
            int cfd = bound(local, 0);
            assertThat(errno(SocketCalls.connect(cfd, NOBODY, SockaddrIn.SIZE))).isEqualTo("ECONNREFUSED");
            assertThat(sk(cfd).num).as("bind() locked the port: tcp_set_state(CLOSE) keeps it").isEqualTo(5000);
            int other = socket(0);
            assertThat(errno(SocketCalls.bind(other, local, SockaddrIn.SIZE))).as("still held").isEqualTo("EADDRINUSE");
            listener(NOBODY, 5, 0);
            assertThat(SocketCalls.connect(cfd, NOBODY, SockaddrIn.SIZE)).isZero();
            assertThat(sk(cfd).local()).as("the retry connects from the bound port").isEqualTo(local);
            assertThat(Vfs.close(cfd)).isZero();
            assertThat(SocketCalls.bind(other, local, SockaddrIn.SIZE)).as("the last close gives it back").isZero();
        });
    }

    @Test
    @DisplayName("Non-blocking connect() refused: EINPROGRESS, SO_ERROR-style pending error; the next connect() reports ECONNREFUSED")
    void nonBlockingRefused() {
        inProcess(sched, () -> {
            int cfd = socket(Socket.SOCK_NONBLOCK);
            assertThat(errno(SocketCalls.connect(cfd, NOBODY, SockaddrIn.SIZE))).isEqualTo("EINPROGRESS");
            assertThat(state(cfd)).as("the reset was processed at release_sock, before connect() returned")
                    .isEqualTo("UNCONN");
            assertThat(sk(cfd).skErr).as("sk_err waits for the owner").isEqualTo(111);
            assertThat(sock(cfd).state).as("still SS_CONNECTING until the next call").isEqualTo(Socket.SS_CONNECTING);
            assertThat(poll(cfd)).as("tcp_poll after tcp_done: CLOSE and shut down both ways: readable (EOF), writable (the connect is over), hung up, with an error")
                    .isEqualTo(Poll.names("EPOLL",
                            EPOLLIN | EPOLLRDNORM | EPOLLRDHUP | EPOLLOUT | EPOLLWRNORM | EPOLLERR | EPOLLHUP));
            assertThat(errno(SocketCalls.connect(cfd, NOBODY, SockaddrIn.SIZE)))
                    .as("SS_CONNECTING (EALREADY) but the sock is CLOSE: sock_error gives the pending ECONNREFUSED")
                    .isEqualTo("ECONNREFUSED");
            assertThat(sock(cfd).state).isEqualTo(Socket.SS_UNCONNECTED);
            assertThat(sk(cfd).skErr).isZero();
            assertThat(errno(SocketCalls.connect(cfd, NOBODY, SockaddrIn.SIZE)))
                    .as("SS_UNCONNECTED: a new attempt").isEqualTo("EINPROGRESS");
        });
    }

    @Test
    @DisplayName("A refused connect() leaves no SYN retransmit timer armed: tcp_reset -> tcp_done -> tcp_clear_xmit_timers")
    void aRefusedConnectDisarmsTheSynTimer() {
        inProcess(sched, () -> {
            int cfd = socket(Socket.SOCK_NONBLOCK);
            TcpSock sk = sk(cfd);
            assertThat(errno(SocketCalls.connect(cfd, NOBODY, SockaddrIn.SIZE))).isEqualTo("EINPROGRESS");
            assertThat(state(cfd)).as("the reset came back before connect() returned").isEqualTo("UNCONN");
            assertThat(sk.icskRetransmitTimer.pending())
                    .as("tcp_connect armed the timer; tcp_done cleared it (a pending timer holds the socket)").isFalse();
        });
    }

    @Test
    @DisplayName("Non-blocking connect(): EINPROGRESS, ESTABLISHED on return; then 0 (SS_CONNECTING falls through), then EISCONN")
    void nonBlockingConnect() {
        inProcess(sched, () -> {
            listener(5, 0);
            long[] ret = new long[1];
            int cfd = connect(Socket.SOCK_NONBLOCK, ret);
            assertThat(errno(ret[0])).as("a non-blocking connect returns EINPROGRESS").isEqualTo("EINPROGRESS");
            assertThat(state(cfd)).as("yet the loopback handshake is complete").isEqualTo("ESTAB");
            assertThat(sock(cfd).state).isEqualTo(Socket.SS_CONNECTING);
            assertThat(poll(cfd)).as("writable: the application's sign that the connect is over")
                    .isEqualTo(Poll.names("EPOLL", EPOLLOUT | EPOLLWRNORM));
            int[] err = {-1};
            check(SocketCalls.getsockopt(cfd, SockOptions.SOL_SOCKET, SockOptions.SO_ERROR, err, new int[] {4}));
            assertThat(err[0]).as("SO_ERROR 0: it succeeded").isZero();
            assertThat(SocketCalls.connect(cfd, SERVER, SockaddrIn.SIZE))
                    .as("SS_CONNECTING and ESTABLISHED: the kernel falls through to SS_CONNECTED and returns 0").isZero();
            assertThat(sock(cfd).state).isEqualTo(Socket.SS_CONNECTED);
            assertThat(errno(SocketCalls.connect(cfd, SERVER, SockaddrIn.SIZE))).as("SS_CONNECTED: EISCONN")
                    .isEqualTo("EISCONN");
        });
    }

    @Test
    @DisplayName("While the SYN is unanswered (SYN_SENT) a second connect() gets EALREADY; the socket is neither readable nor writable")
    void ealreadyWhileSynSent() {
        inProcess(sched, () -> {
            listener(5, 0);
            Net.current().setDropFilter(ConnectTest::isSyn);
            long[] ret = new long[1];
            int cfd = connect(Socket.SOCK_NONBLOCK, ret);
            assertThat(errno(ret[0])).isEqualTo("EINPROGRESS");
            assertThat(state(cfd)).as("the SYN was lost").isEqualTo("SYN-SENT");
            assertThat(errno(SocketCalls.connect(cfd, SERVER, SockaddrIn.SIZE))).as("SS_CONNECTING, SYN_SENT")
                    .isEqualTo("EALREADY");
            assertThat(errno(SocketCalls.connect(cfd, SockaddrIn.inet("127.0.0.1", 99), SockaddrIn.SIZE)))
                    .as("whatever the address").isEqualTo("EALREADY");
            assertThat(poll(cfd)).as("tcp_poll of SYN_SENT: nothing").isEqualTo("0x0");
            assertThat(send(cfd, "x")).as("tcp_sendmsg before the handshake: EAGAIN when non-blocking")
                    .isEqualTo("EAGAIN");
        });
    }

    @Test
    @DisplayName("connect() on a listener or on an accepted socket: EISCONN")
    void connectOnAListenerOrAcceptedSocket() {
        inProcess(sched, () -> {
            int lfd = listener(5, 0);
            assertThat(errno(SocketCalls.connect(lfd, SERVER, SockaddrIn.SIZE)))
                    .as("SS_UNCONNECTED but not CLOSE: EISCONN").isEqualTo("EISCONN");
            connect(0, null);
            int afd = accept(lfd, 0);
            assertThat(errno(SocketCalls.connect(afd, SERVER, SockaddrIn.SIZE))).as("accepted: SS_CONNECTED")
                    .isEqualTo("EISCONN");
        });
    }

    @Test
    @DisplayName("connect()'s own address checks: length < 2 EINVAL; tcp_v4_connect: length < 16 EINVAL, not AF_INET EAFNOSUPPORT")
    void connectAddressChecks() {
        inProcess(sched, () -> {
            int cfd = socket(0);
            assertThat(errno(SocketCalls.connect(cfd, SERVER, 1))).isEqualTo("EINVAL");
            assertThat(errno(SocketCalls.connect(cfd, SERVER, 8))).isEqualTo("EINVAL");
            SockaddrIn inet6 = new SockaddrIn(10, 80, SockaddrIn.INADDR_LOOPBACK);
            assertThat(errno(SocketCalls.connect(cfd, inet6, SockaddrIn.SIZE)))
                    .isEqualTo("EAFNOSUPPORT");
            assertThat(state(cfd)).as("nothing was sent").isEqualTo("UNCONN");
            assertThat(sock(cfd).state).isEqualTo(Socket.SS_UNCONNECTED);
            assertThat(SocketCalls.connect(cfd, NOBODY, SockaddrIn.SIZE)).as("still usable").isEqualTo(-111);
        });
    }

    /**
     * A listener with backlog 1 and two connections nobody accepted: its accept queue is
     * full (2 > 1), so the next SYN is dropped. Returns the server process; the listener is fd 3.
     */
    private static String stateOf(TcpSock sk) {
        return TcpSock.stateName(sk.skState);
    }

    private Process fullListener(TcpSock[] listener) {
        Process server = new Process(sched, "server");
        server.spawn("server", () -> {
            int lfd = listener(1, 0);
            listener[0] = sk(lfd);
            connect(Socket.SOCK_NONBLOCK, null);
            connect(Socket.SOCK_NONBLOCK, null);
            pause();
        });
        sched.runUntilIdle();
        assertThat(listener[0].icskAcceptQueue.acceptQueue()).as("backlog 1 holds two").hasSize(2);
        return server;
    }

    @Test
    @DisplayName("A SYN dropped on a full accept queue is resent after 1 s (TCP_TIMEOUT_INIT); it completes once an accept made room")
    void synRetransmitCompletesOnceRoomAppears() {
        TcpSock[] listener = new TcpSock[1];
        Process server = fullListener(listener);
        Net net = Net.of(sched);
        long[] result = {Long.MIN_VALUE, -1};
        List<String> atHalfSecond = new ArrayList<>();
        Task[] client = new Task[1];
        server.spawn("acceptor", () -> {
            Select.poll(new PollFd[0], 500); // sleeps 0.5 s, then makes room
            atHalfSecond.add("ListenOverflows " + net.stat(Mib.LISTEN_OVERFLOWS));
            atHalfSecond.add("client " + Task.stateName(client[0].state()));
            accept(3, 0);
        });
        client[0] = new Process(sched, "client").spawn("client", () -> {
            int fd = socket(0);
            result[0] = SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE);
            result[1] = sched.clock();
        });
        sched.runUntilIdle();

        assertThat(atHalfSecond).as("at 0.5 s the first SYN had overflowed and the blocking connect slept")
                .containsExactly("ListenOverflows 1", "client " + Task.stateName(Task.TASK_INTERRUPTIBLE));
        assertThat(result[0]).as("the resent SYN was admitted").isZero();
        assertThat(result[1]).as("at exactly 1 s of virtual time").isEqualTo(SECOND);
        assertThat(net.stat(Mib.LISTEN_OVERFLOWS)).as("only the first SYN overflowed").isEqualTo(1);
        assertThat(net.stat(Mib.ACTIVE_OPENS)).as("three connects; a retransmission is not an active open").isEqualTo(3);
        assertThat(listener[0].icskAcceptQueue.acceptQueue()).as("one accepted, the third queued").hasSize(2);
    }

    /**
     * net/ipv4/tcp_timer.c: the retransmit timer that {@code tcp_connect} armed
     * ({@code inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, TCP_TIMEOUT_INIT)}) runs
     * {@code tcp_retransmit_timer} from the timer interrupt, whoever waits: here nobody, the
     * client's non-blocking connect returned long ago. 1 s, then 2 s later (icsk_rto doubled).
     */
    @Test
    @DisplayName("A non-blocking client's dropped SYN is resent by its timer at 1 s and 3 s, with nobody in connect(); the handshake completes once room appears")
    void aNonBlockingClientsSynIsResentByTheTimer() {
        TcpSock[] listener = new TcpSock[1];
        Process server = fullListener(listener);
        Net net = Net.of(sched);
        List<Long> synTimes = new CopyOnWriteArrayList<>();
        TcpSock[] client = new TcpSock[1];
        new Process(sched, "client").spawn("client", () -> {
            int fd = socket(Socket.SOCK_NONBLOCK);
            client[0] = sk(fd);
            net.setDropFilter(skb -> {
                if (isSyn(skb) && skb.sport() == client[0].num) {
                    synTimes.add(sched.clock());
                }
                return false;
            });
            assertThat(errno(SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE))).isEqualTo("EINPROGRESS");
            pause();
        });
        sched.runUntil(sched.clock());
        assertThat(stateOf(client[0])).as("the SYN found the accept queue full").isEqualTo("SYN-SENT");
        server.spawn("acceptor", () -> {
            Select.poll(new PollFd[0], 2000); // makes room at 2 s
            accept(3, 0);
        });
        sched.runUntil(10 * SECOND);

        assertThat(synTimes).as("tcp_retransmit_timer, from the timer, with the client asleep in poll(): the SYN at 0, "
                + "resent at 1 s (still full) and at 3 s (admitted)").containsExactly(0L, SECOND, 3 * SECOND);
        assertThat(stateOf(client[0])).as("the resent SYN completed the handshake").isEqualTo("ESTAB");
        assertThat(client[0].icskRetransmitTimer.pending()).as("the SYN-ACK disarmed the timer").isFalse();
        assertThat(net.stat(Mib.LISTEN_OVERFLOWS)).as("the SYN and the first resend overflowed").isEqualTo(2);
    }

    /**
     * net/ipv4/tcp_timer.c, {@code tcp_write_timer}: when a task owns the socket
     * ({@code sock_owned_by_user}) the timer only sets {@code TCP_WRITE_TIMER_DEFERRED};
     * {@code release_sock} then runs the work in {@code tcp_release_cb}.
     */
    @Test
    @DisplayName("A retransmit timer that fires while a task owns the socket is deferred to that task's release_sock (tcp_release_cb)")
    void aTimerThatFindsTheSocketOwnedIsDeferredToReleaseSock() {
        TcpSock[] listener = new TcpSock[1];
        Process server = fullListener(listener);
        Net net = Net.of(sched);
        List<String> log = new CopyOnWriteArrayList<>();
        new Process(sched, "client").spawn("client", () -> {
            int fd = socket(Socket.SOCK_NONBLOCK);
            TcpSock sk = sk(fd);
            net.setDropFilter(skb -> {
                if (isSyn(skb) && skb.sport() == sk.num) {
                    log.add("SYN at " + sched.clock() / (SECOND / 1000) + " ms");
                }
                return false;
            });
            SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE);
            sk.lockSock(); // owns the socket across the timer's expiry (1 s), as a long syscall would
            Select.poll(new PollFd[0], 1500);
            log.add("release_sock at " + sched.clock() / (SECOND / 1000) + " ms");
            sk.releaseSock();
            log.add(stateOf(sk));
            pause();
        });
        sched.runUntil(sched.clock());
        server.spawn("acceptor", () -> accept(3, 0)); // room for the resent SYN
        sched.runUntil(2 * SECOND);
        assertThat(log).as("the timer fired at 1 s but found the socket owned: the resend waits for release_sock")
                .containsExactly("SYN at 0 ms", "release_sock at 1500 ms", "SYN at 1500 ms", "ESTAB");
    }

    @Test
    @DisplayName("Closing a SYN_SENT socket disarms its retransmit timer: no SYN is sent after the close")
    void closeDisarmsTheRetransmitTimer() {
        TcpSock[] listener = new TcpSock[1];
        fullListener(listener);
        Net net = Net.of(sched);
        List<Long> synTimes = new CopyOnWriteArrayList<>();
        TcpSock[] client = new TcpSock[1];
        new Process(sched, "client").spawn("client", () -> {
            int fd = socket(Socket.SOCK_NONBLOCK);
            client[0] = sk(fd);
            net.setDropFilter(skb -> {
                if (isSyn(skb)) {
                    synTimes.add(sched.clock());
                }
                return false;
            });
            SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE);
            Select.poll(new PollFd[0], 1500);
            Vfs.close(fd);
        });
        sched.runUntilIdle();
        assertThat(synTimes).as("the SYN and its resend at 1 s; after the close at 1.5 s, none")
                .containsExactly(0L, SECOND);
        assertThat(client[0].icskRetransmitTimer.pending()).as("tcp_close cleared the timer").isFalse();
    }

    @Test
    @DisplayName("Nobody ever makes room: tcp_syn_retries = 6 resends (1+2+4+8+16+32+64 s), then ETIMEDOUT at 127 s")
    void synRetriesRunOutWithEtimedout() {
        TcpSock[] listener = new TcpSock[1];
        fullListener(listener);
        Net net = Net.of(sched);
        List<Long> synTimes = new CopyOnWriteArrayList<>();
        net.setDropFilter(skb -> {
            if (isSyn(skb) && skb.sport() == 32770) {
                synTimes.add(sched.clock() / SECOND);
            }
            return false;
        });
        long[] result = {Long.MIN_VALUE, -1};
        int[] after = new int[1];
        new Process(sched, "client").spawn("client", () -> {
            int fd = socket(0);
            result[0] = SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE);
            result[1] = sched.clock();
            after[0] = sk(fd).skState;
        });
        sched.runUntilIdle();

        assertThat(errno(result[0])).as("tcp_write_err: ETIMEDOUT").isEqualTo("ETIMEDOUT");
        assertThat(result[1]).as("1+2+4+8+16+32+64 = 127 s of virtual time").isEqualTo(127 * SECOND);
        assertThat(synTimes).as("the SYN and its 6 resends, at these seconds (doubling backoff)")
                .containsExactly(0L, 1L, 3L, 7L, 15L, 31L, 63L);
        assertThat(net.stat(Mib.LISTEN_OVERFLOWS)).as("every one of the 7 SYNs found the queue full").isEqualTo(7);
        assertThat(after[0]).as("tcp_done: CLOSE").isEqualTo(TcpSock.TCP_CLOSE);
    }

    @Test
    @DisplayName("tcp_syn_retries = 0: one SYN, ETIMEDOUT after the first timeout (1 s)")
    void synRetriesZero() {
        TcpSock[] listener = new TcpSock[1];
        fullListener(listener);
        Net.of(sched).tcpSynRetries = 0;
        long[] result = {Long.MIN_VALUE, -1};
        new Process(sched, "client").spawn("client", () -> {
            result[0] = SocketCalls.connect(socket(0), SERVER, SockaddrIn.SIZE);
            result[1] = sched.clock();
        });
        sched.runUntilIdle();
        assertThat(errno(result[0])).isEqualTo("ETIMEDOUT");
        assertThat(result[1]).isEqualTo(SECOND);
        assertThat(Net.of(sched).stat(Mib.LISTEN_OVERFLOWS)).as("2 queued, then 1 SYN dropped").isEqualTo(1);
    }

    /**
     * A client socket, blocking, whose connect is in progress: its first SYN was dropped, the
     * timer resends it at 1 s. Returns the fd; {@code seen} gets each segment as tcpdump prints
     * it, with the client's state and owner at that moment.
     */
    private static int connectingBlockingClient(List<String> seen) {
        listener(5, 0);
        int fd = socket(Socket.SOCK_NONBLOCK);
        TcpSock sk = sk(fd);
        int[] syns = {0};
        Net.current().setDropFilter(skb -> {
            boolean drop = isSyn(skb) && syns[0]++ == 0;
            seen.add(skb + (drop ? " dropped" : "") + " | client " + stateOf(sk)
                    + (sk.skLock.ownedByUser() ? " owned" : " free"));
            return drop;
        });
        assertThat(errno(SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE))).isEqualTo("EINPROGRESS");
        file(fd).fFlags &= ~File.O_NONBLOCK; // fcntl(F_SETFL, 0): blocking from now on
        return fd;
    }

    @Test
    @DisplayName("write() on a blocking socket whose handshake is not done sleeps without the socket lock until it is "
            + "(sk_stream_wait_connect), then sends under the lock")
    void aBlockingWriteWaitsForTheHandshake() {
        List<String> seen = new CopyOnWriteArrayList<>();
        List<String> log = new CopyOnWriteArrayList<>();
        new Process(sched, "client").spawn("client", () -> {
            int fd = connectingBlockingClient(seen);
            log.add(stateOf(sk(fd)));
            log.add("write " + errno(Vfs.write(fd, "hi".getBytes(), 2)) + " at " + sched.clock() / (SECOND / 1000)
                    + " ms");
            log.add(Io.recv(accept(3, 0), 8));
            Net.current().setDropFilter(skb -> false); // not the FINs of the exit
        });
        sched.run();

        assertThat(log).as("SYN_SENT: write() sleeps; the SYN resent at 1 s completes the handshake and wakes it")
                .containsExactly("SYN-SENT", "write 2 at 1000 ms", "hi");
        assertThat(seen).as("the SYN-ACK reaches the client while write() sleeps: the lock was released for the "
                + "wait, so the segment is processed at once; the data leaves under the lock").containsExactly(
                        "127.0.0.1.32768 > 127.0.0.1.80: Flags [S] dropped | client SYN-SENT owned",
                        "127.0.0.1.32768 > 127.0.0.1.80: Flags [S] | client SYN-SENT free",
                        "127.0.0.1.80 > 127.0.0.1.32768: Flags [S.] | client SYN-SENT free",
                        "127.0.0.1.32768 > 127.0.0.1.80: Flags [.] | client ESTAB free",
                        "127.0.0.1.32768 > 127.0.0.1.80: Flags [P.], length 2 | client ESTAB owned");
    }

    @Test
    @DisplayName("A signal interrupts a write() waiting for the handshake: EINTR; nothing was sent, the socket is still SYN_SENT")
    void aSignalInterruptsAWriteWaitingForTheHandshake() {
        List<String> seen = new CopyOnWriteArrayList<>();
        List<String> log = new CopyOnWriteArrayList<>();
        Task client = new Process(sched, "client").spawn("client", () -> {
            int fd = connectingBlockingClient(seen);
            log.add(errno(Vfs.write(fd, "hi".getBytes(), 2)) + " at " + sched.clock() / (SECOND / 1000) + " ms");
            log.add(stateOf(sk(fd)));
        });
        new Process(sched, "killer").spawn("killer", () -> {
            Select.poll(new PollFd[0], 500);
            Sched.sendSignal(client);
        });
        sched.runUntil(800 * (SECOND / 1000));

        assertThat(log).as("sk_stream_wait_connect returns sock_intr_errno").containsExactly("EINTR at 500 ms",
                "SYN-SENT");
        assertThat(seen).as("only the lost SYN").hasSize(1);
    }

    @Test
    @DisplayName("A signal interrupts a blocking connect(): EINTR (ERESTARTSYS inside); the socket stays SYN_SENT, so EALREADY next")
    void aSignalInterruptsABlockingConnect() {
        List<String> log = new CopyOnWriteArrayList<>();
        Task client = new Process(sched, "client").spawn("client", () -> {
            listener(5, 0);
            Net.current().setDropFilter(ConnectTest::isSyn);
            int fd = socket(0);
            log.add(errno(SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE)));
            log.add(sched.clock() / (SECOND / 1000) + " ms");
            log.add(state(fd));
            Sched.flushSignals(Sched.current());
            file(fd).fFlags |= File.O_NONBLOCK; // fcntl(F_SETFL, O_NONBLOCK)
            log.add(errno(SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE)));
            file(fd).fFlags &= ~File.O_NONBLOCK;
            Net.current().setDropFilter(skb -> false);
            log.add(errno(SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE)));
            log.add(sched.clock() / (SECOND / 1000) + " ms");
            log.add(state(fd));
        });
        new Process(sched, "killer").spawn("killer", () -> {
            Select.poll(new PollFd[0], 500);
            Sched.sendSignal(client);
        });
        sched.run();

        assertThat(log).as("EINTR at the signal (0.5 s); still SYN_SENT, so a non-blocking connect gets EALREADY; a "
                + "blocking one waits again (SS_CONNECTING) and completes with the SYN resent at 1 s").containsExactly(
                        "EINTR", "500 ms", "SYN-SENT", "EALREADY", "0", "1000 ms", "ESTAB");
        assertThat(strace(sched)).as("user space sees EINTR: the model's handlers have no SA_RESTART")
                .contains("[pid   100] <... connect resumed>) = -1 EINTR (Interrupted system call)");
    }

    @Test
    @DisplayName("A blocking connect() on the loopback never sleeps: the SYN-ACK waits on its backlog and its own release_sock completes it")
    void theHandshakeRunsInTheClientsContext() {
        AtomicInteger wakeups = new AtomicInteger();
        Process server = new Process(sched, "server");
        server.spawn("server", () -> {
            listener(5, 0);
            pause();
        });
        sched.runUntilIdle();
        Task client = new Process(sched, "client").spawn("client", () -> {
            int fd = socket(0);
            assertThat(SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE)).isZero();
            wakeups.set((int) (Task.current().wakeups() + Task.current().voluntarySwitches()));
        });
        sched.runUntilIdle();
        assertThat(client.state()).isEqualTo(Task.TASK_DEAD);
        assertThat(wakeups.get()).as("the client never slept (no voluntary switch) nor was woken").isZero();
    }
}
