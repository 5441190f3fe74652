package herd.inet;

import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Sockets.SERVER;
import static herd.course.kit.Sockets.sk;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static herd.socket.SockOptions.SOL_SOCKET;
import static herd.socket.SockOptions.SO_REUSEPORT;
import static org.assertj.core.api.Assertions.assertThat;

import herd.epoll.Epoll;
import herd.epoll.EpollEvent;
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
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * L05-E4: {@code SO_REUSEPORT} groups ({@code net/core/sock_reuseport.c}, kernel-spec 3.7 and
 * 4 (d)). At {@code listen()} a socket with the option joins the group of a listener on the
 * same port and address, with the option and the same user ({@code inet_reuseport_add_sock}),
 * at the END of the group, or starts a group of its own; a SYN's listener lookup picks
 * {@code socks[reciprocal_scale(hash, num_socks)]} with {@code hash = inet_ehashfn(daddr,
 * dport, saddr, sport)}; {@code close()} takes a member out and the LAST member moves into
 * its slot ({@code reuseport_detach_sock}). Each connection lands in exactly one listener's
 * accept queue, and only that listener's waiters are woken, busy or not.
 *
 * <p>Clients bind their port before {@code connect()}, so each test knows in advance which
 * member every connection hashes to.
 */
@Tag("lesson05")
@Tag("L05-E4")
@DisplayName("L05-E4: SO_REUSEPORT groups (sock_reuseport)")
class ReuseportGroupTest {
    /** Where the clients' ports start. */
    private static final int FIRST_CLIENT_PORT = 40000;

    // ---- helpers ----------------------------------------------------------------------------

