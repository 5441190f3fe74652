package herd.inet;

import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Sockets.bound;
import static herd.course.kit.Sockets.connectNonBlocking;
import static herd.course.kit.Sockets.listener;
import static herd.course.kit.Sockets.portOf;
import static herd.course.kit.Sockets.sk;
import static herd.course.kit.Sockets.socket;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static org.assertj.core.api.Assertions.assertThat;

import herd.fs.File;
import herd.fs.Process;
import herd.fs.Vfs;
import herd.sched.Sched;
import herd.socket.SockOptions;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import herd.socket.Timeval;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * L03-E4: {@code inet_csk_accept} without sleeping: {@code EINVAL} unless the socket
 * listens, {@code EAGAIN} on an empty accept queue when the timeout is 0 (an
 * {@code O_NONBLOCK} LISTENER, or {@code SO_RCVTIMEO} with a negative time), else the
 * oldest connection, first in first out. Through {@code accept4(2)} (which reserves a
 * descriptor before and gives it back on failure) and directly. Every test runs in one
 * task and never lets accept wait (that is L03-E5).
 */
@Tag("lesson03")
@Tag("L03-E4")
@DisplayName("L03-E4: inet_csk_accept, non-blocking")
class AcceptTest {
    private static final int NONBLOCK = Socket.SOCK_NONBLOCK;

    /** What accept4 filled in: the peer's address and its length. */
    private record Peer(long ret, SockaddrIn addr, int len) {
    }

    /** {@code accept4(fd, &addr, &len (16), flags)}. */
    private static Peer accept(int fd, int flags) {
        SockaddrIn[] addr = new SockaddrIn[1];
        int[] len = {SockaddrIn.SIZE};
        long ret = SocketCalls.accept4(fd, addr, len, flags);
        return new Peer(ret, addr[0], len[0]);
    }

    private static long switches() {
        return Sched.current().voluntarySwitches();
    }

    // ---- errors ---------------------------------------------------------------------------

