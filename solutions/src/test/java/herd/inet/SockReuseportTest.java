package herd.inet;

import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Sockets.SERVER;
import static herd.course.kit.Sockets.connect;
import static herd.course.kit.Sockets.sk;
import static herd.course.kit.Sockets.sock;
import static herd.course.kit.Sockets.socket;
import static herd.course.kit.Sockets.state;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static herd.socket.SockOptions.SOL_SOCKET;
import static herd.socket.SockOptions.SO_REUSEPORT;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Schedulers;
import herd.fs.Vfs;
import herd.sched.DeterministicScheduler;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code SO_REUSEPORT} listeners (lesson 5's code, in the reference): several listeners on
 * one address and port, each with its own accept queue; a SYN picks one by the hash of its
 * four-tuple ({@code inet_ehashfn}, {@code reciprocal_scale}).
 */
class SockReuseportTest {
    private static final int CONNECTIONS = 16;

    @AutoClose
    private final Schedulers schedulers = new Schedulers();
    private final DeterministicScheduler sched = schedulers.deterministic(1);

    private static int reuseportListener() {
        int fd = socket(0);
        check(SocketCalls.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, 1));
        check(SocketCalls.bind(fd, SERVER, SockaddrIn.SIZE));
        check(SocketCalls.listen(fd, 511));
        return fd;
    }

    @Test
    @DisplayName("Two SO_REUSEPORT listeners share a port; each connection lands in exactly one accept queue, the one its hash selects")
    void connectionsSpreadByHash() {
        inProcess(sched, () -> {
            int a = reuseportListener();
            int b = reuseportListener();
            assertThat(sk(a).skReuseportCb).as("b joined a's group").isSameAs(sk(b).skReuseportCb);
            assertThat(sk(a).skReuseportCb.socks).as("in listen() order").containsExactly(sk(a), sk(b));

            List<Integer> expectA = new ArrayList<>();
            List<Integer> expectB = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                long[] ret = new long[1];
                int c = connect(Socket.SOCK_NONBLOCK, ret);
                assertThat(state(c)).isEqualTo("ESTAB");
                int port = sk(c).num;
                (ReuseportHash.selected(port, SERVER.port(), 2) == 0 ? expectA : expectB).add(port);
            }
            List<Integer> gotA = sk(a).icskAcceptQueue.acceptQueue().stream().map(r -> r.rmtPort).toList();
            List<Integer> gotB = sk(b).icskAcceptQueue.acceptQueue().stream().map(r -> r.rmtPort).toList();
            assertThat(gotA).as("a's queue: the connections whose reciprocal_scale(hash, 2) is 0")
                    .containsExactlyElementsOf(expectA);
            assertThat(gotB).as("b's queue: those whose is 1").containsExactlyElementsOf(expectB);
            assertThat(gotA.size() + gotB.size()).as("every connection in exactly one queue").isEqualTo(CONNECTIONS);
            assertThat(gotA).as("the hash spreads them: both get some").isNotEmpty();
            assertThat(gotB).isNotEmpty();
        });
    }

    @Test
    @DisplayName("Next to SO_REUSEPORT listeners, a socket without it gets EADDRINUSE; with it, it joins the group as a third")
    void aThirdSocket() {
        inProcess(sched, () -> {
            int a = reuseportListener();
            reuseportListener();
            int plain = socket(0);
            assertThat(errno(SocketCalls.bind(plain, SERVER, SockaddrIn.SIZE))).isEqualTo("EADDRINUSE");
            int third = reuseportListener();
            assertThat(sk(a).skReuseportCb.socks).as("three members").hasSize(3).endsWith(sk(third));
        });
    }

    @Test
    @DisplayName("SO_REUSEPORT needs the same user: another user's socket gets EADDRINUSE")
    void anotherUserCannotJoin() {
        inProcess(sched, () -> {
            reuseportListener();
            int other = socket(0);
            sock(other).sk = new TcpSock(Net.current(), 0); // as if root had made it
            check(SocketCalls.setsockopt(other, SOL_SOCKET, SO_REUSEPORT, 1));
            assertThat(errno(SocketCalls.bind(other, SERVER, SockaddrIn.SIZE))).isEqualTo("EADDRINUSE");
        });
    }

    @Test
    @DisplayName("A closed member leaves the group, the last member takes its slot; the others keep taking connections")
    void aClosedMemberLeaves() {
        inProcess(sched, () -> {
            int a = reuseportListener();
            int b = reuseportListener();
            int c = reuseportListener();
            TcpSock skA = sk(a);
            TcpSock skB = sk(b);
            TcpSock skC = sk(c);
            SockReuseport group = skA.skReuseportCb;
            assertThat(Vfs.close(a)).isZero();
            assertThat(group.socks).as("reuseport_detach_sock: the last member moves into the hole")
                    .containsExactly(skC, skB);
            assertThat(skA.skReuseportCb).isNull();
            for (int i = 0; i < 4; i++) {
                connect(Socket.SOCK_NONBLOCK, null);
            }
            assertThat(skB.icskAcceptQueue.acceptQueue().size() + skC.icskAcceptQueue.acceptQueue().size())
                    .as("the two left take every connection").isEqualTo(4);
        });
    }
}
