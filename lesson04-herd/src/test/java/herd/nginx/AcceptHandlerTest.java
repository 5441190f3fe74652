package herd.nginx;

import static herd.course.kit.Epolls.item;
import static herd.course.kit.Nginx.FIRST_PID;
import static herd.course.kit.Nginx.asleep;
import static herd.course.kit.Nginx.listener;
import static herd.course.kit.Nginx.listenerReported;
import static herd.course.kit.Nginx.startIdle;
import static herd.course.kit.Nginx.sum;
import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.fileOf;
import static herd.course.kit.Processes.openFds;
import static herd.course.kit.Sockets.SERVER;
import static herd.course.kit.Sockets.accept4Calls;
import static herd.course.kit.Sockets.connectNonBlocking;
import static herd.course.kit.Sockets.portOf;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Traces.since;
import static herd.course.kit.Traces.strace;
import static herd.fs.Poll.EPOLLERR;
import static herd.fs.Poll.EPOLLHUP;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLRDHUP;
import static herd.nginx.NgxTests.inWorker;
import static herd.nginx.NgxTests.listening;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.Seeds;
import herd.epoll.Epoll;
import herd.inet.Net;
import herd.fs.Poll;
import herd.fs.PollFd;
import herd.fs.Process;
import herd.fs.Select;
import herd.fs.Vfs;
import herd.sched.DeterministicScheduler;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import herd.trace.TraceEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
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
 * L04-E2: {@code ngx_event_accept} and {@code ngx_http_wait_request_handler}. The
 * listening socket's handler accepts with {@code accept4(6, &sa, [112], SOCK_NONBLOCK)},
 * once per event or, with {@code multi_accept on}, until {@code EAGAIN}; {@code EAGAIN}
 * (another worker was faster) returns quietly; the new connection is added edge-triggered
 * and its handler reads: nothing yet waits, a request or the client's close ends it. Then
 * the herd itself: one connection to N idle workers costs N callbacks and N wake-ups for
 * one accept.
 */
@Tag("lesson04")
@Tag("L04-E2")
@DisplayName("L04-E2: ngx_event_accept and the request handler")
@ExtendWith(Seeds.Resolver.class)
class AcceptHandlerTest {
    private static final int WORKER1 = FIRST_PID + 1;
    private static final Pattern PEER_PORT = Pattern.compile("sin_port=htons\\((\\d+)\\)");
    private static final String ACCEPT_EAGAIN =
            "accept4(6, 0x7ffc0000, [112], SOCK_NONBLOCK) = -1 EAGAIN (Resource temporarily unavailable)";

    // ---- one connection, one worker ------------------------------------------------------------

