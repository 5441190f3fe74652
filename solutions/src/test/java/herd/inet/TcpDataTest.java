package herd.inet;

import static herd.course.kit.Io.poll;
import static herd.course.kit.Io.recv;
import static herd.course.kit.Io.send;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Sockets.SERVER;
import static herd.course.kit.Sockets.accept;
import static herd.course.kit.Sockets.connect;
import static herd.course.kit.Sockets.listener;
import static herd.course.kit.Sockets.sk;
import static herd.course.kit.Sockets.socket;
import static herd.course.kit.Sockets.state;
import static herd.course.kit.Syscalls.errno;
import static herd.fs.Poll.EPOLLERR;
import static herd.fs.Poll.EPOLLHUP;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLOUT;
import static herd.fs.Poll.EPOLLRDHUP;
import static herd.fs.Poll.EPOLLRDNORM;
import static herd.fs.Poll.EPOLLWRNORM;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Schedulers;
import herd.fs.Poll;
import herd.fs.PollFd;
import herd.fs.Process;
import herd.fs.Select;
import herd.fs.Vfs;
import herd.sched.DeterministicScheduler;
import herd.sched.Task;
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
 * A connection after the handshake: bytes from one end to the other ({@code tcp_sendmsg},
 * {@code tcp_rcv_established}, {@code tcp_recvmsg}), {@code tcp_poll} of a connection, the
 * FIN of a close, the reset a segment to a closed socket earns, and the resets a closing
 * listener sends to the connections nobody accepted.
 */
class TcpDataTest {
    private static final int WRITABLE = EPOLLOUT | EPOLLWRNORM;
    private static final int READABLE = EPOLLIN | EPOLLRDNORM;

    @AutoClose
    private final Schedulers schedulers = new Schedulers();
    private final DeterministicScheduler sched = schedulers.deterministic(1);

    /** A connected pair in the current process: {listener 3, client 4, server 5}, the ends non-blocking. */
    private static int[] pair() {
        int lfd = listener(5, 0);
        int cfd = connect(Socket.SOCK_NONBLOCK, null);
        int sfd = accept(lfd, Socket.SOCK_NONBLOCK);
        assertThat(new int[] {lfd, cfd, sfd}).containsExactly(3, 4, 5);
        return new int[] {cfd, sfd};
    }

    /** Records every segment the loopback carries, as tcpdump prints it, with {@code sk}'s state and owner then. */
    private static List<String> tcpdump(TcpSock sk) {
        List<String> seen = new CopyOnWriteArrayList<>();
        Net.current().setDropFilter(skb -> {
            seen.add(skb + " | server " + TcpSock.stateName(sk.skState) + (sk.skLock.ownedByUser() ? " owned" : " free"));
            return false;
        });
        return seen;
    }

    @Test
    @DisplayName("Bytes written on one end are read on the other, as a stream, both ways")
    void bytesGoBothWays() {
        inProcess(sched, () -> {
            int[] p = pair();
            assertThat(send(p[0], "hello")).isEqualTo("5");
            assertThat(send(p[0], " world")).isEqualTo("6");
            assertThat(sk(p[1]).queued()).as("queued on the server's end").isEqualTo(11);
            assertThat(recv(p[1], 8)).isEqualTo("hello wo");
            assertThat(recv(p[1], 100)).isEqualTo("rld");
            assertThat(send(p[1], "pong")).isEqualTo("4");
            assertThat(recv(p[0], 100)).isEqualTo("pong");
            assertThat(recv(p[0], 100)).as("nothing more, non-blocking: EAGAIN").isEqualTo("EAGAIN");
            assertThat(recv(p[1], 100)).isEqualTo("EAGAIN");
        });
    }

    @Test
    @DisplayName("Each data segment calls the receiver's sk_data_ready once; tcp_poll turns readable")
    void dataCallsSkDataReady() {
        inProcess(sched, () -> {
            int[] p = pair();
            assertThat(poll(p[1])).as("a connection with nothing queued: writable only")
                    .isEqualTo(Poll.names("EPOLL", WRITABLE));
            AtomicInteger dataReady = new AtomicInteger();
            sk(p[1]).skDataReady = sk -> dataReady.incrementAndGet();
            send(p[0], "a");
            send(p[0], "bc");
            assertThat(dataReady.get()).as("one tcp_data_ready per segment").isEqualTo(2);
            assertThat(poll(p[1])).as("data queued").isEqualTo(Poll.names("EPOLL", READABLE | WRITABLE));
            assertThat(poll(p[0])).as("the writer's end has nothing to read").isEqualTo(Poll.names("EPOLL", WRITABLE));
            recv(p[1], 10);
            assertThat(poll(p[1])).as("all read").isEqualTo(Poll.names("EPOLL", WRITABLE));
        });
    }

