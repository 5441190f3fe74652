package herd.inet;

import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static herd.course.kit.Sockets.SERVER;
import static herd.course.kit.Sockets.listener;
import static herd.course.kit.Processes.pause;
import static herd.course.kit.Io.recv;
import static herd.course.kit.Io.send;
import static herd.course.kit.Sockets.sk;
import static herd.course.kit.Sockets.socket;
import static herd.course.kit.Sockets.state;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Processes;
import herd.course.kit.Sockets;
import herd.course.kit.Traces;
import herd.fs.PollFd;
import herd.fs.Process;
import herd.fs.Select;
import herd.fs.Vfs;
import herd.net.Sock;
import herd.sched.DeterministicScheduler;
import herd.course.kit.Schedulers;
import herd.socket.SockOptions;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import herd.socket.SockaddrIn;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code shutdown(2)}: net/socket.c's {@code __sys_shutdown}, net/ipv4/af_inet.c's
 * {@code inet_shutdown}, net/ipv4/tcp.c's {@code tcp_shutdown} and {@code tcp_disconnect}.
 * The listener's side (every blocked acceptor woken, each with {@code EINVAL}) is lesson
 * 3's: {@code BlockingAcceptTest} and {@code AcceptTest}.
 */
class ShutdownTest {
    @AutoClose
    private final Schedulers schedulers = new Schedulers();
    private final DeterministicScheduler sched = schedulers.deterministic(1);

    private void inProcess(Runnable body) {
        Processes.inProcess(sched, body);
    }

    private static int acceptconn(int fd) {
        int[] val = {-1};
        check(SocketCalls.getsockopt(fd, SockOptions.SOL_SOCKET, SockOptions.SO_ACCEPTCONN, val, new int[] {4}));
        return val[0];
    }

    /**
     * {@code __sys_shutdown}: {@code sockfd_lookup_light} (EBADF, ENOTSOCK); {@code inet_shutdown}:
     * {@code how++} must be a non-empty subset of {@code SHUTDOWN_MASK} (EINVAL), before the
     * socket lock; a {@code TCP_CLOSE} socket is {@code -ENOTCONN}, its mask set all the same.
     */
    @Test
    @DisplayName("shutdown's errors in the kernel's order: EBADF, ENOTSOCK, EINVAL for a bad how, ENOTCONN only in CLOSE")
    void errorsInTheKernelsOrder() {
        inProcess(() -> {
            int fd = socket(0);
            Map<String, String> got = new LinkedHashMap<>();
            got.put("shutdown(99, SHUT_RD)", errno(SocketCalls.shutdown(99, Socket.SHUT_RD)));
            got.put("shutdown(99, 7)", errno(SocketCalls.shutdown(99, 7)));
            got.put("shutdown(/dev/null, 7)", errno(SocketCalls.shutdown(0, 7)));
            got.put("shutdown(socket, 3)", errno(SocketCalls.shutdown(fd, 3)));
            got.put("shutdown(socket, -1)", errno(SocketCalls.shutdown(fd, -1)));
            got.put("shutdown(unconnected, SHUT_WR)", errno(SocketCalls.shutdown(fd, Socket.SHUT_WR)));
            assertThat(got).as("net/socket.c: fd, then socket; net/ipv4/af_inet.c inet_shutdown: how, then state")
                    .containsExactly(
                            Map.entry("shutdown(99, SHUT_RD)", "EBADF"),
                            Map.entry("shutdown(99, 7)", "EBADF"),
                            Map.entry("shutdown(/dev/null, 7)", "ENOTSOCK"),
                            Map.entry("shutdown(socket, 3)", "EINVAL"),
                            Map.entry("shutdown(socket, -1)", "EINVAL"),
                            Map.entry("shutdown(unconnected, SHUT_WR)", "ENOTCONN"));
            assertThat(sk(fd).skShutdown).as("the CLOSE case falls through: sk_shutdown |= SEND_SHUTDOWN anyway")
                    .isEqualTo(Sock.SEND_SHUTDOWN);
        });
        assertThat(Traces.strace(sched)).as("strace names how").contains(
                "[pid   100] shutdown(99, SHUT_RD) = -1 EBADF (Bad file descriptor)",
                "[pid   100] shutdown(3, SHUT_WR) = -1 ENOTCONN (Transport endpoint is not connected)");
    }