    @Test
    @DisplayName("telnet to one worker: epoll_wait returns 6, accept4(6, {127.0.0.1:32768}, [112 => 16], "
            + "SOCK_NONBLOCK) = 10, epoll_ctl(7, EPOLL_CTL_ADD, 10, EPOLLIN|EPOLLRDHUP|EPOLLET), and back to sleep")
    void oneConnectionIsAcceptedAndAddedEdgeTriggered() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1, 0.5)) {
            startIdle(sched, 1, false);
            List<String> before = strace(sched, WORKER1);

            Telnet.connect(sched);
            sched.runUntilIdle();

            assertThat(since(before, sched, WORKER1))
                    .as("worker1's calls for the connection: ngx_event_accept's accept4 with nginx's 112-byte "
                            + "address buffer (the kernel writes back 16) and SOCK_NONBLOCK gets descriptor 10 (the "
                            + "lowest free); the connection is added edge-triggered (NGX_CLEAR_EVENT); with "
                            + "multi_accept off there is no second accept4; the loop sleeps again")
                    .containsExactly(
                            listenerReported(7),
                            "accept4(6, {sa_family=AF_INET, sin_port=htons(32768), sin_addr=inet_addr(\"127.0.0.1\")}, "
                                    + "[112 => 16], SOCK_NONBLOCK) = 10",
                            "epoll_ctl(7, EPOLL_CTL_ADD, 10, {events=EPOLLIN|EPOLLRDHUP|EPOLLET, data={u32=10, u64=10}}) = 0",
                            asleep(7));
        }
    }

    @Test
    @DisplayName("the accepted connection: an O_NONBLOCK file at 10, a connection of the worker (not listening) whose "
            + "read event is active, an epoll item with EPOLLIN|EPOLLRDHUP|EPOLLET")
    void theAcceptedConnectionIsNonBlockingAndWatched() {
        try (DeterministicScheduler sched = new DeterministicScheduler(2, 0.5)) {
            NgxMaster master = startIdle(sched, 1, false);
            NgxWorker worker = master.workers.get(0);
            Telnet.connect(sched);
            sched.runUntilIdle();

            assertThat(fileOf(worker.process(), 10)).as("worker1's descriptor 10").isNotNull();
            assertThat(fileOf(worker.process(), 10).nonBlocking())
                    .as("the accepted file is O_NONBLOCK: accept4's SOCK_NONBLOCK (it is not inherited from the "
                            + "listening socket)").isTrue();
            NgxConnection c = worker.connection(10);
            assertThat(c).as("ngx_get_connection registered descriptor 10").isNotNull();
            assertThat(List.of(c.listening, c.read.active)).as("the new connection: not listening, its read event "
                    + "active").containsExactly(false, true);
            assertThat(item(worker.eventPoll(), 10).event.events)
                    .as("its epoll item's events: EPOLLIN|EPOLLRDHUP|EPOLLET (ngx_epoll_add_event with NGX_CLEAR_EVENT), "
                            + "and the EPOLLERR|EPOLLHUP epoll_ctl adds")
                    .isEqualTo(EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP | Epoll.EPOLLET);
            assertThat(worker.errorLog).as("worker1's error log").isEmpty();
        }
    }

    // ---- ngx_event_accept, called directly -----------------------------------------------------------

    @Test
    @DisplayName("nothing to accept: accept4 fails with EAGAIN and ngx_event_accept returns quietly: no error "
            + "logged, no connection, no descriptor left open, the event not ready")
    void eagainReturnsQuietly() {
        inWorker(false, worker -> {
            int lfd = listener();
            NgxConnection ls = listening(lfd);
            ls.read.ready = true;
            List<Integer> open = openFds(Process.current());

            NgxEventAccept.ngxEventAccept(ls.read);

            assertThat(accept4Calls()).as("[successful, EAGAIN] accept4 calls: one, on an empty accept queue")
                    .containsExactly(0L, 1L);
            assertThat(worker.errorLog).as("EAGAIN is not an error to log: another worker was faster").isEmpty();
            assertThat(openFds(Process.current())).as("open descriptors after the failed accept").isEqualTo(open);
            assertThat(IntStream.range(0, 16).mapToObj(worker::connection).filter(c -> c != null).toList())
                    .as("the worker's connections: none was made").isEmpty();
            assertThat(ls.read.ready).as("ngx_event_accept clears ev->ready").isFalse();
        });
    }

    @Test
    @DisplayName("a queued connection, called directly: the new descriptor becomes a connection of the worker with "
            + "the request handler's read event added edge-triggered")
    void aQueuedConnectionBecomesAConnection() {
        inWorker(false, worker -> {
            int lfd = listener();
            int cfd = connectNonBlocking();
            int expected = cfd + 1;

            NgxEventAccept.ngxEventAccept(listening(lfd).read);

            assertThat(accept4Calls()).as("[successful, EAGAIN] accept4 calls").containsExactly(1L, 0L);
            NgxConnection c = worker.connection(expected);
            assertThat(c).as("the connection of the accepted descriptor %d", expected).isNotNull();
            assertThat(file(expected).nonBlocking()).as("the accepted file is O_NONBLOCK").isTrue();
            assertThat(Socket.sockFromFile(file(expected)).sk.dport).as("the accepted socket's peer: the client")
                    .isEqualTo(portOf(cfd));
            assertThat(item(worker.eventPoll(), expected)).as("the worker's epoll item for %d", expected).isNotNull();
            assertThat(item(worker.eventPoll(), expected).event.events).as("its events, edge-triggered: "
                    + "EPOLLIN|EPOLLRDHUP|EPOLLET, and the EPOLLERR|EPOLLHUP epoll_ctl adds")
                    .isEqualTo(EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP | Epoll.EPOLLET);
            assertThat(c.read.active).as("the new read event is active").isTrue();
            assertThat(c.read.handler).as("the new connection's read handler (ngx_http_wait_request_handler)")
                    .isNotNull();
            assertThat(worker.errorLog).as("the error log").isEmpty();
        });
    }

    @ParameterizedTest(name = "[{index}] multi_accept {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("three queued connections, one call: multi_accept off accepts one and leaves two; multi_accept on "
            + "accepts all three and stops at EAGAIN")
    void multiAcceptDecidesHowManyPerCall(boolean multiAccept) {
        inWorker(multiAccept, worker -> {
            int lfd = listener();
            for (int i = 0; i < 3; i++) {
                connectNonBlocking();
            }
            NgxConnection ls = listening(lfd);

            NgxEventAccept.ngxEventAccept(ls.read);

            assertThat(accept4Calls()).as("[successful, EAGAIN] accept4 calls of one ngx_event_accept with "
                    + "multi_accept %s", multiAccept ? "on: accept until EAGAIN" : "off: one accept4")
                    .isEqualTo(multiAccept ? List.of(3L, 1L) : List.of(1L, 0L));
            assertThat(ls.read.available).as("ev->available is multi_accept").isEqualTo(multiAccept);
            long queued = Socket.sockFromFile(file(lfd)).sk.skAckBacklog;
            assertThat(queued).as("connections still in the accept queue").isEqualTo(multiAccept ? 0 : 2);
        });
    }

    @Test
    @DisplayName("each accepted connection sets ngx_accept_disabled = connection_n / 8 - free_connection_n before it "
            + "takes its slot: 1024 / 8 - 1024 = -896, then -895 and -894 (lesson 5's accept_mutex reads it)")
    void eachAcceptSetsTheAcceptMutexThrottle() {
        inWorker(false, worker -> {
            int lfd = listener();
            NgxConnection ls = listening(lfd);
            List<Long> seen = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                connectNonBlocking();
                NgxEventAccept.ngxEventAccept(ls.read);
                seen.add(worker.acceptDisabled);
            }
            assertThat(seen).as("ngx_accept_disabled after each of 3 accepts (the worker had no connection)")
                    .containsExactly(-896L, -895L, -894L);
        });
    }

    // ---- multi_accept on the live worker --------------------------------------------------------------

    @ParameterizedTest(name = "[{index}] multi_accept {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("a burst of 3 queued before the worker runs: multi_accept on takes them in one epoll_wait return "
            + "(3 accepts, then EAGAIN); off, one accept per return (3 returns, no EAGAIN); one wake-up either way")
    void aBurstWithAndWithoutMultiAccept(boolean multiAccept) {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            NgxMaster master = startIdle(sched, 1, multiAccept);
            NgxWorker worker = master.workers.get(0);
            WorkerCounters before = WorkerCounters.of(worker);

            Telnet.burst(sched, "client", 3);
            sched.runUntilIdle();

            WorkerCounters c = WorkerCounters.of(worker).minus(before);
            assertThat(List.of(c.wakeups(), c.epollWaitReturns(), c.accepts(), c.eagain()))
                    .as("[wake-ups, epoll_wait returns, accepts, EAGAIN] of worker1 with multi_accept %s (without "
                            + "preemption the client queues all three before the woken worker runs)",
                            multiAccept ? "on" : "off")
                    .isEqualTo(multiAccept ? List.of(1L, 1L, 3L, 1L) : List.of(1L, 3L, 3L, 0L));
            assertThat(IntStream.of(10, 11, 12).mapToObj(worker::connection).filter(x -> x != null).count())
                    .as("connections 10, 11, 12 registered").isEqualTo(3);
        }
    }

    // ---- ngx_http_wait_request_handler ------------------------------------------------------------------

    // ---- ngx_event_accept's error paths (src/event/ngx_event_accept.c) --------------------------------

    /**
     * src/event/ngx_event_accept.c: {@code accept4} fails with {@code EMFILE}: logged at
     * {@code crit}, then {@code ngx_disable_accept_events(cycle, 1)} and, without the accept
     * mutex, {@code ngx_add_timer(ev, ecf->accept_mutex_delay)}; when the timer expires,
     * {@code ngx_event_accept} runs with {@code ev->timedout} and first calls
     * {@code ngx_enable_accept_events}.
     */
    @Test
    @DisplayName("accept4 fails with EMFILE: nginx logs it at crit, takes socket 6 out of its epoll and sets a "
            + "500 ms timer (accept_mutex_delay); when it expires it adds 6 again and accepts the waiting connection")
    void emfileDisablesAcceptingForAcceptMutexDelay() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            NgxMaster master = startIdle(sched, 1, false);
            NgxWorker worker = master.workers.get(0);
            worker.process().spawn("filler", () -> {
                while (Vfs.dup(0) >= 0) {
                    // fill worker 1's descriptor table (RLIMIT_NOFILE)
                }
            });
            sched.runUntil(sched.clock());
            List<String> before = strace(sched, WORKER1);

            Telnet.connect(sched);
            sched.runUntil(sched.clock());
            assertThat(since(before, sched, WORKER1)).as("worker1 right after the connection").containsExactly(
                    listenerReported(7),
                    "accept4(6, 0x7ffc0000, [112], SOCK_NONBLOCK) = -1 EMFILE (Too many open files)",
                    "epoll_ctl(7, EPOLL_CTL_DEL, 6, NULL) = 0",
                    asleep(7));
            assertThat(worker.errorLog).as("worker1's error log")
                    .containsExactly("[crit] accept4() failed (24: Too many open files)");
            assertThat(worker.connection(6).read.timerSet).as("the accept event's timer").isTrue();

            worker.process().spawn("closer", () -> check(Vfs.close(500)));
            sched.runUntil(sched.clock() + 1_000_000_000L);
            List<String> after = since(before, sched, WORKER1);
            assertThat(after.subList(3, after.size())).as("worker1 at the timer's expiry: epoll_wait timed out after "
                    + "500 ms, ngx_enable_accept_events added 6 again (plainly), and the accept succeeded").startsWith(
                    "epoll_wait(7, [], 512, 500) = 0",
                    "epoll_ctl(7, EPOLL_CTL_ADD, 6, {events=EPOLLIN|EPOLLRDHUP, data={u32=6, u64=6}}) = 0",
                    "accept4(6, {sa_family=AF_INET, sin_port=htons(32768), sin_addr=inet_addr(\"127.0.0.1\")}, "
                            + "[112 => 16], SOCK_NONBLOCK) = 500");
            assertThat(Net.of(sched).acceptQueueSojourns).as("the connection waited in the accept queue for the "
                    + "timer: 500 ms").containsExactly(500_000_000L);
        }
    }

    /**
     * src/event/ngx_event_accept.c: {@code c = ngx_get_connection(s, ev->log); if (c == NULL)
     * { ngx_close_socket(s); return; }}, and src/core/ngx_connection.c logs
     * "worker_connections are not enough" at {@code alert}.
     */
    @Test
    @DisplayName("no free connection (worker_connections 4: the listening socket, the channel and two clients): "
            + "nginx logs it and closes the new socket, so the third client reads end of file")
    void noFreeConnectionClosesTheNewSocket() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            sched.pidsFrom(FIRST_PID);
            NgxMaster master = NgxMaster.start(sched, NgxConf.herd(1).withWorkerConnections(4));
            sched.runUntilIdle();
            NgxWorker worker = master.workers.get(0);
            Telnet.burst(sched, "telnet", 2);
            sched.runUntilIdle();
            assertThat(worker.freeConnectionN()).as("free connections after two clients").isZero();

            List<String> got = new ArrayList<>();
            new Process(sched, "third").spawn("third", () -> {
                int fd = connectNonBlocking();
                Select.poll(new PollFd[] {new PollFd(fd, Poll.EPOLLIN)}, -1);
                got.add("read " + Vfs.read(fd, new byte[8], 8));
            });
            sched.runUntilIdle();

            assertThat(worker.errorLog).as("worker1's error log")
                    .containsExactly("[alert] 4 worker_connections are not enough");
            assertThat(got).as("the third client: nginx closed the socket it could not serve").containsExactly("read 0");
            assertThat(worker.connection(12)).as("no connection was registered for the third socket").isNull();
        }
    }

    @Test
    @DisplayName("a client that sends a request: the worker reads it and closes; the client's read returns 0 "
            + "(end of file); requests = 1; the connection and its descriptor are gone")
    void aRequestIsReadAndTheConnectionClosed() {
        try (DeterministicScheduler sched = new DeterministicScheduler(3, 0.5)) {
            NgxMaster master = startIdle(sched, 1, false);
            NgxWorker worker = master.workers.get(0);
            byte[] request = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            long[] reply = {Long.MIN_VALUE};
            new Process(sched, "curl").spawn("curl", () -> {
                int fd = (int) check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0));
                check(SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE));
                check(Vfs.write(fd, request, request.length));
                reply[0] = Vfs.read(fd, new byte[64], 64);
            });
            sched.runUntilIdle();

            assertThat(reply[0]).as("the client's read after its request: 0, the worker closed the connection")
                    .isEqualTo(0);
            assertThat(worker.requests).as("requests read by worker1").isEqualTo(1);
            assertThat(strace(sched, WORKER1)).as("worker1 reads the request into its 1024-byte buffer, then closes")
                    .containsSubsequence("read(10, \"GET / HTTP/1.0\\r\\n\\r\\n\", 1024) = 18", "close(10) = 0");
            assertThat(worker.connection(10)).as("the closed connection is forgotten").isNull();
            assertThat(fileOf(worker.process(), 10)).as("descriptor 10 is closed").isNull();
            assertThat(item(worker.eventPoll(), 10)).as("closing removed it from the epoll").isNull();
        }
    }

    @Test
    @DisplayName("a client that closes without a request: the worker reads 0 and closes; no request counted")
    void aClientThatClosesIsClosed() {
        try (DeterministicScheduler sched = new DeterministicScheduler(4, 0.5)) {
            NgxMaster master = startIdle(sched, 1, false);
            NgxWorker worker = master.workers.get(0);
            new Process(sched, "quit").spawn("quit", () -> {
                int fd = (int) check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0));
                check(SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE));
                check(Vfs.close(fd));
            });
            sched.runUntilIdle();

            assertThat(strace(sched, WORKER1)).as("worker1 reads end of file (0) from the connection and closes it")
                    .containsSubsequence("read(10, \"\", 1024) = 0", "close(10) = 0");
            assertThat(worker.requests).as("requests: none was sent").isZero();
            assertThat(worker.connection(10)).as("the closed connection is forgotten").isNull();
            assertThat(fileOf(worker.process(), 10)).as("descriptor 10 is closed").isNull();
        }
    }

    @Test
    @DisplayName("the request handler with nothing to read: read gets EAGAIN and it returns, the connection open; "
            + "once the request is there, it is read and the connection closed")
    void nothingToReadWaitsForTheNextEdge() {
        inWorker(false, worker -> {
            int lfd = listener();
            int cfd = connectNonBlocking();
            int fd = (int) check(SocketCalls.accept4(lfd, null, null, Socket.SOCK_NONBLOCK));
            NgxConnection c = worker.getConnection(fd);

            NgxHttp.ngxHttpWaitRequestHandler(c.read);

            var stats = herd.sched.Task.current().syscallStats();
            assertThat(stats.errors("read", herd.uapi.Errno.EAGAIN)).as("reads that got EAGAIN").isEqualTo(1);
            assertThat(worker.connection(fd)).as("nothing read: the connection stays (a spurious call)").isSameAs(c);
            assertThat(openFds(Process.current())).as("its descriptor stays open").contains(fd);
            assertThat(worker.requests).as("requests").isZero();

            byte[] request = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            check(Vfs.write(cfd, request, request.length));
            NgxHttp.ngxHttpWaitRequestHandler(c.read);

            assertThat(worker.requests).as("requests once the client wrote one").isEqualTo(1);
            assertThat(worker.connection(fd)).as("the connection after the request").isNull();
            assertThat(openFds(Process.current())).as("its descriptor after the request").doesNotContain(fd);
        });
    }

    // ---- the herd ------------------------------------------------------------------------------------

    @ParameterizedTest(name = "[{index}] {0} workers")
    @ValueSource(ints = {1, 2, 4, 8})
    @DisplayName("the herd: one connection to N idle workers, 64 seeds with preemption: N ep_poll_callback, N "
            + "wake-ups, one accept, and every other worker either EAGAIN or a hidden wake-up (N - 1)")
    void oneConnectionWakesEveryIdleWorker(int n, Seeds seeds) {
        seeds.explore(64, 0.5, sched -> {
            List<WorkerCounters> c = HerdRun.run(sched, n, 1, false).counters();
            assertThat(sum(c, WorkerCounters::callbacks)).as("ep_poll_callback calls: the listening socket's wake-up "
                    + "walks its wait queue, one entry per worker's epoll (%s)", c).isEqualTo(n);
            assertThat(sum(c, WorkerCounters::wakeups)).as("worker wake-ups: each callback wakes its epoll's "
                    + "sleeper (%s)", c).isEqualTo(n);
            assertThat(sum(c, WorkerCounters::accepts)).as("accepts: one connection, one winner (%s)", c).isEqualTo(1);
            assertThat(sum(c, WorkerCounters::eagain) + sum(c, WorkerCounters::hiddenWakeups))
                    .as("EAGAIN + hidden wake-ups: every loser either returned and failed to accept, or found "
                            + "nothing and slept again inside epoll_wait (%s)", c).isEqualTo(n - 1);
        });
    }

    @Test
    @DisplayName("two workers over 64 seeds: the loser gets EAGAIN in some runs (accept4 = -1 in strace) and a hidden "
            + "wake-up in others (nothing in strace)")
    void theLoserEitherFailsToAcceptOrHidesItsWakeUp() {
        long eagainSeed = -1;
        long hiddenSeed = -1;
        for (long seed = 0; seed < 64 && (eagainSeed < 0 || hiddenSeed < 0); seed++) {
            try (DeterministicScheduler sched = new DeterministicScheduler(seed, 0.5)) {
                sched.pidsFrom(FIRST_PID);
                HerdRun run = HerdRun.run(sched, 2, 1, false);
                List<WorkerCounters> c = run.counters();
                int winner = c.get(0).accepts() == 1 ? 0 : 1;
                NgxWorker loser = run.master().workers.get(1 - winner);
                WorkerCounters l = c.get(1 - winner);
                List<TraceEvent> events = sched.trace().events();
                List<String> before = strace(events.subList(0, run.traceStart()), loser.task().pid());
                List<String> after = strace(events, loser.task().pid());
                List<String> loserCalls = after.subList(before.size() - 1, after.size());
                if (l.eagain() == 1) {
                    assertThat(loserCalls).as("seed %d, %s lost with EAGAIN: its calls for the connection", seed, loser)
                            .containsExactly(listenerReported(loser.ep), ACCEPT_EAGAIN, asleep(loser.ep));
                    assertThat(l.hiddenWakeups()).as("seed %d: the loser's hidden wake-ups", seed).isZero();
                    eagainSeed = seed;
                } else {
                    assertThat(l.hiddenWakeups()).as("seed %d, %s lost without EAGAIN: a hidden wake-up (%s)", seed,
                            loser, c).isEqualTo(1);
                    assertThat(loserCalls).as("seed %d, %s: woken, found nothing and slept again without returning: "
                            + "strace shows nothing new", seed, loser).containsExactly(asleep(loser.ep));
                    hiddenSeed = seed;
                }
            }
        }
        assertThat(eagainSeed).as("a seed below 64 where the loser returns and gets EAGAIN").isNotNegative();
        assertThat(hiddenSeed).as("a seed below 64 where the loser's wake-up is hidden").isNotNegative();
    }

    @Test
    @DisplayName("a burst of 50 connections to 4 workers: every connection accepted exactly once, none lost")
    void aBurstIsAcceptedExactlyOnce(Seeds seeds) {
        seeds.explore(8, 0.5, sched -> {
            HerdRun run = HerdRun.run(sched, 4, 50, true);
            List<WorkerCounters> c = run.counters();
            List<TraceEvent> events = sched.trace().events();
            List<Integer> ports = new ArrayList<>();
            for (TraceEvent e : events.subList(run.traceStart(), events.size())) {
                if (e.kind() == TraceEvent.Kind.SYSCALL_EXIT && e.name().equals("accept4") && e.ret() >= 0) {
                    Matcher m = PEER_PORT.matcher(e.detail());
                    assertThat(m.find()).as("accept4's peer address in %s", e.detail()).isTrue();
                    ports.add(Integer.parseInt(m.group(1)));
                }
            }
            assertThat(sum(c, WorkerCounters::accepts)).as("accepts over the workers (%s)", c).isEqualTo(50);
            Set<Integer> expected = new TreeSet<>();
            IntStream.range(32768, 32768 + 50).forEach(expected::add);
            assertThat(ports).as("the peer ports accepted: each of the client's 50 ports once").hasSize(50)
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertThat(run.master().workers.stream().flatMap(w -> w.errorLog.stream()).toList())
                    .as("the workers' error logs").isEmpty();
        });
    }
}
