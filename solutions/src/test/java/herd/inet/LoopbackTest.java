package herd.inet;

import static herd.course.kit.Io.recv;
import static herd.course.kit.Io.send;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Sockets.SERVER;
import static herd.course.kit.Sockets.accept;
import static herd.course.kit.Sockets.connect;
import static herd.course.kit.Sockets.listener;
import static herd.course.kit.Sockets.sk;
import static herd.course.kit.Sockets.socket;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Schedulers;
import herd.fs.Vfs;
import herd.sched.DeterministicScheduler;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The loopback and the socket lock: every segment, as tcpdump would show it; a segment for
 * a socket that a task owns ({@code lock_sock}) waits on its backlog and is processed at
 * {@code release_sock}, in the owner's context.
 */
class LoopbackTest {
    @AutoClose
    private final Schedulers schedulers = new Schedulers();
    private final DeterministicScheduler sched = schedulers.deterministic(1);

    /** Records every segment the loopback sends, as tcpdump prints it, with {@code note} of the moment. */
    private static List<String> tcpdump(Function<SkBuff, String> note) {
        List<String> seen = new CopyOnWriteArrayList<>();
        Net.current().setDropFilter(skb -> {
            seen.add(skb + note.apply(skb));
            return false;
        });
        return seen;
    }

    @Test
    @DisplayName("The handshake's three segments, then data and the FIN, as tcpdump shows them")
    void segmentsOfAConnection() {
        inProcess(sched, () -> {
            int lfd = listener(5, 0);
            List<String> seen = tcpdump(skb -> "");
            int cfd = socket(0);
            SocketCalls.connect(cfd, SERVER, SockaddrIn.SIZE);
            int sfd = accept(lfd, 0);
            send(cfd, "hi");
            send(sfd, "hello");
            Vfs.close(cfd);
            assertThat(seen).containsExactly(
                    "127.0.0.1.32768 > 127.0.0.1.80: Flags [S]",
                    "127.0.0.1.80 > 127.0.0.1.32768: Flags [S.]",
                    "127.0.0.1.32768 > 127.0.0.1.80: Flags [.]",
                    "127.0.0.1.32768 > 127.0.0.1.80: Flags [P.], length 2",
                    "127.0.0.1.80 > 127.0.0.1.32768: Flags [P.], length 5",
                    "127.0.0.1.32768 > 127.0.0.1.80: Flags [F.]");
        });
    }

    @Test
    @DisplayName("A SYN to a port nobody listens on is answered with RST|ACK (tcp_v4_send_reset); a reset is never answered")
    void resetForNobody() {
        inProcess(sched, () -> {
            List<String> seen = tcpdump(skb -> "");
            SocketCalls.connect(socket(0), SockaddrIn.inet("127.0.0.1", 81), SockaddrIn.SIZE);
            assertThat(seen).containsExactly(
                    "127.0.0.1.32768 > 127.0.0.1.81: Flags [S]",
                    "127.0.0.1.81 > 127.0.0.1.32768: Flags [R.]");
            assertThat(Net.current().stat(Mib.OUT_RSTS)).isEqualTo(1);
        });
    }

    @Test
    @DisplayName("The SYN-ACK reaches the connecting socket while connect() owns it: it waits on the backlog until release_sock")
    void theSynAckWaitsForReleaseSock() {
        inProcess(sched, () -> {
            listener(5, 0);
            int cfd = socket(Socket.SOCK_NONBLOCK);
            TcpSock client = sk(cfd);
            List<String> seen = tcpdump(skb -> " client " + TcpSock.stateName(client.skState)
                    + (client.skLock.ownedByUser() ? " owned" : " free"));
            SocketCalls.connect(cfd, SERVER, SockaddrIn.SIZE);
            assertThat(seen).as("inside connect() the client stays SYN_SENT although the SYN-ACK was sent to it; "
                    + "the final ACK leaves from release_sock, once the backlog made it ESTABLISHED").containsExactly(
                            "127.0.0.1.32768 > 127.0.0.1.80: Flags [S] client SYN-SENT owned",
                            "127.0.0.1.80 > 127.0.0.1.32768: Flags [S.] client SYN-SENT owned",
                            "127.0.0.1.32768 > 127.0.0.1.80: Flags [.] client ESTAB owned");
            assertThat(client.skLock.ownedByUser()).as("released").isFalse();
            assertThat(client.skState).isEqualTo(TcpSock.TCP_ESTABLISHED);
        });
    }

    @Test
    @DisplayName("Data for a socket a task owns goes to its backlog: not queued, no sk_data_ready, until release_sock")
    void dataWaitsOnTheBacklogOfAnOwnedSocket() {
        inProcess(sched, () -> {
            int lfd = listener(5, 0);
            int cfd = socket(Socket.SOCK_NONBLOCK);
            SocketCalls.connect(cfd, SERVER, SockaddrIn.SIZE);
            int sfd = accept(lfd, Socket.SOCK_NONBLOCK);
            TcpSock client = sk(cfd);
            AtomicInteger dataReady = new AtomicInteger();
            client.skDataReady = sk -> dataReady.incrementAndGet();

            client.lockSock();
            send(sfd, "abc");
            send(sfd, "de");
            int queuedWhileOwned = client.queued();
            int readyWhileOwned = dataReady.get();
            client.releaseSock();

            assertThat(queuedWhileOwned).as("owned: the segments wait on the backlog").isZero();
            assertThat(readyWhileOwned).as("and nobody was told").isZero();
            assertThat(client.queued()).as("release_sock processed both, in order").isEqualTo(5);
            assertThat(dataReady.get()).isEqualTo(2);
            assertThat(recv(cfd, 10)).isEqualTo("abcde");
        });
    }

    @Test
    @DisplayName("A listener takes segments without the socket lock: a SYN is handled even while a task owns the listener")
    void aListenerIsNotLockedBySegments() {
        inProcess(sched, () -> {
            int lfd = listener(5, 0);
            TcpSock listener = sk(lfd);
            listener.lockSock();
            long[] ret = new long[1];
            connect(Socket.SOCK_NONBLOCK, ret);
            int queued = listener.icskAcceptQueue.acceptQueue().size();
            listener.releaseSock();
            assertThat(queued).as("tcp_v4_rcv hands a listener its segments at once (it has its own locks)")
                    .isEqualTo(1);
        });
    }
}