    @Test
    @DisplayName("shutdown(listener, SHUT_WR) changes nothing; SHUT_RD stops it listening (tcp_disconnect), and it may listen again")
    void aListenerShutDownForReadingStopsListening() {
        inProcess(() -> {
            int lfd = listener(4, Socket.SOCK_NONBLOCK);
            assertThat(SocketCalls.shutdown(lfd, Socket.SHUT_WR)).as("SHUT_WR on a listener").isZero();
            assertThat(List.of(state(lfd), acceptconn(lfd))).as("still listening").containsExactly("LISTEN", 1);

            assertThat(SocketCalls.shutdown(lfd, Socket.SHUT_RD)).as("SHUT_RD on a listener").isZero();
            assertThat(List.of(state(lfd), acceptconn(lfd))).as("tcp_disconnect: CLOSE, unhashed")
                    .containsExactly("UNCONN", 0);
            assertThat(sk(lfd).skShutdown).as("tcp_disconnect clears sk_shutdown").isZero();
            long[] ret = {0};
            int c = Sockets.connect(0, ret);
            assertThat(errno(ret[0])).as("nobody listens on port 80 any more: the SYN is reset")
                    .isEqualTo("ECONNREFUSED");
            check(Vfs.close(c));
            assertThat(errno(SocketCalls.shutdown(lfd, Socket.SHUT_RD))).as("a second shutdown: CLOSE")
                    .isEqualTo("ENOTCONN");

            assertThat(SocketCalls.listen(lfd, 4)).as("SS_UNCONNECTED and CLOSE again: listen() works, bind() "
                    + "kept port 80 (SOCK_BINDPORT_LOCK)").isZero();
            Sockets.connect(Socket.SOCK_NONBLOCK, ret);
            assertThat(errno(ret[0])).as("a connection to the listener again").isEqualTo("EINPROGRESS");
            assertThat(sk(lfd).skAckBacklog).isEqualTo(1);
        });
    }

    @Test
    @DisplayName("shutdown(SHUT_WR) on a connection sends the FIN: the peer reads end of stream; this end may still read, not write; close sends no second FIN")
    void shutWrSendsTheFin() {
        List<String> log = new CopyOnWriteArrayList<>();
        inProcess(() -> {
            int lfd = listener(4, 0);
            int c = Sockets.connect(0, null);
            int s = Sockets.accept(lfd, 0);
            assertThat(SocketCalls.shutdown(c, Socket.SHUT_WR)).isZero();
            log.add("server reads " + Vfs.read(s, new byte[8], 8) + ", is " + state(s));
            log.add("client writes: " + errno(Vfs.write(c, "x".getBytes(), 1)));
            send(s, "late");
            log.add("client reads " + recv(c, 8));
            long resets = Net.current().stat(Mib.OUT_RSTS);
            check(Vfs.close(s));
            check(Vfs.close(c));
            log.add("resets at close: " + (Net.current().stat(Mib.OUT_RSTS) - resets));
        });
        assertThat(log).as("tcp_shutdown -> tcp_send_fin; then the stream works one way").containsExactly(
                "server reads 0, is CLOSE-WAIT", "client writes: EPIPE", "client reads late", "resets at close: 0");
    }