    @ParameterizedTest(name = "[{index}] accept4 flags {0}")
    @ValueSource(ints = {0, NONBLOCK})
    @DisplayName("an O_NONBLOCK listener with an empty accept queue: EAGAIN at once, whatever accept4's flags; the "
            + "descriptor accept4 reserved is given back")
    void emptyQueueOfANonBlockingListenerIsEagain(int flags) {
        inProcess(() -> {
            int lfd = listener(8, NONBLOCK);
            int[] open = Process.current().files.openFds();
            long switches = switches();

            Peer got = accept(lfd, flags);

            assertThat(errno(got.ret())).as("accept4 on an O_NONBLOCK listener with nothing to accept").isEqualTo("EAGAIN");
            assertThat(got.addr()).as("no peer address is written on failure").isNull();
            assertThat(got.len()).as("nor its length").isEqualTo(SockaddrIn.SIZE);
            assertThat(switches()).as("a non-blocking accept never sleeps").isEqualTo(switches);
            assertThat(Process.current().files.openFds()).as("open descriptors after the failed accept4")
                    .containsExactly(open);
            assertThat(check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0)))
                    .as("the next descriptor is the one accept4 had reserved (put_unused_fd gave it back)")
                    .isEqualTo(lfd + 1);
        });
    }

    @ParameterizedTest(name = "[{index}] socket flags {0}")
    @ValueSource(ints = {0, NONBLOCK})
    @DisplayName("EINVAL on a socket that is bound but not listening, blocking or not: the state is checked before "
            + "the queue, so a blocking one does not sleep")
    void boundButNotListeningIsEinval(int flags) {
        inProcess(() -> {
            int fd = bound(flags);
            long switches = switches();
            Peer got = accept(fd, 0);
            assertThat(errno(got.ret())).as("accept4 on a bound socket that never called listen()").isEqualTo("EINVAL");
            assertThat(switches()).as("inet_csk_accept returns EINVAL before it could wait").isEqualTo(switches);
            assertThat(check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0)))
                    .as("the reserved descriptor was given back").isEqualTo(fd + 1);
        });
    }

    @Test
    @DisplayName("EINVAL on a connected socket: the client's socket, and the accepted one")
    void aConnectedSocketIsEinval() {
        inProcess(() -> {
            int lfd = listener(8, NONBLOCK);
            int cfd = connectNonBlocking();
            int afd = (int) check(accept(lfd, 0).ret());
            assertThat(List.of(errno(accept(cfd, 0).ret()), errno(accept(afd, 0).ret())))
                    .as("accept4 on the connecting client's socket (ESTABLISHED), then on the accepted child "
                            + "(ESTABLISHED): only a LISTEN socket accepts")
                    .containsExactly("EINVAL", "EINVAL");
        });
    }

    // ---- a connection ---------------------------------------------------------------------

    @Test
    @DisplayName("a queued connection: a new descriptor for the child, the peer's address and length (16) filled "
            + "in, sk_ack_backlog decremented, the queue empty")
    void aQueuedConnectionIsAccepted() {
        inProcess(() -> {
            int lfd = listener(8, NONBLOCK);
            TcpSock listener = sk(lfd);
            int cfd = connectNonBlocking();
            TcpSock child = listener.icskAcceptQueue.acceptQueue().get(0).child();
            int backlogBefore = listener.skAckBacklog;

            Peer got = accept(lfd, 0);

            assertThat(got.ret()).as("accept4 returns the lowest free descriptor").isEqualTo(cfd + 1);
            assertThat(got.addr()).as("the peer's address: the client's 127.0.0.1 and its port")
                    .isEqualTo(new SockaddrIn(Socket.AF_INET, portOf(cfd), SockaddrIn.INADDR_LOOPBACK));
            assertThat(got.len()).as("the address length written back: sizeof(struct sockaddr_in)")
                    .isEqualTo(SockaddrIn.SIZE);
            assertThat(List.of(backlogBefore, listener.skAckBacklog)).as("sk_ack_backlog before and after the accept "
                    + "(reqsk_queue_remove -> sk_acceptq_removed)").containsExactly(1, 0);
            assertThat(listener.icskAcceptQueue.acceptQueue()).as("the accept queue after the accept").isEmpty();
            assertThat(sk((int) got.ret())).as("the new descriptor's socket is the child that was queued")
                    .isSameAs(child);
            assertThat(Socket.sockFromFile(file((int) got.ret())).state).as("inet_accept grafts it: SS_CONNECTED")
                    .isEqualTo(Socket.SS_CONNECTED);
            assertThat(errno(accept(lfd, 0).ret())).as("a second accept: the queue is empty again").isEqualTo("EAGAIN");
        });
    }

    @Test
    @DisplayName("the accepted file is O_NONBLOCK iff accept4 got SOCK_NONBLOCK: it is not inherited from the "
            + "O_NONBLOCK listener")
    void sockNonblockIsForTheNewFile() {
        inProcess(() -> {
            int lfd = listener(8, NONBLOCK);
            connectNonBlocking();
            connectNonBlocking();
            File nonBlocking = file((int) check(SocketCalls.accept4(lfd, null, null, NONBLOCK)));
            File blocking = file((int) check(SocketCalls.accept4(lfd, null, null, 0)));
            assertThat(nonBlocking.nonBlocking()).as("accept4(..., SOCK_NONBLOCK): the new file is O_NONBLOCK")
                    .isTrue();
            assertThat(blocking.nonBlocking()).as("accept4(..., 0) on an O_NONBLOCK listener: the new file is "
                    + "blocking (Linux does not inherit O_NONBLOCK)").isFalse();
        });
    }

    @Test
    @DisplayName("FIFO: three connections are accepted in the order they connected (by peer port)")
    void connectionsAreAcceptedInConnectOrder() {
        inProcess(() -> {
            int lfd = listener(8, NONBLOCK);
            List<Integer> connected = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                connected.add(portOf(connectNonBlocking()));
            }
            List<Integer> accepted = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Peer got = accept(lfd, 0);
                check(got.ret());
                accepted.add(got.addr().port());
            }
            assertThat(accepted).as("peer ports in accept order: the accept queue is a FIFO (reqsk_queue_remove takes "
                    + "the head, inet_csk_reqsk_queue_add links at the tail); connect order was %s", connected)
                    .isEqualTo(connected);
            assertThat(errno(accept(lfd, 0).ret())).as("a fourth accept").isEqualTo("EAGAIN");
        });
    }

    /**
     * net/ipv4/af_inet.c, {@code inet_shutdown} -> net/ipv4/tcp.c, {@code tcp_disconnect}
     * -> {@code inet_csk_listen_stop}: the queued connections are reset
     * ({@code inet_child_forget}); the listener is {@code CLOSE}, so {@code inet_csk_accept}
     * gives {@code -EINVAL}.
     */
    @Test
    @DisplayName("shutdown(listener, SHUT_RD) resets the connections it queued (their clients read ECONNRESET); "
            + "accept4 then gives EINVAL")
    void shutdownResetsTheQueuedConnections() {
        inProcess(() -> {
            int lfd = listener(8, NONBLOCK);
            int c1 = connectNonBlocking();
            int c2 = connectNonBlocking();
            assertThat(sk(lfd).skAckBacklog).as("two connections queued").isEqualTo(2);

            assertThat(SocketCalls.shutdown(lfd, Socket.SHUT_RD)).as("shutdown(listener, SHUT_RD)").isZero();

            assertThat(sk(lfd).skAckBacklog).as("sk_ack_backlog: the accept queue was flushed").isZero();
            List<String> reads = new ArrayList<>();
            for (int c : new int[] {c1, c2}) {
                reads.add(TcpSock.stateName(sk(c).skState) + " " + errno(Vfs.read(c, new byte[8], 8)));
            }
            assertThat(reads).as("each queued client got the child's reset: CLOSE, and read gives ECONNRESET")
                    .containsExactly("UNCONN ECONNRESET", "UNCONN ECONNRESET");
            assertThat(errno(accept(lfd, 0).ret())).as("accept4 on the shut-down listener").isEqualTo("EINVAL");
        });
    }

    @Test
    @DisplayName("a connection whose client already closed is still accepted (the child is in CLOSE_WAIT; a read "
            + "returns 0)")
    void aConnectionClosedByItsClientIsStillAccepted() {
        inProcess(() -> {
            int lfd = listener(8, NONBLOCK);
            int cfd = connectNonBlocking();
            int port = portOf(cfd);
            check(Vfs.close(cfd));

            Peer got = accept(lfd, 0);

            assertThat(got.ret()).as("accept4 after the client closed").isNotNegative();
            assertThat(got.addr().port()).as("the peer is the closed client").isEqualTo(port);
            assertThat(TcpSock.stateName(sk((int) got.ret()).skState)).as("the child got the client's FIN")
                    .isEqualTo("CLOSE-WAIT");
            assertThat(Vfs.read((int) got.ret(), new byte[8], 8)).as("read: end of stream").isZero();
        });
    }

    @Test
    @DisplayName("SO_RCVTIMEO with a negative tv_sec (timeout 0) makes a BLOCKING listener's accept non-blocking: "
            + "EAGAIN without sleeping; a queued connection is still returned")
    void aZeroReceiveTimeoutMakesAcceptNonBlocking() {
        inProcess(() -> {
            int lfd = listener(8, 0);
            check(SocketCalls.setsockopt(lfd, SockOptions.SOL_SOCKET, SockOptions.SO_RCVTIMEO, new Timeval(-1, 0)));
            assertThat(sk(lfd).skRcvtimeo).as("precondition: sock_set_timeout stores 0 for a negative time").isZero();
            long switches = switches();
            long start = Sched.current().scheduler().clock();

            Peer empty = accept(lfd, 0);
            int cfd = connectNonBlocking();
            Peer queued = accept(lfd, 0);

            assertThat(errno(empty.ret())).as("accept4 on the empty queue of a blocking listener whose timeout is 0 "
                    + "(sock_rcvtimeo)").isEqualTo("EAGAIN");
            assertThat(switches()).as("it did not sleep").isEqualTo(switches);
            assertThat(Sched.current().scheduler().clock()).as("no virtual time passed").isEqualTo(start);
            assertThat(queued.addr().port()).as("with a connection queued the timeout does not matter")
                    .isEqualTo(portOf(cfd));
        });
    }

    @Test
    @DisplayName("accept4 on a listener and a connection made by hand (no listen(), no handshake): the connection "
            + "with its peer address, then EAGAIN")
    void aConnectionQueuedByHandIsAccepted() {
        inProcess(() -> {
            int lfd = InetTests.listenerByHand(8, NONBLOCK);
            TcpSock listener = sk(lfd);
            RequestSock req = InetTests.queueByHand(listener, 40000);

            Peer got = accept(lfd, 0);
            Peer again = accept(lfd, 0);

            assertThat(got.ret()).as("accept4's new descriptor").isEqualTo(lfd + 1);
            assertThat(got.addr()).as("the peer's address: the child's remote end")
                    .isEqualTo(new SockaddrIn(Socket.AF_INET, 40000, SockaddrIn.INADDR_LOOPBACK));
            assertThat(sk((int) got.ret())).as("the new descriptor's socket is the queued child").isSameAs(req.child());
            assertThat(listener.skAckBacklog).as("sk_ack_backlog after the accept").isZero();
            assertThat(errno(again.ret())).as("a second accept4 on the now empty queue").isEqualTo("EAGAIN");
        });
    }

    // ---- inet_csk_accept directly -----------------------------------------------------------

    @Test
    @DisplayName("inet_csk_accept itself: -EINVAL when not listening, -EAGAIN for O_NONBLOCK on an empty queue, "
            + "else the child at the head, with sk_ack_backlog decremented")
    void inetCskAcceptDirectly() {
        inProcess(() -> {
            int lfd = listener(8, 0);
            int fresh = socket(0);
            TcpSock listener = sk(lfd);
            long[] err = {0};

            TcpSock notListening = InetConnectionSock.inetCskAccept(sk(fresh), File.O_NONBLOCK, err);
            long einval = err[0];
            err[0] = 0;
            TcpSock empty = InetConnectionSock.inetCskAccept(listener, File.O_NONBLOCK, err);
            long eagain = err[0];

            connectNonBlocking();
            connectNonBlocking();
            List<RequestSock> queue = listener.icskAcceptQueue.acceptQueue();
            err[0] = 0;
            TcpSock first = InetConnectionSock.inetCskAccept(listener, File.O_NONBLOCK, err);

            assertThat(notListening).as("inet_csk_accept on a CLOSE socket returns no child").isNull();
            assertThat(errno(einval)).as("err for a socket that is not listening").isEqualTo("EINVAL");
            assertThat(empty).as("inet_csk_accept on an empty queue with O_NONBLOCK returns no child").isNull();
            assertThat(errno(eagain)).as("err for an empty queue with O_NONBLOCK (sock_rcvtimeo(sk, 1) = 0)")
                    .isEqualTo("EAGAIN");
            assertThat(first).as("the child of the OLDEST connection (the head of the accept queue)")
                    .isSameAs(queue.get(0).child());
            assertThat(err[0]).as("err is left alone on success").isZero();
            assertThat(listener.skAckBacklog).as("sk_ack_backlog after one of two was taken").isEqualTo(1);
            assertThat(listener.icskAcceptQueue.acceptQueue()).as("the accept queue keeps the younger connection")
                    .containsExactly(queue.get(1));
            assertThat(listener.skLock.ownedByUser()).as("the socket lock is released on return").isFalse();
        });
    }
}
