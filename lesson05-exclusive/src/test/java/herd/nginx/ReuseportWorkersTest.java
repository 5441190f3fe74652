package herd.nginx;

import static herd.course.kit.Epolls.item;
import static herd.course.kit.Epolls.watched;
import static herd.course.kit.Nginx.FIRST_PID;
import static herd.course.kit.Nginx.startIdle;
import static herd.course.kit.Nginx.sum;
import static herd.course.kit.Sockets.SERVER;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Traces.strace;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLRDHUP;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.Seeds;
import herd.fs.Poll;
import herd.fs.PollFd;
import herd.fs.Process;
import herd.fs.Select;
import herd.inet.ReuseportHash;
import herd.list.ListHead;
import herd.sched.DeterministicScheduler;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import herd.trace.StraceFormat;
import herd.trace.TraceEvent;
import herd.wait.WaitQueueEntry;
import herd.wait.WaitQueueHead;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * L05-E7: {@code listen 80 reuseport} ({@code ngx_clone_listening}, kernel-spec 4 (d),
 * herd-strategies 1.5). The master opens one listening socket per worker, each with
 * {@code SO_REUSEADDR} and {@code SO_REUSEPORT} set before {@code bind} to 0.0.0.0:80, so they
 * form one reuseport group (lesson 5's E4) in listen order: socket 6 is member 0, 7 member 1...
 * Worker {@code i} watches only socket {@code 6 + i}, plainly. A SYN's lookup picks the member
 * {@code reciprocal_scale(inet_ehashfn(daddr, 80, saddr, sport), n)}: the connection lands in that
 * socket's accept queue and only its worker is woken, or nobody if that worker is busy; an idle
 * worker never takes another's connection. The clients here bind their port, so each test knows
 * which worker a connection belongs to.
 */
@Tag("lesson05")
@Tag("L05-E7")
@DisplayName("L05-E7: nginx with listen ... reuseport, one socket per worker")
@ExtendWith(Seeds.Resolver.class)
class ReuseportWorkersTest {
    private static final Pattern PEER_PORT = Pattern.compile("sin_port=htons\\((\\d+)\\)");
    /** Where the bound clients' ports start. */
    private static final int FIRST_CLIENT_PORT = 40000;

    // ---- helpers --------------------------------------------------------------------------------

    /** nginx's configuration with {@code n} workers and {@code listen 80 reuseport}. */
    private static NgxConf reuseport(int n) {
        return NgxConf.herd(n).withReuseport();
    }

    /** The first {@code count} client ports at or after {@link #FIRST_CLIENT_PORT} whose SYN selects member {@code m} of {@code n}. */
    private static List<Integer> portsTo(int m, int n, int count) {
        List<Integer> ports = new ArrayList<>();
        for (int port = FIRST_CLIENT_PORT; ports.size() < count; port++) {
            if (ReuseportHash.selected(port, NgxMaster.LISTEN.port(), n) == m) {
                ports.add(port);
            }
        }
        return ports;
    }

    /** A client process that connects from each of {@code ports} in turn (bound first), keeps them open and waits. */
    private static void connectFrom(DeterministicScheduler sched, List<Integer> ports) {
        Process p = new Process(sched, "client");
        p.spawn("client", () -> {
            PollFd[] fds = new PollFd[ports.size()];
            for (int i = 0; i < ports.size(); i++) {
                int fd = (int) check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, Socket.IPPROTO_TCP));
                check(SocketCalls.bind(fd, SockaddrIn.inet("127.0.0.1", ports.get(i)), SockaddrIn.SIZE));
                check(SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE));
                fds[i] = new PollFd(fd, Poll.EPOLLIN);
            }
            Select.poll(fds, -1);
        });
    }

    /** The entries on the wait queue of listening socket {@code fd}, found through {@code w}'s epoll item for it. */
    private static int queueLength(NgxWorker w, int fd) {
        WaitQueueHead wq = item(w.eventPoll(), fd).pwqlist().get(0).whead();
        int n = 0;
        for (ListHead<WaitQueueEntry> p = wq.head.next(); p != wq.head; p = p.next()) {
            n++;
        }
        return n;
    }

    /** The peer ports of the connections worker {@code w} accepted, in order, from {@code events}. */
    private static List<Integer> acceptedPorts(List<TraceEvent> events, NgxWorker w) {
        List<Integer> ports = new ArrayList<>();
        for (TraceEvent e : events) {
            if (e.pid() == w.task().pid() && e.kind() == TraceEvent.Kind.SYSCALL_EXIT && e.name().equals("accept4")
                    && e.ret() >= 0) {
                Matcher m = PEER_PORT.matcher(e.detail());
                assertThat(m.find()).as("accept4's peer address in %s", e.detail()).isTrue();
                ports.add(Integer.parseInt(m.group(1)));
            }
        }
        return ports;
    }

    // ---- the master and the workers' start ------------------------------------------------------------

    @Test
    @DisplayName("the master's strace with reuseport and 2 workers: sockets 6 and 7, each SO_REUSEADDR and "
            + "SO_REUSEPORT before bind to 0.0.0.0:80 and listen(..., 511)")
    void theMasterOpensOneSocketPerWorker() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1, 0.5)) {
            NgxMaster master = startIdle(sched, reuseport(2));
            List<String> expected = new ArrayList<>(List.of(
                    "openat(AT_FDCWD, \"/var/log/nginx/error.log\", O_WRONLY|O_CREAT|O_APPEND, 0644) = 3",
                    "openat(AT_FDCWD, \"/var/log/nginx/access.log\", O_WRONLY|O_CREAT|O_APPEND, 0644) = 4",
                    "openat(AT_FDCWD, \"/var/log/nginx/stream.log\", O_WRONLY|O_CREAT|O_APPEND, 0644) = 5"));
            for (int fd = 6; fd <= 7; fd++) {
                expected.addAll(List.of(
                        "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = " + fd,
                        "setsockopt(" + fd + ", SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0",
                        "setsockopt(" + fd + ", SOL_SOCKET, SO_REUSEPORT, [1], 4) = 0",
                        "ioctl(" + fd + ", FIONBIO, [1]) = 0",
                        "bind(" + fd + ", {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"0.0.0.0\")}, "
                                + "16) = 0",
                        "listen(" + fd + ", 511) = 0"));
            }
            expected.addAll(List.of(
                    "socketpair(AF_UNIX, SOCK_STREAM, 0, [8, 9]) = 0",
                    "socketpair(AF_UNIX, SOCK_STREAM, 0, [10, 11]) = 0",
                    "poll([], 0, -1 <unfinished ...>"));
            assertThat(strace(sched, FIRST_PID)).as("the master's strace: ngx_clone_listening makes one socket per "
                    + "worker; SO_REUSEPORT must be set on each before bind(), or the second bind() to port 80 fails "
                    + "with EADDRINUSE").containsExactlyElementsOf(expected);
            assertThat(master.listening()).as("the listening descriptors, in worker order").containsExactly(6, 7);
        }
    }

    @ParameterizedTest(name = "[{index}] {0} workers")
    @ValueSource(ints = {2, 4})
    @DisplayName("worker i's epoll watches only listening socket 6 + i, added plainly (EPOLLIN|EPOLLRDHUP), and that "
            + "socket's wait queue holds only worker i's entry")
    void eachWorkerWatchesOnlyItsOwnSocket(int n, Seeds seeds) {
        seeds.explore(4, 0.5, sched -> {
            NgxMaster master = startIdle(sched, reuseport(n));
            List<Integer> listening = IntStream.range(6, 6 + n).boxed().toList();
            assertThat(master.listening()).as("the listening descriptors").isEqualTo(listening);
            for (NgxWorker w : master.workers) {
                int own = 6 + w.slot;
                assertThat(watched(w.eventPoll())).as("%s's epoll: its own socket %d (ls->worker == ngx_worker), "
                        + "none of the others", w, own).contains(own)
                        .doesNotContainAnyElementsOf(listening.stream().filter(fd -> fd != own).toList());
                assertThat(strace(sched, w.task().pid())).as("%s's strace: the plain add of its socket", w)
                        .contains("epoll_ctl(" + w.ep + ", EPOLL_CTL_ADD, " + own + ", {events=EPOLLIN|EPOLLRDHUP, "
                                + "data={u32=" + own + ", u64=" + own + "}}) = 0");
                assertThat(w.connection(own).read.handler).as("%s's socket %d has ngx_event_accept as handler", w, own)
                        .isNotNull();
                assertThat(queueLength(w, own)).as("entries on socket %d's wait queue: only %s's epoll watches it",
                        own, w).isEqualTo(1);
            }
            assertThat(StraceFormat.render(sched.trace().events())).as("the start's strace: no EPOLLEXCLUSIVE, "
                    + "reuseport needs none").doesNotContain("EPOLLEXCLUSIVE");
        });
    }

    // ---- connections ----------------------------------------------------------------------------------

    @ParameterizedTest(name = "[{index}] {0} workers")
    @ValueSource(ints = {2, 4})
    @DisplayName("one connection per member, each after every worker sleeps, 16 seeds: 1 callback, 1 wake-up, 1 "
            + "accept, all by the worker of the socket the hash selected; the others see nothing")
    void oneConnectionWakesTheHashedWorker(int n, Seeds seeds) {
        seeds.explore(16, 0.5, sched -> {
            NgxMaster master = startIdle(sched, reuseport(n));
            for (int member = 0; member < n; member++) {
                final int m = member;
                int port = portsTo(m, n, 1).get(0);
                NgxWorker target = master.workers.get(m);
                List<WorkerCounters> before = WorkerCounters.of(master);
                int traceStart = sched.trace().events().size();
                connectFrom(sched, List.of(port));
                sched.runUntilIdle();
                List<WorkerCounters> c = WorkerCounters.since(master, before);
                assertThat(sum(c, WorkerCounters::wakeups)).as("wake-ups for the connection from port %d (%s)", port, c)
                        .isEqualTo(1);
                assertThat(sum(c, WorkerCounters::eagain) + sum(c, WorkerCounters::hiddenWakeups))
                        .as("EAGAIN and hidden wake-ups: nobody else watches the socket (%s)", c).isZero();
                for (NgxWorker w : master.workers) {
                    WorkerCounters wc = c.get(w.slot);
                    List<Long> expected = w == target ? List.of(1L, 1L, 1L, 1L) : List.of(0L, 0L, 0L, 0L);
                    assertThat(List.of(wc.callbacks(), wc.wakeups(), wc.epollWaitReturns(), wc.accepts()))
                            .as("%s's callbacks, wake-ups, epoll_wait returns, accepts for the connection from port "
                                    + "%d, which selects member %d of %d: socket %d, %s's (%s)",
                                    w, port, m, n, 6 + m, target, c).isEqualTo(expected);
                }
                List<TraceEvent> events = sched.trace().events();
                assertThat(acceptedPorts(events.subList(traceStart, events.size()), target))
                        .as("the port %s accepted", target).containsExactly(port);
                assertThat(strace(sched, target.task().pid())).as("%s accepts from its own socket %d", target, 6 + m)
                        .anyMatch(l -> l.startsWith("accept4(" + (6 + m) + ", ") && l.contains("htons(" + port + ")"));
            }
        });
    }

    @Test
    @DisplayName("HerdRun, a trickle of 64 to 4 workers, 4 seeds: wake-ups per connection exactly 1.0, no EAGAIN, "
            + "no hidden wake-up; each worker accepts exactly the ports the hash gives its socket: 16, 19, 19, 10")
    void aTrickleIsSpreadByTheHash(Seeds seeds) {
        seeds.explore(4, 0.5, sched -> {
            HerdRun run = HerdRun.run(sched, NgxConf.herd(4).withReuseport(), 64, false);
            HerdFigures f = run.figures(64);
            assertThat(f.callbacksPerConnection()).as("ep_poll_callback per connection: one watcher per socket (%s)", f)
                    .isEqualTo(1.0);
            assertThat(f.wakeupsPerConnection()).as("wake-ups per connection (%s)", f).isEqualTo(1.0);
            assertThat(f.spuriousPerConnection()).as("EAGAIN per connection (%s)", f).isEqualTo(0.0);
            assertThat(f.hiddenPerConnection()).as("hidden wake-ups per connection (%s)", f).isEqualTo(0.0);
            List<TraceEvent> events = sched.trace().events();
            List<TraceEvent> after = events.subList(run.traceStart(), events.size());
            List<Integer> all = new ArrayList<>();
            for (NgxWorker w : run.master().workers) {
                List<Integer> ports = acceptedPorts(after, w);
                all.addAll(ports);
                assertThat(ports).as("%s's accepted peer ports: every one selects member %d, its socket %d",
                        w, w.slot, 6 + w.slot)
                                .allMatch(p -> ReuseportHash.selected(p, NgxMaster.LISTEN.port(), 4) == w.slot);
            }
            assertThat(all).as("the peer ports accepted: the 64 ephemeral ports of the trickle, each once")
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(32768, 32768 + 64).boxed().toList());
            assertThat(f.acceptsPerWorker()).as("accepts per worker: the hash of ports 32768..32831 (%s)", f)
                    .containsExactly(16L, 19L, 19L, 10L);
            assertThat(f.fairness()).as("Jain's fairness: spread by the hash, not equal (%s)", f).isGreaterThan(0.9);
        });
    }

    @ParameterizedTest(name = "[{index}] both to member {0}")
    @ValueSource(ints = {0, 1})
    @DisplayName("no stealing: 2 connections back to back (no preemption) that both hash to one worker's socket: the "
            + "first wakes it, the second finds it busy and wakes nobody, and the other worker, idle, sees nothing")
    void aBusyWorkersConnectionWaitsForIt(int member, Seeds seeds) {
        seeds.explore(8, 0.0, sched -> {
            NgxMaster master = startIdle(sched, reuseport(2));
            NgxWorker target = master.workers.get(member);
            NgxWorker other = master.workers.get(1 - member);
            List<Integer> ports = portsTo(member, 2, 2);
            List<WorkerCounters> before = WorkerCounters.of(master);
            connectFrom(sched, ports);
            sched.runUntilIdle();
            List<WorkerCounters> c = WorkerCounters.since(master, before);
            WorkerCounters t = c.get(target.slot);
            WorkerCounters o = c.get(other.slot);
            assertThat(List.of(t.callbacks(), t.wakeups(), t.accepts(), t.eagain(), t.hiddenWakeups()))
                    .as("%s (socket %d, ports %s): 2 callbacks, 1 wake-up (the second connection came while it was "
                            + "runnable, not asleep), 2 accepts, no EAGAIN, no hidden wake-up (%s)",
                            target, 6 + member, ports, c).containsExactly(2L, 1L, 2L, 0L, 0L);
            assertThat(List.of(o.callbacks(), o.wakeups(), o.epollWaitReturns(), o.accepts()))
                    .as("%s, idle all along: the connections are in the other socket's accept queue, so it is "
                            + "neither called back, nor woken, nor accepts (%s)", other, c)
                    .containsExactly(0L, 0L, 0L, 0L);
            List<String> lines = strace(sched, other.task().pid());
            assertThat(lines.get(lines.size() - 1)).as("%s's last strace line: still asleep in epoll_wait", other)
                    .isEqualTo("epoll_wait(" + other.ep + ",  <unfinished ...>");
            assertThat(acceptedPorts(sched.trace().events(), target)).as("the ports %s accepted", target)
                    .containsExactlyElementsOf(ports);
        });
    }

    @Test
    @DisplayName("a burst of 32 bound clients to 4 workers, 16 seeds with preemption: every connection accepted by "
            + "its hashed worker; no EAGAIN, no hidden wake-up; at most one wake-up per connection")
    void aBurstGoesToTheHashedWorkers(Seeds seeds) {
        List<Integer> ports = IntStream.range(FIRST_CLIENT_PORT, FIRST_CLIENT_PORT + 32).boxed().toList();
        seeds.explore(16, 0.5, sched -> {
            NgxMaster master = startIdle(sched, reuseport(4));
            List<WorkerCounters> before = WorkerCounters.of(master);
            connectFrom(sched, ports);
            sched.runUntilIdle();
            List<WorkerCounters> c = WorkerCounters.since(master, before);
            assertThat(sum(c, WorkerCounters::eagain)).as("EAGAIN: each socket has one worker (%s)", c).isZero();
            assertThat(sum(c, WorkerCounters::hiddenWakeups)).as("hidden wake-ups (%s)", c).isZero();
            assertThat(sum(c, WorkerCounters::callbacks)).as("ep_poll_callback: one per connection (%s)", c)
                    .isEqualTo(32);
            assertThat(sum(c, WorkerCounters::wakeups)).as("wake-ups: at most one per connection (%s)", c)
                    .isBetween(1L, 32L);
            for (NgxWorker w : master.workers) {
                List<Integer> expected = ports.stream()
                        .filter(p -> ReuseportHash.selected(p, NgxMaster.LISTEN.port(), 4) == w.slot).toList();
                assertThat(acceptedPorts(sched.trace().events(), w))
                        .as("%s's accepted ports, in arrival order: exactly those that select its socket %d", w,
                                6 + w.slot)
                        .containsExactlyElementsOf(expected);
            }
        });
    }
}