    @Test
    @DisplayName("shutdown of a connecting socket disconnects it: the blocked connect() returns ECONNRESET, the SYN is not resent")
    void shutdownOfAConnectingSocketDisconnectsIt() {
        List<String> log = new CopyOnWriteArrayList<>();
        Process client = new Process(sched, "client");
        client.spawn("connector", () -> {
            listener(4, 0);
            Net.current().setDropFilter(skb -> skb.flags() == SkBuff.SYN);
            int fd = socket(0);
            log.add("connect: " + errno(SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE)));
            log.add(state(fd) + ", timer pending " + sk(fd).icskRetransmitTimer.pending());
            pause();
        });
        sched.runUntil(sched.clock());
        client.spawn("other", () -> log.add("shutdown: " + errno(SocketCalls.shutdown(4, Socket.SHUT_RDWR))));
        sched.runUntil(sched.clock());
        assertThat(log).as("inet_shutdown: TCP_SYN_SENT -> tcp_disconnect (sk_err ECONNRESET, timers cleared); "
                + "sk_state_change wakes the connecting task").containsExactly(
                "shutdown: 0", "connect: ECONNRESET", "UNCONN, timer pending false");
    }
    @Test
    @DisplayName("shutdown(listener, SHUT_RD) resets the connections still in its accept queue, as close() does "
            + "(tcp_disconnect -> inet_csk_listen_stop): the client reads ECONNRESET")
    void aListenerShutDownForReadingResetsItsQueue() {
        inProcess(() -> {
            int lfd = listener(4, Socket.SOCK_NONBLOCK);
            int c = Sockets.connect(Socket.SOCK_NONBLOCK, null);
            assertThat(sk(lfd).skAckBacklog).as("one connection waits to be accepted").isEqualTo(1);

            assertThat(SocketCalls.shutdown(lfd, Socket.SHUT_RD)).isZero();

            assertThat(sk(lfd).skAckBacklog).as("inet_csk_listen_stop emptied the accept queue").isZero();
            assertThat(state(c)).as("the child's reset reached the client: tcp_reset, CLOSE").isEqualTo("UNCONN");
            assertThat(recv(c, 8)).as("the client's pending error").isEqualTo("ECONNRESET");
        });
    }

    @Test
    @DisplayName("tcp_disconnect of a connecting socket forgets the automatic local address (inet_reset_saddr) "
            + "and tells the owner (sk_error_report)")
    void aDisconnectForgetsTheAutomaticAddressAndReportsTheError() {
        List<String> log = new CopyOnWriteArrayList<>();
        inProcess(() -> {
            int fd = connectingSocket();
            TcpSock sk = sk(fd);
            assertThat(sk.rcvSaddr).as("connect() chose 127.0.0.1").isEqualTo(SockaddrIn.INADDR_LOOPBACK);
            sk.skErrorReport = s -> log.add("sk_error_report, sk_err " + errno(-((TcpSock) s).skErr));
            long resets = Net.current().stat(Mib.OUT_RSTS);

            assertThat(SocketCalls.shutdown(fd, Socket.SHUT_RDWR)).isZero();

            assertThat(sk.rcvSaddr).as("bind() did not choose it: inet_reset_saddr").isEqualTo(SockaddrIn.INADDR_ANY);
            assertThat(Net.current().stat(Mib.OUT_RSTS) - resets)
                    .as("tcp_need_reset is false in SYN_SENT: the peer has nothing to reset").isZero();
        });
        assertThat(log).as("tcp_disconnect ends with sk_error_report").containsExactly("sk_error_report, sk_err ECONNRESET");
    }

    @Test
    @DisplayName("close() of a connecting socket stops its SYN retransmit timer: no SYN leaves after the close")
    void closingAConnectingSocketStopsItsSynTimer() {
        List<String> log = new CopyOnWriteArrayList<>();
        inProcess(() -> {
            int fd = connectingSocket();
            TcpSock sk = sk(fd);
            log.add("before close: timer pending " + sk.icskRetransmitTimer.pending());
            check(Vfs.close(fd));
            log.add("after close: timer pending " + sk.icskRetransmitTimer.pending() + ", sk_shutdown "
                    + (sk.skShutdown == Sock.SHUTDOWN_MASK ? "SHUTDOWN_MASK" : sk.skShutdown));
        });
        assertThat(log).as("tcp_close: shut down both ways; inet_csk_destroy_sock -> tcp_clear_xmit_timers")
                .containsExactly("before close: timer pending true", "after close: timer pending false, sk_shutdown "
                        + "SHUTDOWN_MASK");
    }
    @Test
    @DisplayName("tcp_shutdown sends the FIN for SEND_SHUTDOWN only: SHUT_RD leaves the peer reading; SHUT_WR in "
            + "CLOSE_WAIT (the peer's FIN came first) sends it, and the peer reads end of stream")
    void onlySendShutdownSendsTheFin() {
        List<String> log = new CopyOnWriteArrayList<>();
        inProcess(() -> {
            int lfd = listener(4, 0);
            int c = Sockets.connect(Socket.SOCK_NONBLOCK, null);
            int s = Sockets.accept(lfd, Socket.SOCK_NONBLOCK);
            check(SocketCalls.shutdown(c, Socket.SHUT_RD));
            log.add("after the client's SHUT_RD the server reads " + recv(s, 8) + ", is " + state(s));
            check(SocketCalls.shutdown(c, Socket.SHUT_WR));
            log.add("after the client's SHUT_WR the server reads " + recv(s, 8) + ", is " + state(s));
            check(SocketCalls.shutdown(s, Socket.SHUT_WR));
            log.add("after the server's SHUT_WR the client reads " + recv(c, 8));
        });
        assertThat(log).containsExactly("after the client's SHUT_RD the server reads EAGAIN, is ESTAB",
                "after the client's SHUT_WR the server reads EOF, is CLOSE-WAIT",
                "after the server's SHUT_WR the client reads EOF");
    }
    @Test
    @DisplayName("shutdown(SHUT_WR) of a socket in CLOSE sends no FIN, whether it never connected or its connection "
            + "was reset: tcp_shutdown sends one only from ESTABLISHED, SYN_RECV or CLOSE_WAIT")
    void shutWrInCloseSendsNoFin() {
        inProcess(() -> {
            int lfd = listener(4, 0);
            int c = Sockets.connect(Socket.SOCK_NONBLOCK, null);
            check(Vfs.close(lfd));
            assertThat(state(c)).as("the listener's close reset the connection it had queued").isEqualTo("UNCONN");
            int fresh = socket(0);
            List<String> seen = Tcpdump.start();

            assertThat(errno(SocketCalls.shutdown(fresh, Socket.SHUT_WR))).as("never connected").isEqualTo("ENOTCONN");
            assertThat(errno(SocketCalls.shutdown(c, Socket.SHUT_WR))).as("reset").isEqualTo("ENOTCONN");

            assertThat(seen).as("inet_shutdown still calls tcp_shutdown in CLOSE; tcp_shutdown's state test keeps it "
                    + "from sending a FIN").isEmpty();
        });
    }

    @Test
    @DisplayName("A listener that stops listening leaves the listening hash (tcp_set_state(CLOSE) -> inet_unhash), "
            + "after shutdown(SHUT_RD) as after close(); listening again hashes it once")
    void aListenerThatStopsLeavesTheListeningHash() {
        inProcess(() -> {
            InetHashtables hashinfo = Net.current().hashinfo;
            int lfd = listener(4, 0);
            TcpSock sk = sk(lfd);
            assertThat(hashinfo.listeners(80)).as("listen(): inet_hash").containsExactly(sk);

            check(SocketCalls.shutdown(lfd, Socket.SHUT_RD));
            assertThat(hashinfo.listeners(80)).as("shutdown(SHUT_RD): tcp_disconnect unhashes it").isEmpty();
            assertThat(sk.local()).as("bind() chose 127.0.0.1 and port 80: tcp_disconnect keeps both "
                    + "(SOCK_BINDADDR_LOCK, SOCK_BINDPORT_LOCK)").isEqualTo(SERVER);

            check(SocketCalls.listen(lfd, 4));
            assertThat(hashinfo.listeners(80)).as("listen() again: in the hash once").containsExactly(sk);

            check(Vfs.close(lfd));
            assertThat(hashinfo.listeners(80)).as("close(): tcp_close unhashes it").isEmpty();
        });
    }

    @Test
    @DisplayName("tcp_disconnect of an open connection (the kernel's connect(AF_UNSPEC) and tcp_abort path): a "
            + "reset to the peer, ECONNRESET for the owner, unread data dropped, CLOSE")
    void aDisconnectOfAnOpenConnectionResetsThePeer() {
        inProcess(() -> {
            int lfd = listener(4, 0);
            int c = Sockets.connect(Socket.SOCK_NONBLOCK, null);
            int s = Sockets.accept(lfd, Socket.SOCK_NONBLOCK);
            send(c, "unread");
            TcpSock sk = sk(s);
            assertThat(sk.queued()).isEqualTo(6);
            long resets = Net.current().stat(Mib.OUT_RSTS);

            assertThat(disconnect(sk)).isZero();

            assertThat(sk.queued()).as("__skb_queue_purge(sk_receive_queue): the unread bytes are gone").isZero();
            assertThat(Net.current().stat(Mib.OUT_RSTS) - resets)
                    .as("tcp_need_reset(ESTABLISHED): tcp_send_active_reset").isEqualTo(1);
            assertThat(errno(-sk.skErr)).as("sk_err for the owner").isEqualTo("ECONNRESET");
            assertThat(state(s)).isEqualTo("UNCONN");
            assertThat(state(c)).as("the peer took the reset: tcp_reset, CLOSE").isEqualTo("UNCONN");
            assertThat(recv(c, 8)).as("the peer's pending error").isEqualTo("ECONNRESET");
        });
    }

    @Test
    @DisplayName("tcp_disconnect in CLOSE_WAIT (the peer's FIN came, data still unread) resets too and drops the data")
    void aDisconnectInCloseWaitResetsToo() {
        inProcess(() -> {
            int lfd = listener(4, 0);
            int c = Sockets.connect(Socket.SOCK_NONBLOCK, null);
            int s = Sockets.accept(lfd, Socket.SOCK_NONBLOCK);
            send(c, "bye");
            check(Vfs.close(c));
            TcpSock sk = sk(s);
            assertThat(state(s)).isEqualTo("CLOSE-WAIT");
            List<String> seen = Tcpdump.start();

            assertThat(disconnect(sk)).isZero();

            assertThat(seen).as("tcp_need_reset(CLOSE_WAIT): the reset leaves, to nobody (the client is gone), and is "
                    + "not answered").containsExactly("127.0.0.1.80 > 127.0.0.1.32768: Flags [R.]");
            assertThat(sk.queued()).as("the unread bytes are gone").isZero();
            assertThat(errno(-sk.skErr)).isEqualTo("ECONNRESET");
            assertThat(recv(s, 8)).as("the error first").isEqualTo("ECONNRESET");
        });
    }

    @Test
    @DisplayName("shutdown() of a socket whose non-blocking connect() completed makes it SS_CONNECTED "
            + "(inet_shutdown: SS_CONNECTING past SYN_SENT): connect() then says EISCONN, not EALREADY")
    void shutdownAfterACompletedNonBlockingConnectMakesItConnected() {
        inProcess(() -> {
            listener(4, 0);
            int c = Sockets.connect(Socket.SOCK_NONBLOCK, null);
            assertThat(List.of(state(c), Sockets.sock(c).state)).as("the handshake is done, connect() not called again")
                    .containsExactly("ESTAB", Socket.SS_CONNECTING);

            check(SocketCalls.shutdown(c, Socket.SHUT_WR));

            assertThat(Sockets.sock(c).state).isEqualTo(Socket.SS_CONNECTED);
            assertThat(errno(SocketCalls.connect(c, SERVER, SockaddrIn.SIZE))).isEqualTo("EISCONN");
        });
    }

    @Test
    @DisplayName("shutdown() of a socket whose non-blocking connect() was refused: ENOTCONN, and SS_DISCONNECTING "
            + "(inet_shutdown: SS_CONNECTING in CLOSE), which connect() refuses with EINVAL from then on")
    void shutdownAfterARefusedNonBlockingConnectLeavesItDisconnecting() {
        inProcess(() -> {
            int c = socket(Socket.SOCK_NONBLOCK);
            SockaddrIn nobody = SockaddrIn.inet("127.0.0.1", 81);
            assertThat(errno(SocketCalls.connect(c, nobody, SockaddrIn.SIZE))).isEqualTo("EINPROGRESS");
            assertThat(List.of(state(c), Sockets.sock(c).state)).as("the reset came at release_sock")
                    .containsExactly("UNCONN", Socket.SS_CONNECTING);

            assertThat(errno(SocketCalls.shutdown(c, Socket.SHUT_RDWR))).isEqualTo("ENOTCONN");

            assertThat(Sockets.sock(c).state).isEqualTo(Socket.SS_DISCONNECTING);
            assertThat(errno(SocketCalls.connect(c, nobody, SockaddrIn.SIZE)))
                    .as("__inet_stream_connect: no case for SS_DISCONNECTING").isEqualTo("EINVAL");
        });
    }

    @Test
    @DisplayName("inet_shutdown runs under lock_sock: while another task owns the socket, shutdown() sleeps until "
            + "release_sock, and only then sets sk_shutdown and sends the FIN")
    void shutdownWaitsForTheSocketLock() {
        List<String> log = new CopyOnWriteArrayList<>();
        int[] fd = new int[1];
        Process app = new Process(sched, "app");
        app.spawn("owner", () -> {
            int lfd = listener(4, 0);
            fd[0] = Sockets.connect(0, null);
            int s = Sockets.accept(lfd, Socket.SOCK_NONBLOCK);
            TcpSock sk = sk(fd[0]);
            sk.lockSock(); // as a syscall on the socket would
            Select.poll(new PollFd[0], 100); // sleeps 100 ms, owning the socket
            log.add("owner before release_sock: sk_shutdown " + sk.skShutdown + ", server reads " + recv(s, 8));
            sk.releaseSock();
            Select.poll(new PollFd[0], 100);
            log.add("owner 100 ms after release_sock: server reads " + recv(s, 8));
        });
        sched.runUntil(sched.clock());
        app.spawn("shutter", () -> log.add("shutdown: " + errno(SocketCalls.shutdown(fd[0], Socket.SHUT_WR))));
        sched.runUntilIdle();
        assertThat(log).containsExactly("owner before release_sock: sk_shutdown 0, server reads EAGAIN",
                "shutdown: 0", "owner 100 ms after release_sock: server reads EOF");
    }

    @Test
    @DisplayName("A second shutdown(SHUT_WR) sends no second FIN: tcp_shutdown sends it from ESTABLISHED or "
            + "CLOSE_WAIT, which the first one left (tcp_close_state)")
    void aSecondShutWrSendsNoSecondFin() {
        inProcess(() -> {
            int lfd = listener(4, 0);
            int c = Sockets.connect(Socket.SOCK_NONBLOCK, null);
            Sockets.accept(lfd, Socket.SOCK_NONBLOCK);
            List<String> seen = Tcpdump.start();

            check(SocketCalls.shutdown(c, Socket.SHUT_WR));
            check(SocketCalls.shutdown(c, Socket.SHUT_WR));
            check(SocketCalls.shutdown(c, Socket.SHUT_RDWR));

            assertThat(seen).containsExactly("127.0.0.1.32768 > 127.0.0.1.80: Flags [F.]");
        });
    }

    /** {@code tcp_disconnect} under the socket lock, as its callers run it. */
    private static long disconnect(TcpSock sk) {
        sk.lockSock();
        try {
            return Tcp.tcpDisconnect(sk, 0);
        } finally {
            sk.releaseSock();
        }
    }

    /** A non-blocking socket left in SYN_SENT: a listener on port 80 exists, but every SYN is dropped. */
    private static int connectingSocket() {
        listener(4, 0);
        Net.current().setDropFilter(skb -> skb.flags() == SkBuff.SYN);
        int fd = socket(Socket.SOCK_NONBLOCK);
        assertThat(errno(SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE))).as("connect()").isEqualTo("EINPROGRESS");
        return fd;
    }
}