    /** A TCP socket with SO_REUSEPORT set; {@code flags} as socket()'s. */
    private static int reuseportSocket(int flags) {
        int fd = (int) check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM | flags, 0));
        check(SocketCalls.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, 1));
        return fd;
    }

    /** A SO_REUSEPORT socket bound to {@code addr}:80, not listening. */
    private static int bound(String addr, int flags) {
        int fd = reuseportSocket(flags);
        check(SocketCalls.bind(fd, SockaddrIn.inet(addr, SERVER.port()), SockaddrIn.SIZE));
        return fd;
    }

    /** listen(fd, 128). */
    private static void listen(int fd) {
        check(SocketCalls.listen(fd, 128));
    }

    /** A non-blocking SO_REUSEPORT listener on 127.0.0.1:80. */
    private static int listener() {
        int fd = bound("127.0.0.1", Socket.SOCK_NONBLOCK);
        listen(fd);
        return fd;
    }

    /** The members of the group of listener {@code fd}, in order. */
    private static List<TcpSock> group(int fd) {
        SockReuseport reuse = sk(fd).skReuseportCb;
        assertThat(reuse).as("listener fd %d has a reuseport group", fd).isNotNull();
        return List.copyOf(reuse.socks);
    }

    /** A client bound to 127.0.0.1:{@code port} that connects to 127.0.0.1:80 (the handshake runs at once); its fd. */
    private static int connectFrom(int port) {
        int fd = (int) check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM | Socket.SOCK_NONBLOCK, 0));
        check(SocketCalls.bind(fd, SockaddrIn.inet("127.0.0.1", port), SockaddrIn.SIZE));
        assertThat(errno(SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE)))
                .as("non-blocking connect from port %d: the handshake ran on the loopback", port)
                .isEqualTo("EINPROGRESS");
        assertThat(sk(fd).skState).as("the client from port %d is ESTABLISHED", port)
                .isEqualTo(TcpSock.TCP_ESTABLISHED);
        return fd;
    }

    /** The first client port at or after {@code from} whose SYN selects member {@code index} of a group of {@code n}. */
    private static int portFor(int index, int n, int from) {
        for (int port = from; port < from + 1000; port++) {
            if (ReuseportHash.selected(port, SERVER.port(), n) == index) {
                return port;
            }
        }
        throw new AssertionError("no port selects member " + index + " of " + n);
    }

    /** The peer ports of the connections in listener {@code fd}'s accept queue, first to last. */
    private static List<Integer> acceptQueue(int fd) {
        return sk(fd).icskAcceptQueue.acceptQueue().stream().map(r -> r.rmtPort).toList();
    }

    /** Names for the members of a group, for messages: "a", "b"... by the given socks. */
    private static List<String> names(List<TcpSock> members, Map<TcpSock, String> names) {
        return members.stream().map(s -> names.getOrDefault(s, "?")).toList();
    }

    // ---- the group ----------------------------------------------------------------------------

    @Test
    @DisplayName("the group is made at listen(), in listen() order: not in socket() or bind() order")
    void theGroupIsInListenOrder() {
        inProcess(() -> {
            int a = bound("127.0.0.1", 0);
            int b = bound("127.0.0.1", 0);
            int c = bound("127.0.0.1", 0);
            Map<TcpSock, String> n = Map.of(sk(a), "a", sk(b), "b", sk(c), "c");
            assertThat(sk(a).skReuseportCb).as("a socket that is only bound has no group yet").isNull();

            listen(c);
            assertThat(names(group(c), n)).as("c listens first: reuseport_alloc, a group of one").containsExactly("c");
            listen(a);
            listen(b);

            assertThat(names(group(c), n)).as("members of the group after bind a, b, c and listen c, a, b: "
                    + "inet_reuseport_add_sock appends each new listener at the END (socks[num_socks++])")
                    .containsExactly("c", "a", "b");
            assertThat(sk(a).skReuseportCb).as("a and c share one group").isSameAs(sk(c).skReuseportCb);
            assertThat(sk(b).skReuseportCb).as("b and c share one group").isSameAs(sk(c).skReuseportCb);
        });
    }

    @Test
    @DisplayName("a SO_REUSEPORT socket that is bound but not listening is no member: it gets no connection; once it "
            + "listens it joins at the end")
    void aBoundSocketIsNoMemberUntilItListens() {
        inProcess(() -> {
            int a = listener();
            int b = listener();
            int c = bound("127.0.0.1", Socket.SOCK_NONBLOCK);
            Map<TcpSock, String> n = Map.of(sk(a), "a", sk(b), "b", sk(c), "c");
            assertThat(names(group(a), n)).as("the group while c is only bound").containsExactly("a", "b");

            List<Integer> toA = new ArrayList<>();
            List<Integer> toB = new ArrayList<>();
            for (int port = FIRST_CLIENT_PORT; port < FIRST_CLIENT_PORT + 8; port++) {
                connectFrom(port);
                (ReuseportHash.selected(port, SERVER.port(), 2) == 0 ? toA : toB).add(port);
            }
            assertThat(acceptQueue(a)).as("a's accept queue: the clients whose reciprocal_scale(hash, 2) is 0")
                    .containsExactlyElementsOf(toA);
            assertThat(acceptQueue(b)).as("b's accept queue: those whose is 1").containsExactlyElementsOf(toB);

            listen(c);
            assertThat(names(group(a), n)).as("the group once c listens").containsExactly("a", "b", "c");
        });
    }

    @Test
    @DisplayName("three listeners: each connection lands in exactly the accept queue of socks[reciprocal_scale("
            + "inet_ehashfn(daddr, dport, saddr, sport), 3)], in arrival order")
    void eachConnectionLandsInTheHashedQueue() {
        inProcess(() -> {
            int[] fds = {listener(), listener(), listener()};
            Map<Integer, List<Integer>> expected = new TreeMap<>(Map.of(0, new ArrayList<>(), 1, new ArrayList<>(),
                    2, new ArrayList<>()));
            for (int port = FIRST_CLIENT_PORT; port < FIRST_CLIENT_PORT + 24; port++) {
                connectFrom(port);
                expected.get(ReuseportHash.selected(port, SERVER.port(), 3)).add(port);
            }
            assertThat(expected.values()).as("test setup: the 24 client ports spread over all three members")
                    .allSatisfy(l -> assertThat(l).isNotEmpty());

            for (int i = 0; i < 3; i++) {
                assertThat(acceptQueue(fds[i]))
                        .as("accept queue of member %d (listen() order): the SYN's listener lookup hashes the "
                                + "four-tuple (inet_ehashfn) and takes socks[(hash * 3) >> 32]; each listener keeps its "
                                + "connections first in, first out", i)
                        .containsExactlyElementsOf(expected.get(i));
            }
        });
    }

    @Test
    @DisplayName("reuseport_select_sock scales the hash as an UNSIGNED 32-bit value: (hash * n) >> 32, never hash % n")
    void selectionScalesTheUnsignedHash() {
        inProcess(() -> {
            Net net = Net.current();
            SockReuseport reuse = new SockReuseport();
            List<TcpSock> members = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                TcpSock s = new TcpSock(net, 1000);
                s.skReuseportCb = reuse;
                reuse.socks.add(s);
                members.add(s);
            }
            int[] hashes = {0, 0x55555555, 0x55555556, 0x7fffffff, 0x80000000, 0xaaaaaaab, 0xffffffff};
            List<Integer> got = new ArrayList<>();
            for (int h : hashes) {
                got.add(members.indexOf(SockReuseport.reuseportSelectSock(members.get(0), h)));
            }
            assertThat(got).as("member picked for hashes 0, 0x55555555, 0x55555556, 0x7fffffff, 0x80000000, 0xaaaaaaab, "
                    + "0xffffffff in a group of 3: reciprocal_scale(hash, 3) = (u32 hash * 3) >> 32 cuts [0, 2^32) into "
                    + "three equal ranges; a negative int hash is a large unsigned one")
                    .containsExactly(0, 0, 1, 1, 1, 2, 2);
        });
    }

    // ---- who is woken ---------------------------------------------------------------------------

    @Test
    @DisplayName("worker W0 busy on L0, W1 idle in epoll_wait on L1: a connection hashed to L0 waits in L0's queue and "
            + "W1 is NOT woken (no work stealing); one hashed to L1 wakes W1")
    void theHashedListenerGetsItEvenWhenItsWorkerIsBusy() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            Process p = new Process(sched, "server");
            List<String> results = new CopyOnWriteArrayList<>();
            int[] fds = new int[4];
            p.spawn("keeper", () -> {
                fds[0] = listener();
                fds[1] = listener();
                fds[2] = (int) check(Epoll.epollCreate1(0));
                fds[3] = (int) check(Epoll.epollCreate1(0));
                check(Epoll.epollCtl(fds[2], Epoll.EPOLL_CTL_ADD, fds[0], new EpollEvent(Poll.EPOLLIN, 0)));
                check(Epoll.epollCtl(fds[3], Epoll.EPOLL_CTL_ADD, fds[1], new EpollEvent(Poll.EPOLLIN, 1)));
                Select.poll(new PollFd[0], -1);
            });
            sched.runUntilIdle();
            Task w1 = p.spawn("W1", () -> {
                long ret = Epoll.epollWait(fds[3], new EpollEvent[] {new EpollEvent()}, 1, -1);
                results.add("W1=" + errno(ret));
                SockaddrIn[] addr = new SockaddrIn[1];
                long c = SocketCalls.accept4(fds[1], addr, new int[] {SockaddrIn.SIZE}, 0);
                results.add(c < 0 ? "W1: " + errno(c) : "W1 <- " + addr[0].port());
            });
            sched.runUntilIdle();
            assertThat(w1.state()).as("W1 sleeps in epoll_wait").isEqualTo(Task.TASK_INTERRUPTIBLE);

            int toL0 = portFor(0, 2, FIRST_CLIENT_PORT);
            p.spawn("client to L0", () -> connectFrom(toL0));
            sched.runUntilIdle();
            List<Integer>[] queues = queuesOf(sched, p, fds[0], fds[1]);
            assertThat(queues[0]).as("L0's accept queue: the connection from port %d, which hashes to member 0",
                    toL0).containsExactly(toL0);
            assertThat(queues[1]).as("L1's accept queue").isEmpty();
            assertThat(results).as("what W1 did: nothing, its listener got nothing").isEmpty();
            assertThat(w1.wakeups()).as("wake-ups of W1: only L0's wait queue was walked, and only W0's epoll "
                    + "watches L0").isZero();

            int toL1 = portFor(1, 2, FIRST_CLIENT_PORT);
            p.spawn("client to L1", () -> connectFrom(toL1));
            sched.runUntilIdle();
            assertThat(results).as("a connection from port %d hashes to L1: W1 is woken and accepts it", toL1)
                    .containsExactly("W1=1", "W1 <- " + toL1);
            assertThat(queuesOf(sched, p, fds[0], fds[1])[0]).as("L0's connection still waits for busy W0")
                    .containsExactly(toL0);
        }
    }

    /** The accept queues of two listeners, read in a task of {@code p}. */
    @SuppressWarnings("unchecked")
    private static List<Integer>[] queuesOf(DeterministicScheduler sched, Process p, int l0, int l1) {
        List<Integer>[] out = new List[2];
        p.spawn("look", () -> {
            out[0] = acceptQueue(l0);
            out[1] = acceptQueue(l1);
        });
        sched.runUntilIdle();
        return out;
    }

    @Test
    @DisplayName("three listeners, a blocking acceptor on each: every connection wakes exactly the acceptor of the "
            + "hashed listener")
    void everyConnectionWakesOnlyTheHashedListenersAcceptor() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            Process p = new Process(sched, "server");
            List<String> results = new CopyOnWriteArrayList<>();
            int[] fds = new int[3];
            p.spawn("keeper", () -> {
                for (int i = 0; i < 3; i++) {
                    fds[i] = bound("127.0.0.1", 0);
                    listen(fds[i]);
                }
                Select.poll(new PollFd[0], -1);
            });
            sched.runUntilIdle();
            List<Task> acceptors = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int lfd = fds[i];
                String name = "A" + i;
                acceptors.add(p.spawn(name, () -> {
                    SockaddrIn[] addr = new SockaddrIn[1];
                    long c = SocketCalls.accept4(lfd, addr, new int[] {SockaddrIn.SIZE}, 0);
                    results.add(c < 0 ? name + ": " + errno(c) : name + " <- " + addr[0].port());
                }));
                sched.runUntilIdle();
            }

            List<String> expected = new ArrayList<>();
            int from = FIRST_CLIENT_PORT;
            for (int member : new int[] {2, 0, 1}) {
                int port = portFor(member, 3, from);
                from = port + 1;
                p.spawn("client " + port, () -> connectFrom(port));
                sched.runUntilIdle();
                expected.add("A" + member + " <- " + port);
                assertThat(results).as("after the connection from port %d, which hashes to member %d", port, member)
                        .containsExactlyElementsOf(expected);
            }
            assertThat(acceptors.stream().map(Task::wakeups).toList()).as("wake-ups of A0, A1, A2: one each, by "
                    + "their own listener's connection").containsExactly(1L, 1L, 1L);
        }
    }

    // ---- leaving and joining ------------------------------------------------------------------

    @Test
    @DisplayName("close() of a member: the LAST member moves into its slot, so the order changes and the connections "
            + "are hashed over the new order")
    void closeMovesTheLastMemberIntoTheHole() {
        inProcess(() -> {
            int a = listener();
            int b = listener();
            int c = listener();
            Map<TcpSock, String> n = Map.of(sk(a), "a", sk(b), "b", sk(c), "c");
            TcpSock skA = sk(a);
            SockReuseport reuse = skA.skReuseportCb;

            assertThat(Vfs.close(a)).as("close(a)").isZero();
            assertThat(names(List.copyOf(reuse.socks), n))
                    .as("group [a, b, c] after close(a): reuseport_detach_sock moves the last member, c, into a's slot "
                            + "and shrinks the group; b keeps its slot").containsExactly("c", "b");
            assertThat(skA.skReuseportCb).as("a's sk_reuseport_cb after it left").isNull();

            List<Integer> toC = new ArrayList<>();
            List<Integer> toB = new ArrayList<>();
            for (int port = FIRST_CLIENT_PORT; port < FIRST_CLIENT_PORT + 8; port++) {
                connectFrom(port);
                (ReuseportHash.selected(port, SERVER.port(), 2) == 0 ? toC : toB).add(port);
            }
            assertThat(acceptQueue(c)).as("c's accept queue: c is member 0 now, it takes reciprocal_scale(hash, 2) == 0")
                    .containsExactlyElementsOf(toC);
            assertThat(acceptQueue(b)).as("b's accept queue: member 1").containsExactlyElementsOf(toB);

            assertThat(Vfs.close(b)).as("close(b)").isZero();
            assertThat(names(List.copyOf(reuse.socks), n)).as("group [c, b] after close(b), the last member: it just "
                    + "shrinks").containsExactly("c");

            int d = listener();
            Map<TcpSock, String> n2 = Map.of(sk(c), "c", sk(d), "d");
            assertThat(names(group(d), n2)).as("a new listener joins the group that is left, at the end")
                    .containsExactly("c", "d");
        });
    }

    // ---- who may join -------------------------------------------------------------------------------

    /**
     * Through the syscalls, bind() already refuses a socket that could not join (another
     * user's, or one without the option, on the same address and port: EADDRINUSE), so the
     * rules of {@code inet_reuseport_add_sock} itself are tried on hand-made listeners.
     */
    @Test
    @DisplayName("inet_reuseport_add_sock joins only a listener with SO_REUSEPORT, the same address and the same uid; "
            + "else the new listener starts a group of its own")
    void whoMayJoin() {
        inProcess(() -> {
            Net net = Net.current();
            TcpSock otherUid = member(net, 0, SockaddrIn.INADDR_LOOPBACK, true);
            TcpSock noOption = member(net, 1000, SockaddrIn.INADDR_LOOPBACK, true);
            noOption.skReuseport = false; // setsockopt(SO_REUSEPORT, 0) after its listen(): it keeps its group
            TcpSock wildcard = member(net, 1000, SockaddrIn.INADDR_ANY, true);
            TcpSock sk = newListener(net, 1000, SockaddrIn.INADDR_LOOPBACK);

            SockReuseport.inetReuseportAddSock(sk, List.of(otherUid, noOption, wildcard));

            assertThat(sk.skReuseportCb).as("the new listener's group").isNotNull();
            assertThat(sk.skReuseportCb.socks)
                    .as("listeners on the port: one of uid 0 (another user may not steal connections), one that "
                            + "turned SO_REUSEPORT off (sk2->sk_reuseport is checked, not only its group), one bound to 0.0.0.0 (inet_rcv_saddr_equal without wildcard match: not "
                            + "the same address). None may be joined: a new group with the new listener alone")
                    .containsExactly(sk);
            for (TcpSock other : List.of(otherUid, noOption, wildcard)) {
                assertThat(other.skReuseportCb.socks).as("the other groups are untouched").containsExactly(other);
            }

            TcpSock match = member(net, 1000, SockaddrIn.INADDR_LOOPBACK, true);
            TcpSock sk2 = newListener(net, 1000, SockaddrIn.INADDR_LOOPBACK);
            SockReuseport.inetReuseportAddSock(sk2, List.of(otherUid, noOption, match, wildcard));
            assertThat(sk2.skReuseportCb).as("a listener with SO_REUSEPORT, 127.0.0.1 and uid 1000: its group is joined")
                    .isSameAs(match.skReuseportCb);
            assertThat(match.skReuseportCb.socks).as("the group joined, the newcomer at the end").containsExactly(match,
                    sk2);
        });
    }

    /** A hand-made listener on :80 of {@code uid} at {@code addr}, with its own group when {@code reuseport}. */
    private static TcpSock member(Net net, int uid, int addr, boolean reuseport) {
        TcpSock s = newListener(net, uid, addr);
        s.skReuseport = reuseport;
        if (reuseport) {
            SockReuseport reuse = new SockReuseport();
            reuse.socks.add(s);
            s.skReuseportCb = reuse;
        }
        return s;
    }

    /** A hand-made socket of {@code uid} at {@code addr}:80 in state LISTEN with SO_REUSEPORT, no group yet. */
    private static TcpSock newListener(Net net, int uid, int addr) {
        TcpSock s = new TcpSock(net, uid);
        s.rcvSaddr = addr;
        s.num = SERVER.port();
        s.skReuseport = true;
        s.skState = TcpSock.TCP_LISTEN;
        return s;
    }

    @ParameterizedTest(name = "[{index}] listen() order: {0}")
    @CsvSource({"wildcard first, false", "127.0.0.1 first, true"})
    @DisplayName("a SO_REUSEPORT listener on 0.0.0.0:80 and one on 127.0.0.1:80 are two groups; a SYN to 127.0.0.1 "
            + "goes to the one bound to that address, whichever listened first")
    void aWildcardListenerIsAnotherGroup(String order, boolean specificFirst) {
        inProcess(() -> {
            int specific;
            int wildcard;
            if (specificFirst) {
                specific = listener();
                wildcard = bound("0.0.0.0", Socket.SOCK_NONBLOCK);
                listen(wildcard);
            } else {
                wildcard = bound("0.0.0.0", Socket.SOCK_NONBLOCK);
                listen(wildcard);
                specific = listener();
            }
            assertThat(group(specific)).as("the 127.0.0.1 listener's group: itself only (0.0.0.0 is not its address)")
                    .containsExactly(sk(specific));
            assertThat(group(wildcard)).as("the 0.0.0.0 listener's group: itself only").containsExactly(sk(wildcard));

            for (int port = FIRST_CLIENT_PORT; port < FIRST_CLIENT_PORT + 4; port++) {
                connectFrom(port);
            }
            assertThat(acceptQueue(specific)).as("connections to 127.0.0.1:80 (%s): the listener lookup tries the "
                    + "listeners bound to the destination address before the wildcard ones (the lhash2 bucket of "
                    + "(daddr, port), then that of (INADDR_ANY, port)), and picks from the first group found there",
                    order).hasSize(4);
            assertThat(acceptQueue(wildcard)).as("the wildcard listener's queue").isEmpty();
        });
    }
}