    @Test
    @DisplayName("A poll() sleeping on the server's end is woken by the client's write (sock_def_readable -> pollwake)")
    void aWriteWakesAPoller() {
        Process proc = new Process(sched, "test");
        long[] ret = {-99};
        int[] revents = {-1};
        Task poller = proc.spawn("poller", () -> {
            int[] p = pair();
            PollFd[] fds = {new PollFd(p[1], Poll.EPOLLIN)};
            ret[0] = Select.poll(fds, -1);
            revents[0] = fds[0].revents;
        });
        sched.runUntilIdle();
        assertThat(poller.state()).as("nothing to read: poll sleeps").isEqualTo(Task.TASK_INTERRUPTIBLE);

        proc.spawn("writer", () -> send(4, "x"));
        sched.run();

        assertThat(ret[0]).as("one fd ready").isEqualTo(1);
        assertThat(Poll.names("EPOLL", revents[0])).as("POLLIN, masked by what poll asked for")
                .isEqualTo(Poll.names("EPOLL", EPOLLIN));
        assertThat(poller.wakeups()).as("one segment, one wake-up").isEqualTo(1);
    }

    @Test
    @DisplayName("A blocking read sleeps until another task's write arrives")
    void aBlockingReadWakesOnData() {
        Process proc = new Process(sched, "test");
        String[] got = {null};
        Task reader = proc.spawn("reader", () -> {
            int lfd = listener(5, 0);
            connect(0, null);
            int sfd = accept(lfd, 0);
            got[0] = recv(sfd, 16);
        });
        sched.runUntilIdle();
        assertThat(reader.state()).as("asleep in read").isEqualTo(Task.TASK_INTERRUPTIBLE);
        assertThat(got[0]).isNull();

        proc.spawn("writer", () -> send(4, "ping"));
        sched.run();

        assertThat(got[0]).isEqualTo("ping");
        assertThat(reader.wakeups()).isEqualTo(1);
    }

    @Test
    @DisplayName("The client closes: its FIN puts the server in CLOSE_WAIT; data sent before is read, then EOF; poll shows RDHUP")
    void closeSendsFin() {
        inProcess(sched, () -> {
            int[] p = pair();
            send(p[0], "bye");
            assertThat(Vfs.close(p[0])).isZero();
            assertThat(state(p[1])).as("tcp_fin: CLOSE_WAIT").isEqualTo("CLOSE-WAIT");
            assertThat(poll(p[1])).as("RCV_SHUTDOWN: readable (EOF) and RDHUP; still writable; not HUP (one way only)")
                    .isEqualTo(Poll.names("EPOLL", EPOLLIN | EPOLLRDNORM | EPOLLRDHUP | WRITABLE));
            assertThat(recv(p[1], 2)).as("data sent before the FIN comes first").isEqualTo("by");
            assertThat(recv(p[1], 10)).isEqualTo("e");
            assertThat(recv(p[1], 10)).as("then end of file, not EAGAIN").isEqualTo("EOF");
            assertThat(recv(p[1], 10)).isEqualTo("EOF");
        });
    }

    @Test
    @DisplayName("Writing to a peer that closed: the first write succeeds and earns a reset; then EPIPE (the tcp_reset error), EPIPE")
    void writeToAClosedPeer() {
        inProcess(sched, () -> {
            int[] p = pair();
            Vfs.close(p[0]);
            Net net = Net.current();
            long rsts = net.stat(Mib.OUT_RSTS);
            assertThat(send(p[1], "hello?")).as("CLOSE_WAIT may still send: the bytes leave").isEqualTo("6");
            assertThat(net.stat(Mib.OUT_RSTS)).as("nobody has that four-tuple: tcp_v4_send_reset").isEqualTo(rsts + 1);
            assertThat(state(p[1])).as("tcp_reset in CLOSE_WAIT, then tcp_done").isEqualTo("UNCONN");
            assertThat(sk(p[1]).skErr).as("tcp_reset leaves EPIPE for CLOSE_WAIT").isEqualTo(32);
            assertThat(poll(p[1])).as("CLOSE: shut down both ways, an error pending")
                    .isEqualTo(Poll.names("EPOLL", READABLE | EPOLLRDHUP | WRITABLE | EPOLLERR | EPOLLHUP));
            assertThat(send(p[1], "x")).as("sk_err: sock_error gives EPIPE and clears it").isEqualTo("EPIPE");
            assertThat(sk(p[1]).skErr).isZero();
            assertThat(send(p[1], "x")).as("SEND_SHUTDOWN: EPIPE").isEqualTo("EPIPE");
            assertThat(recv(p[1], 10)).as("RCV_SHUTDOWN, nothing queued: EOF").isEqualTo("EOF");
        });
    }

