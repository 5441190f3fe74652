package herd.inet;

import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Sockets.SERVER;
import static herd.course.kit.Sockets.accept;
import static herd.course.kit.Sockets.connect;
import static herd.course.kit.Sockets.listener;
import static herd.course.kit.Sockets.sk;
import static herd.course.kit.Sockets.sock;
import static herd.course.kit.Sockets.socket;
import static herd.course.kit.Sockets.state;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Schedulers;
import herd.fs.Vfs;
import herd.sched.DeterministicScheduler;
import herd.socket.SockOptions;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The bind hash and the established hash as {@code connect()} and {@code bind()} use them
 * (net/ipv4/inet_hashtables.c {@code inet_hash_connect}, net/ipv4/inet_connection_sock.c
 * {@code inet_csk_get_port}): the local ports of {@code net.ipv4.ip_local_port_range}, what
 * happens when they run out, a port shared by a listener and its connections, and the
 * four-tuple that must be unique.
 */
class LocalPortTest {
    private static final int LOW = 40000;

    @AutoClose
    private final Schedulers schedulers = new Schedulers();
    private final DeterministicScheduler sched = schedulers.deterministic(1);

    /** {@code sysctl -w net.ipv4.ip_local_port_range="LOW LOW+ports-1"}. */
    private static void localPortRange(int ports) {
        Net net = Net.current();
        net.ipLocalPortLow = LOW;
        net.ipLocalPortHigh = LOW + ports - 1;
    }

    /** A connected client of 127.0.0.1:80 (a blocking connect() that returned 0). */
    private static int client() {
        long[] ret = {-1};
        int fd = connect(0, ret);
        assertThat(ret[0]).as("connect()").isZero();
        return fd;
    }

    /**
     * Closes both ends of the connection of {@code client}, the server's end accepted from
     * {@code lfd} first: the model has no FIN_WAIT or TIME_WAIT, so the client's port is
     * free at once, and with its server end gone nothing else holds the four-tuple.
     */
    private static void closeConnection(int lfd, int client) {
        check(Vfs.close(accept(lfd, 0)));
        check(Vfs.close(client));
    }

    @Test
    @DisplayName("All ports of ip_local_port_range held: connect() fails with EADDRNOTAVAIL before any SYN "
            + "(inet_hash_connect); once one is freed the next search skips the held ones and takes it")
    void connectFailsWithEaddrnotavailWhenTheLocalPortsRunOut() {
        inProcess(sched, () -> {
            localPortRange(2);
            int lfd = listener(8, 0);
            int a = client();
            int b = client();
            assertThat(List.of(sk(a).num, sk(b).num)).as("the two ports of the range, in turn")
                    .containsExactly(LOW, LOW + 1);
            int c = socket(0);

            assertThat(errno(SocketCalls.connect(c, SERVER, SockaddrIn.SIZE))).as("no free local port")
                    .isEqualTo("EADDRNOTAVAIL");
            assertThat(Net.current().stat(Mib.ACTIVE_OPENS)).as("tcp_v4_connect failed before tcp_connect: no SYN")
                    .isEqualTo(2);
            assertThat(List.of(state(c), sk(c).num, sock(c).state)).as("tcp_v4_connect's failure: CLOSE, no port, "
                    + "SS_UNCONNECTED: the socket may try again").containsExactly("UNCONN", 0, Socket.SS_UNCONNECTED);

            check(Vfs.close(accept(lfd, 0))); // a's server end
            closeConnection(lfd, b); // tcp_close -> tcp_set_state(CLOSE) -> inet_put_port: LOW + 1 is free
            assertThat(SocketCalls.connect(c, SERVER, SockaddrIn.SIZE)).as("a port is free again").isZero();
            assertThat(sk(c).num).as("the search starts at LOW, which a still holds, and takes LOW + 1")
                    .isEqualTo(LOW + 1);
        });
    }

    @Test
    @DisplayName("A failed search for a local port moves nothing: the next one starts after the last port handed "
            + "out, as the kernel moves table_perturb only when it found a port")
    void aFailedSearchLeavesTheStartWhereItWas() {
        inProcess(sched, () -> {
            localPortRange(2);
            int lfd = listener(8, 0);
            int a = client();
            int b = client();
            assertThat(errno(SocketCalls.connect(socket(0), SERVER, SockaddrIn.SIZE))).isEqualTo("EADDRNOTAVAIL");
            closeConnection(lfd, a);
            closeConnection(lfd, b);

            int d = client();

            assertThat(sk(d).num).as("the last port handed out was LOW + 1, the range wraps: LOW comes next, "
                    + "though the failed search tried both").isEqualTo(LOW);
        });
    }