    @Test
    @DisplayName("write() owns the socket (tcp_sendmsg's lock_sock): the reset its data earns waits on the backlog and "
            + "is processed by release_sock, before write() returns")
    void theResetAWriteEarnsWaitsForReleaseSock() {
        inProcess(sched, () -> {
            int[] p = pair();
            Vfs.close(p[0]);
            TcpSock server = sk(p[1]);
            List<String> seen = tcpdump(server);

            assertThat(send(p[1], "hello?")).isEqualTo("6");

            assertThat(seen).as("each segment with the writer's socket at the moment it leaves").containsExactly(
                    "127.0.0.1.80 > 127.0.0.1.32768: Flags [P.], length 6 | server CLOSE-WAIT owned",
                    "127.0.0.1.32768 > 127.0.0.1.80: Flags [R] | server CLOSE-WAIT owned");
            assertThat(state(p[1])).as("release_sock ran tcp_reset: CLOSE").isEqualTo("UNCONN");
            assertThat(server.skLock.ownedByUser()).as("released").isFalse();
        });
    }

    @Test
    @DisplayName("close() owns the socket while tcp_close runs (lock_sock ... release_sock): the FIN leaves from an "
            + "owned socket, so a segment arriving meanwhile would wait on the backlog; the socket is free after")
    void tcpCloseRunsUnderTheSocketLock() {
        inProcess(sched, () -> {
            int[] p = pair();
            TcpSock server = sk(p[1]);
            List<String> seen = tcpdump(server);

            assertThat(Vfs.close(p[1])).isZero();

            assertThat(seen).as("the FIN, with the closing socket at the moment it leaves")
                    .containsExactly("127.0.0.1.80 > 127.0.0.1.32768: Flags [F.] | server ESTAB owned");
            assertThat(server.skLock.ownedByUser()).as("tcp_close ends with release_sock").isFalse();
        });
    }

    @Test
    @DisplayName("read() on a listener or on a socket never connected: ENOTCONN; write() on the latter: EPIPE")
    void readWithoutAConnection() {
        inProcess(sched, () -> {
            int lfd = listener(5, Socket.SOCK_NONBLOCK);
            int fresh = socket(Socket.SOCK_NONBLOCK);
            assertThat(recv(lfd, 10)).as("tcp_recvmsg on LISTEN").isEqualTo("ENOTCONN");
            assertThat(recv(fresh, 10)).as("CLOSE, never shut down: never connected").isEqualTo("ENOTCONN");
            assertThat(send(fresh, "x")).as("sk_stream_wait_connect: not connecting, not connected").isEqualTo("EPIPE");
            assertThat(poll(fresh)).as("a fresh socket: CLOSE is hung up, and writable (tcp_poll)")
                    .isEqualTo(Poll.names("EPOLL", WRITABLE | EPOLLHUP));
            assertThat(poll(lfd)).as("an empty listener: nothing").isEqualTo("0x0");
        });
    }

    @Test
    @DisplayName("Closing a listener resets the connections in its accept queue: the clients get ECONNRESET once, then EOF")
    void closingAListenerResetsItsQueue() {
        inProcess(sched, () -> {
            int lfd = listener(5, 0);
            int c1 = connect(Socket.SOCK_NONBLOCK, null);
            int c2 = connect(Socket.SOCK_NONBLOCK, null);
            List<TcpSock> children = new ArrayList<>();
            sk(lfd).icskAcceptQueue.acceptQueue().forEach(r -> children.add(r.child()));
            Net net = Net.current();
            long rsts = net.stat(Mib.OUT_RSTS);

            assertThat(Vfs.close(lfd)).isZero();

            assertThat(net.stat(Mib.OUT_RSTS)).as("inet_child_forget: one reset per queued child").isEqualTo(rsts + 2);
            assertThat(children).as("the children are closed").allMatch(c -> c.skState == TcpSock.TCP_CLOSE);
            for (int c : new int[] {c1, c2}) {
                assertThat(state(c)).as("tcp_reset: the client is CLOSE").isEqualTo("UNCONN");
                assertThat(poll(c)).as("reset: everything but a hang-up in one direction")
                        .isEqualTo(Poll.names("EPOLL", READABLE | EPOLLRDHUP | WRITABLE | EPOLLERR | EPOLLHUP));
                assertThat(recv(c, 10)).as("the pending error first").isEqualTo("ECONNRESET");
                assertThat(recv(c, 10)).as("then, shut down both ways, EOF").isEqualTo("EOF");
                assertThat(send(c, "x")).isEqualTo("EPIPE");
            }
            int again = socket(0);
            assertThat(errno(SocketCalls.bind(again, SERVER, SockaddrIn.SIZE)))
                    .as("the listener's port is free").isEqualTo("0");
        });
    }

    @Test
    @DisplayName("Closing an accepted connection sends a FIN: the client reads EOF")
    void serverCloseSendsFinToClient() {
        inProcess(sched, () -> {
            int[] p = pair();
            List<String> flags = new CopyOnWriteArrayList<>();
            Net.current().setDropFilter(skb -> {
                flags.add(skb.toString());
                return false;
            });
            Vfs.close(p[1]);
            assertThat(flags).as("one FIN from the server's end, no answer (no FIN_WAIT in the model)")
                    .containsExactly("127.0.0.1.80 > 127.0.0.1.32768: Flags [F.]");
            assertThat(state(p[0])).isEqualTo("CLOSE-WAIT");
            assertThat(recv(p[0], 10)).isEqualTo("EOF");
        });
    }
}