    @Test
    @DisplayName("bind() to port 0 takes a port of ip_local_port_range; with none free it fails with EADDRINUSE "
            + "(inet_csk_get_port finds no port) and the socket stays unbound")
    void bindToPortZeroFailsWithEaddrinuseWhenTheLocalPortsRunOut() {
        inProcess(sched, () -> {
            localPortRange(1);
            SockaddrIn anyPort = SockaddrIn.inet("127.0.0.1", 0);
            int a = socket(0);
            assertThat(SocketCalls.bind(a, anyPort, SockaddrIn.SIZE)).isZero();
            assertThat(sk(a).num).as("inet_csk_find_open_port").isEqualTo(LOW);
            int b = socket(0);

            assertThat(errno(SocketCalls.bind(b, anyPort, SockaddrIn.SIZE))).isEqualTo("EADDRINUSE");

            assertThat(sk(b).local()).as("no port, and inet_rcv_saddr reset").isEqualTo(SockaddrIn.inet("0.0.0.0", 0));
            check(Vfs.close(a));
            assertThat(SocketCalls.bind(b, anyPort, SockaddrIn.SIZE)).as("a's close gave the port back").isZero();
            assertThat(sk(b).num).isEqualTo(LOW);
        });
    }

    @Test
    @DisplayName("Two SO_REUSEADDR sockets may share 127.0.0.1:5000, but not a four-tuple: the second connect() "
            + "to the same peer fails with EADDRNOTAVAIL (__inet_check_established); to another peer it works")
    void aFourTupleIsUnique() {
        inProcess(sched, () -> {
            listener(8, 0);
            SockaddrIn otherPeer = SockaddrIn.inet("127.0.0.1", 81);
            listener(otherPeer, 8, 0);
            SockaddrIn shared = SockaddrIn.inet("127.0.0.1", 5000);
            int a = reuseaddrSocketBoundTo(shared);
            int b = reuseaddrSocketBoundTo(shared);
            assertThat(SocketCalls.connect(a, SERVER, SockaddrIn.SIZE)).isZero();

            assertThat(errno(SocketCalls.connect(b, SERVER, SockaddrIn.SIZE)))
                    .as("127.0.0.1:5000 -> 127.0.0.1:80 is a's connection").isEqualTo("EADDRNOTAVAIL");
            assertThat(Net.current().stat(Mib.ACTIVE_OPENS)).as("no SYN for b").isEqualTo(1);
            assertThat(List.of(state(a), state(b))).as("a's connection is untouched").containsExactly("ESTAB", "UNCONN");
            assertThat(sk(b).local()).as("bind() locked the address and port: b keeps them").isEqualTo(shared);

            assertThat(SocketCalls.connect(b, otherPeer, SockaddrIn.SIZE)).as("another four-tuple").isZero();
            assertThat(List.of(sk(a).local(), sk(b).local())).containsExactly(shared, shared);
        });
    }

    private static int reuseaddrSocketBoundTo(SockaddrIn addr) {
        int fd = socket(0);
        check(SocketCalls.setsockopt(fd, SockOptions.SOL_SOCKET, SockOptions.SO_REUSEADDR, 1));
        check(SocketCalls.bind(fd, addr, SockaddrIn.SIZE));
        return fd;
    }

    @Test
    @DisplayName("A listener holds its port while its connections, which hold it too (__inet_inherit_port), come "
            + "and go: after an accepted connection closed, bind() to the port still fails with EADDRINUSE")
    void aListenerKeepsItsPortWhenItsConnectionsClose() {
        inProcess(sched, () -> {
            int lfd = listener(8, 0);
            client();
            int s = accept(lfd, 0);
            check(Vfs.close(s)); // inet_put_port of the child: the listener still owns port 80

            assertThat(errno(SocketCalls.bind(socket(0), SERVER, SockaddrIn.SIZE))).isEqualTo("EADDRINUSE");

            check(Vfs.close(lfd));
            assertThat(SocketCalls.bind(socket(0), SERVER, SockaddrIn.SIZE)).as("the last owner is gone").isZero();
        });
    }

    @Test
    @DisplayName("An accepted connection holds its listener's port too (__inet_inherit_port): with the listener "
            + "closed, bind() to the port fails with EADDRINUSE until the connection closes")
    void anAcceptedConnectionHoldsThePortAfterItsListenerClosed() {
        inProcess(sched, () -> {
            int lfd = listener(8, 0);
            client();
            int s = accept(lfd, 0);
            check(Vfs.close(lfd));

            assertThat(errno(SocketCalls.bind(socket(0), SERVER, SockaddrIn.SIZE))).isEqualTo("EADDRINUSE");

            check(Vfs.close(s));
            assertThat(SocketCalls.bind(socket(0), SERVER, SockaddrIn.SIZE)).as("the last owner is gone").isZero();
        });
    }
}
