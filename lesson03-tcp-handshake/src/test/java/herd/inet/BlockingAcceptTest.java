package herd.inet;

import static herd.course.kit.Processes.pause;
import static herd.course.kit.Sockets.connectNonBlocking;
import static herd.course.kit.Sockets.listener;
import static herd.course.kit.Sockets.sk;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static herd.fs.Poll.EPOLLIN;
import static herd.sched.Task.TASK_DEAD;
import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.Seeds;
import herd.course.kit.Sockets;
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
import herd.socket.Timeval;
import herd.wait.WaitQueueEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * L03-E5: {@code inet_csk_wait_for_connect}, the sleep of a blocking {@code accept()}. An
 * acceptor sleeps EXCLUSIVE at the TAIL of the listener's wait queue
 * ({@code prepare_to_wait_exclusive}), so {@code sk_data_ready}'s wake-one wakes exactly
 * one acceptor per connection, in the order they slept; it sleeps only while the accept
 * queue is empty, and goes back to sleep when woken for a connection someone else took.
 * A signal ends the wait with {@code sock_intr_errno} ({@code -ERESTARTSYS} without
 * timeout, {@code -EINTR} with one; {@code accept4} returns {@code EINTR} either way in the
 * model, which has no {@code SA_RESTART}); {@code SO_RCVTIMEO} ends it with
 * {@code EAGAIN}. Every test makes at least one accept sleep on an empty queue.
 */
@Tag("lesson03")
@Tag("L03-E5")
@DisplayName("L03-E5: blocking accept (inet_csk_wait_for_connect)")
class BlockingAcceptTest {
    /** The listener's descriptor: the keeper's first socket. */
    private static final int LFD = 3;
    private static final long MS = 1_000_000L;

    /**
     * A server process on a deterministic scheduler: its "keeper" task makes a blocking
     * listener on 127.0.0.1:80 (fd 3, backlog 16), runs {@code setup}, then sleeps for
     * good, so that the process's descriptors outlive the acceptors and clients spawned
     * into it. What the tasks report goes to {@link #results}.
     */
    private static final class Server implements AutoCloseable {
        final DeterministicScheduler sched = new DeterministicScheduler(1);
        final Process p = new Process(sched, "server");
        final List<String> results = new CopyOnWriteArrayList<>();
        volatile TcpSock sk;

        Server(Runnable setup) {
            p.spawn("keeper", () -> {
                assertThat(listener(16, 0)).as("the listener's fd").isEqualTo(LFD);
                sk = sk(LFD);
                setup.run();
                pause();
            });
            sched.runUntilIdle();
        }

        Server() {
            this(() -> { });
        }

        /** Spawns (does not run) a task making {@code times} blocking accepts, each closed at once; reports "name <- peer port" or "name: ERRNO". */
        Task acceptor(String name, int times) {
            return p.spawn(name, () -> {
                for (int i = 0; i < times; i++) {
                    if (!acceptOnce(name)) {
                        return;
                    }
                }
            });
        }

        /** One blocking accept4 on the listener, reported; true on success (the new fd is closed). */
        boolean acceptOnce(String name) {
            SockaddrIn[] addr = new SockaddrIn[1];
            int[] len = {SockaddrIn.SIZE};
            long fd = SocketCalls.accept4(LFD, addr, len, 0);
            if (fd < 0) {
                results.add(name + ": " + errno(fd));
                return false;
            }
            results.add(name + " <- " + addr[0].port());
            check(Vfs.close((int) fd));
            return true;
        }

        /** An acceptor task spawned and run until every task sleeps: it is asleep in accept when this returns. */
        Task sleepingAcceptor(String name, int times) {
            Task t = acceptor(name, times);
            sched.runUntilIdle();
            assertThat(t.state()).as("%s sleeps in accept4 on the empty queue", name).isEqualTo(TASK_INTERRUPTIBLE);
            return t;
        }

        /** A client task that connects (the whole handshake on the loopback), run until every task sleeps; its port. */
        int connect(String name) {
            int[] port = {-1};
            p.spawn(name, () -> port[0] = sk(connectNonBlocking()).num);
            sched.runUntilIdle();
            assertThat(port[0]).as("%s connected", name).isPositive();
            return port[0];
        }

        /** The entries on the listener's wait queue, head first: the sleeping task (or "poll" for a poll(2) entry), and "exclusive". */
        List<String> waitQueue() {
            List<String> out = new ArrayList<>();
            for (WaitQueueEntry e : sk.skWq.head.entries()) {
                out.add((e.task == null ? "poll" : e.task.comm()) + (e.isExclusive() ? " exclusive" : ""));
            }
            return out;
        }

        @Override
        public void close() {
            sched.close();
        }
    }

    private static long clock() {
        return Sched.current().scheduler().clock();
    }

    private static void setRcvtimeo(long sec, long usec) {
        check(SocketCalls.setsockopt(LFD, SockOptions.SOL_SOCKET, SockOptions.SO_RCVTIMEO, new Timeval(sec, usec)));
    }

    // ---- inet_csk_wait_for_connect itself -------------------------------------------------------

    @Test
    @DisplayName("inet_csk_wait_for_connect itself, on a listener and a connection made by hand: sleeps exclusive "
            + "on sk_wq with the socket lock released, returns 0 (lock held again) once a connection is queued and "
            + "sk_data_ready runs; -EAGAIN when its timeout runs out first")
    void waitForConnectDirectly() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            Process p = new Process(sched, "server");
            TcpSock[] sk = new TcpSock[1];
            List<String> results = new CopyOnWriteArrayList<>();
            boolean[] lockedOnReturn = new boolean[1];
            Task waiter = p.spawn("waiter", () -> {
                sk[0] = sk(InetTests.listenerByHand(16, 0));
                sk[0].lockSock();
                long err = InetConnectionSock.inetCskWaitForConnect(sk[0], Sched.MAX_SCHEDULE_TIMEOUT);
                lockedOnReturn[0] = sk[0].skLock.ownedByUser();
                results.add("no timeout: " + errno(err) + " at " + clock() / MS + " ms");
                InetConnectionSock.reqskQueueRemove(sk[0].icskAcceptQueue, sk[0]); // what inet_csk_accept does next
                err = InetConnectionSock.inetCskWaitForConnect(sk[0], 250 * MS);
                results.add("250 ms: " + errno(err) + " at " + clock() / MS + " ms");
                sk[0].releaseSock();
                pause();
            });
            sched.runUntilIdle();
            List<String> queue = new ArrayList<>();
            sk[0].skWq.head.entries().forEach(e -> queue.add(e.task.comm() + (e.isExclusive() ? " exclusive" : "")));
            boolean ownedWhileAsleep = sk[0].skLock.ownedByUser();

            p.spawn("softirq", () -> {
                InetTests.queueByHand(sk[0], 40000);
                sk[0].skDataReady.accept(sk[0]);
            });
            sched.runUntilIdle();

            assertThat(queue).as("sk_wq while the waiter sleeps (prepare_to_wait_exclusive)")
                    .containsExactly("waiter exclusive");
            assertThat(ownedWhileAsleep).as("the socket lock is released while it sleeps (release_sock), or no "
                    + "other task could accept or set options").isFalse();
            assertThat(results).as("what it returned, and when: 0 once a connection waits (without timeout), "
                    + "then, the queue emptied, -EAGAIN when a 250 ms timeout ran out").containsExactly(
                    "no timeout: 0 at 0 ms", "250 ms: EAGAIN at 250 ms");
            assertThat(lockedOnReturn[0]).as("it returns with the socket lock held again (lock_sock)").isTrue();
            assertThat(waiter.wakeups()).as("wake-ups of the waiter: sk_data_ready's, then its timer's").isEqualTo(2);
        }
    }

    // ---- where an acceptor sleeps, whom a connection wakes ------------------------------------

    @Test
    @DisplayName("a blocking accept sleeps EXCLUSIVE at the TAIL of the listener's wait queue: behind a poll(2) "
            + "waiter (non-exclusive, at the head) and behind the acceptors that slept before it")
    void sleepsExclusiveAtTheTail() {
        try (Server srv = new Server()) {
            srv.sleepingAcceptor("acceptor1", 1);
            srv.p.spawn("poller", () -> Select.poll(new PollFd[] {new PollFd(LFD, EPOLLIN)}, -1));
            srv.sched.runUntilIdle();
            srv.sleepingAcceptor("acceptor2", 1);

            assertThat(srv.waitQueue()).as("sk_wq head first: poll(2) adds at the head (add_wait_queue), accept "
                    + "appends an exclusive entry at the tail (prepare_to_wait_exclusive)")
                    .containsExactly("poll", "acceptor1 exclusive", "acceptor2 exclusive");
        }
    }

    @Test
    @DisplayName("one connection wakes exactly one of three sleeping acceptors, the one that slept first; the others "
            + "sleep on, untouched")
    void oneConnectionWakesExactlyOneAcceptor() {
        try (Server srv = new Server()) {
            List<Task> acceptors = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                acceptors.add(srv.sleepingAcceptor("acceptor" + i, 1));
            }

            int port = srv.connect("client");

            assertThat(srv.results).as("who returned from accept4, with which peer port").containsExactly(
                    "acceptor1 <- " + port);
            assertThat(acceptors.stream().map(Task::wakeups).toList()).as("wake-ups of acceptor1..3: "
                    + "sock_def_readable wakes ONE exclusive waiter").containsExactly(1L, 0L, 0L);
            assertThat(srv.waitQueue()).as("sk_wq afterwards: the other two, still in sleep order")
                    .containsExactly("acceptor2 exclusive", "acceptor3 exclusive");
        }
    }

    /**
     * net/ipv4/af_inet.c, {@code inet_shutdown}: {@code SHUT_RD} on a listener goes to
     * {@code tcp_disconnect} (the socket leaves {@code LISTEN}), then
     * {@code sk->sk_state_change(sk)}, {@code sock_def_wakeup}: {@code wake_up_interruptible_all}
     * on the very queue the acceptors sleep on. Each one, back in
     * {@code inet_csk_wait_for_connect}, finds the queue empty and the state not
     * {@code LISTEN}: {@code -EINVAL}.
     */
    @Test
    @DisplayName("shutdown(listener, SHUT_RD) wakes ALL three sleeping acceptors (sk_state_change is wake-all); each "
            + "gets EINVAL, and so does a later accept")
    void shutdownOfTheListenerWakesEveryAcceptorWithEinval() {
        try (Server srv = new Server()) {
            List<Task> acceptors = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                acceptors.add(srv.sleepingAcceptor("acceptor" + i, 1));
            }
            long[] shutdown = {Long.MIN_VALUE};
            srv.p.spawn("closer", () -> shutdown[0] = SocketCalls.shutdown(LFD, Socket.SHUT_RD));
            srv.sched.runUntilIdle();

            assertThat(shutdown[0]).as("shutdown(3, SHUT_RD) on a listener").isZero();
            assertThat(srv.results).as("every acceptor returned, each with inet_csk_wait_for_connect's EINVAL (the "
                    + "state is no longer TCP_LISTEN)")
                    .containsExactlyInAnyOrder("acceptor1: EINVAL", "acceptor2: EINVAL", "acceptor3: EINVAL");
            assertThat(acceptors.stream().map(Task::state).toList()).as("all three ran to the end")
                    .containsOnly(TASK_DEAD);
            assertThat(srv.waitQueue()).as("sk_wq afterwards: empty").isEmpty();
            assertThat(TcpSock.stateName(srv.sk.skState)).as("the listener after tcp_disconnect").isEqualTo("UNCONN");

            srv.acceptor("late", 1);
            srv.sched.runUntilIdle();
            assertThat(srv.results).as("an accept after the shutdown: inet_csk_accept's EINVAL, without sleeping")
                    .contains("late: EINVAL");
        }
    }

    @Test
    @DisplayName("three acceptors looping (accept, close, accept again), six connections each after the previous "
            + "acceptor is asleep again: served 1,2,3,1,2,3, a woken acceptor re-queues at the tail")
    void acceptorsAreServedRoundRobin() {
        try (Server srv = new Server()) {
            List<Task> acceptors = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                acceptors.add(srv.sleepingAcceptor("acceptor" + i, 2));
            }
            List<String> expected = new ArrayList<>();
            for (int c = 0; c < 6; c++) {
                int port = srv.connect("client" + c);
                expected.add("acceptor" + (c % 3 + 1) + " <- " + port);
            }

            assertThat(srv.results).as("who got each connection, in order: FIFO among the sleepers, because each "
                    + "sleeps again at the TAIL").containsExactlyElementsOf(expected);
            assertThat(acceptors).as("each acceptor accepted twice and exited")
                    .allMatch(t -> t.state() == TASK_DEAD, "TASK_DEAD");
        }
    }

    @Test
    @DisplayName("a connection wakes every poll(2) waiter (non-exclusive) and exactly one acceptor (exclusive)")
    void aConnectionWakesThePollersAndOneAcceptor() {
        try (Server srv = new Server()) {
            Task acceptor1 = srv.sleepingAcceptor("acceptor1", 1);
            Task acceptor2 = srv.sleepingAcceptor("acceptor2", 1);
            AtomicLong polled = new AtomicLong(-999);
            PollFd pfd = new PollFd(LFD, EPOLLIN);
            Task poller = srv.p.spawn("poller", () -> polled.set(Select.poll(new PollFd[] {pfd}, -1)));
            srv.sched.runUntilIdle();

            int port = srv.connect("client");

            assertThat(List.of(poller.wakeups(), acceptor1.wakeups(), acceptor2.wakeups()))
                    .as("wake-ups of the poller, acceptor1, acceptor2: the walk wakes every non-exclusive entry and "
                            + "stops after the first exclusive one").containsExactly(1L, 1L, 0L);
            assertThat(srv.results).as("accept4 results").containsExactly("acceptor1 <- " + port);
            assertThat(polled.get()).as("the poller's poll(2) result").isEqualTo(1);
            assertThat(Poll.names("POLL", pfd.revents)).as("revents").isEqualTo("POLLIN");
        }
    }

    @Test
    @DisplayName("a request that only reaches the SYN queue (SYN-ACK dropped) wakes no acceptor")
    void aHalfOpenRequestWakesNoAcceptor() {
        try (Server srv = new Server()) {
            Task acceptor = srv.sleepingAcceptor("acceptor", 1);
            Net.of(srv.sched).setDropFilter(skb -> skb.has(SkBuff.SYN | SkBuff.ACK));
            srv.p.spawn("client", Sockets::connectNonBlocking);
            srv.sched.runUntilIdle();

            assertThat(srv.sk.icskAcceptQueue.len()).as("precondition: one request in the SYN queue").isEqualTo(1);
            assertThat(acceptor.wakeups()).as("the acceptor is not woken: nothing entered the accept queue").isZero();
            assertThat(srv.results).as("accept4 results").isEmpty();
        }
    }

    // ---- sleeping only when needed, and again when needed ---------------------------------------

    @Test
    @DisplayName("a connection that arrives while no one sleeps is taken by the next accept without sleeping")
    void aConnectionWaitingIsTakenWithoutSleeping() {
        try (Server srv = new Server()) {
            long[] switches = new long[1];
            srv.p.spawn("acceptor", () -> {
                srv.acceptOnce("acceptor");                 // sleeps until client1 connects
                int own = sk(connectNonBlocking()).num; // a connection while nobody sleeps
                srv.results.add("queued " + own);
                long before = Sched.current().voluntarySwitches();
                srv.acceptOnce("acceptor");
                switches[0] = Sched.current().voluntarySwitches() - before;
            });
            srv.sched.runUntilIdle();
            int port1 = srv.connect("client1");

            String own = srv.results.get(1);
            assertThat(srv.results).as("the first accept slept and got client1; the second found the acceptor's own "
                    + "connection queued").containsExactly("acceptor <- " + port1, own,
                    "acceptor <- " + own.substring("queued ".length()));
            assertThat(switches[0]).as("context switches of the second accept4: a queued connection is taken at "
                    + "once, inet_csk_wait_for_connect is not entered").isZero();
        }
    }

    @Test
    @DisplayName("an acceptor woken for a connection that a non-sleeping task took first goes back to sleep, at the "
            + "tail again, and gets the next connection: none is lost")
    void aWokenAcceptorThatFindsNothingSleepsAgain() {
        try (Server srv = new Server()) {
            Task acceptor = srv.sleepingAcceptor("acceptor", 1);
            int[] thiefPort = new int[1];
            // Connects and at once accepts, before the acceptor it woke runs (nothing preempts it).
            srv.p.spawn("thief", () -> {
                thiefPort[0] = sk(connectNonBlocking()).num;
                srv.acceptOnce("thief");
            });
            srv.sched.runUntilIdle();

            assertThat(srv.results).as("the thief took its own connection").containsExactly("thief <- " + thiefPort[0]);
            assertThat(acceptor.wakeups()).as("the connection woke the acceptor").isEqualTo(1);
            assertThat(acceptor.state()).as("it found the queue empty and sleeps again (it must not return "
                    + "without a connection, nor fail)").isEqualTo(TASK_INTERRUPTIBLE);
            assertThat(srv.waitQueue()).as("sk_wq: the acceptor re-queued itself, exclusive")
                    .containsExactly("acceptor exclusive");

            int port = srv.connect("client");

            assertThat(srv.results).as("the next connection goes to the acceptor")
                    .containsExactly("thief <- " + thiefPort[0], "acceptor <- " + port);
        }
    }

    // ---- signals ------------------------------------------------------------------------------

    @Test
    @DisplayName("a signal interrupts a blocking accept4: EINTR; its entry leaves sk_wq and the reserved descriptor "
            + "is given back")
    void aSignalInterruptsAccept() {
        try (Server srv = new Server()) {
            Task acceptor = srv.p.spawn("acceptor", () -> {
                srv.acceptOnce("acceptor");
                srv.results.add("next fd " + check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0)));
            });
            srv.sched.runUntilIdle();
            assertThat(srv.waitQueue()).as("precondition: the acceptor sleeps on sk_wq")
                    .containsExactly("acceptor exclusive");

            Sched.sendSignal(acceptor);
            srv.sched.runUntilIdle();

            assertThat(srv.results).as("accept4's result (-ERESTARTSYS reaches user space as EINTR: no SA_RESTART "
                    + "in the model), then the next descriptor socket() gets").containsExactly("acceptor: EINTR",
                    "next fd " + (LFD + 1));
            assertThat(srv.waitQueue()).as("finish_wait took the entry off sk_wq").isEmpty();
            assertThat(acceptor.state()).as("the acceptor returned and exited").isEqualTo(TASK_DEAD);
        }
    }

    @ParameterizedTest(name = "[{index}] SO_RCVTIMEO {0} s: inet_csk_accept {1}")
    @CsvSource({
        "0, ERESTARTSYS, {0, 0} means no timeout: the wait is restartable",
        "1, EINTR,       a finite timeout: sock_intr_errno gives -EINTR, the call is not restarted",
    })
    @DisplayName("inet_csk_accept interrupted by a signal: -ERESTARTSYS without a timeout, -EINTR with an "
            + "SO_RCVTIMEO timeout (sock_intr_errno); accept4 returns EINTR either way")
    void aSignalGivesSockIntrErrno(long timeoutSec, String expected, String rule) {
        try (Server srv = new Server(() -> setRcvtimeo(timeoutSec, 0))) {
            Task acceptor = srv.p.spawn("acceptor", () -> {
                long[] err = {0};
                TcpSock child = InetConnectionSock.inetCskAccept(srv.sk, 0, err);
                srv.results.add("inet_csk_accept: " + (child == null ? errno(err[0]) : "a child") + " at "
                        + clock() / MS + " ms");
                Sched.flushSignals(Sched.current());
                long ret = SocketCalls.accept4(LFD, null, null, 0);
                srv.results.add("accept4: " + errno(ret) + " at " + clock() / MS + " ms");
            });
            // The signals come from a task: the acceptor's own timer would fire if the test waited for it to sleep.
            srv.p.spawn("signaller", () -> {
                for (int i = 0; i < 2; i++) {
                    Sched.scheduleTimeoutUninterruptible(400 * MS);
                    Sched.sendSignal(acceptor);
                }
            });
            srv.sched.runUntilIdle();

            assertThat(srv.results).as("signals at 400 ms and 800 ms; %s", rule).containsExactly(
                    "inet_csk_accept: " + expected + " at 400 ms", "accept4: EINTR at 800 ms");
            assertThat(srv.waitQueue()).as("no entry left on sk_wq").isEmpty();
        }
    }

    // ---- SO_RCVTIMEO ----------------------------------------------------------------------------

    @Test
    @DisplayName("SO_RCVTIMEO {1, 500000}: a blocking accept on an empty queue returns EAGAIN after exactly 1.5 s")
    void theReceiveTimeoutExpires() {
        try (Server srv = new Server(() -> setRcvtimeo(1, 500_000))) {
            long[] slept = new long[1];
            srv.p.spawn("acceptor", () -> {
                long start = clock();
                srv.acceptOnce("acceptor");
                slept[0] = clock() - start;
            });
            srv.sched.runUntilIdle();

            assertThat(srv.results).as("accept4's result once the timeout ran out").containsExactly("acceptor: EAGAIN");
            assertThat(slept[0]).as("virtual ns accept4 slept: the SO_RCVTIMEO value").isEqualTo(1_500_000_000L);
            assertThat(srv.waitQueue()).as("no entry left on sk_wq").isEmpty();
        }
    }

    @Test
    @DisplayName("SO_RCVTIMEO 5 s, a connection at 2 s: accept returns it at 2 s, not EAGAIN")
    void aConnectionBeforeTheTimeoutIsAccepted() {
        try (Server srv = new Server(() -> setRcvtimeo(5, 0))) {
            int[] port = new int[1];
            long[] at = new long[1];
            srv.p.spawn("acceptor", () -> {
                srv.acceptOnce("acceptor");
                at[0] = clock();
            });
            srv.p.spawn("client", () -> {
                Sched.scheduleTimeoutUninterruptible(2_000 * MS);
                port[0] = sk(connectNonBlocking()).num;
            });
            srv.sched.runUntilIdle();

            assertThat(srv.results).as("accept4's result").containsExactly("acceptor <- " + port[0]);
            assertThat(at[0]).as("when it returned (virtual ns): when the connection came").isEqualTo(2_000 * MS);
        }
    }

    @Test
    @DisplayName("SO_RCVTIMEO 3 s, woken at 1 s for a connection another task takes: the acceptor sleeps again for "
            + "the REST of its timeout and returns EAGAIN at 3 s, not 4 s")
    void aSpuriousWakeUpDoesNotRestartTheTimeout() {
        try (Server srv = new Server(() -> setRcvtimeo(3, 0))) {
            long[] at = new long[1];
            Task acceptor = srv.p.spawn("acceptor", () -> {
                srv.acceptOnce("acceptor");
                at[0] = clock();
            });
            int[] thiefPort = new int[1];
            srv.p.spawn("thief", () -> {
                Sched.scheduleTimeoutUninterruptible(1_000 * MS);
                thiefPort[0] = sk(connectNonBlocking()).num;
                srv.acceptOnce("thief");
            });
            srv.sched.runUntilIdle();

            assertThat(srv.results).as("the thief's accept, then the acceptor's").containsExactly(
                    "thief <- " + thiefPort[0], "acceptor: EAGAIN");
            assertThat(at[0]).as("when the acceptor's accept4 returned (virtual ns): schedule_timeout's remaining "
                    + "time is kept across the loop").isEqualTo(3_000 * MS);
            assertThat(acceptor.wakeups()).as("wake-ups of the acceptor: the connection at 1 s, its timer at 3 s")
                    .isEqualTo(2);
        }
    }

    // ---- under preemption -----------------------------------------------------------------------

    @Test
    @DisplayName("100 seeds with random preemption: two acceptors (2 accepts each) race four connects; every "
            + "connection is accepted exactly once and nobody sleeps forever (no lost wake-up)")
    @ExtendWith(Seeds.Resolver.class)
    void noConnectionIsLostUnderPreemption(Seeds seeds) {
        seeds.explore(100, 0.5, BlockingAcceptTest::raceAcceptorsAndConnects);
    }

    /** One run of the race: acceptor1 makes the listener and sleeps in accept, then acceptor2 and four clients start at once. */
    private static void raceAcceptorsAndConnects(DeterministicScheduler sched) {
        Process p = new Process(sched, "server");
        List<Integer> accepted = new CopyOnWriteArrayList<>();
        List<Integer> connected = new CopyOnWriteArrayList<>();
        Runnable acceptTwice = () -> {
            for (int i = 0; i < 2; i++) {
                SockaddrIn[] addr = new SockaddrIn[1];
                long fd = check(SocketCalls.accept4(LFD, addr, new int[] {SockaddrIn.SIZE}, 0));
                accepted.add(addr[0].port());
                check(Vfs.close((int) fd));
            }
        };
        p.spawn("acceptor1", () -> {
            assertThat(listener(16, 0)).as("the listener's fd").isEqualTo(LFD);
            acceptTwice.run();
        });
        sched.runUntilIdle();
        p.spawn("acceptor2", acceptTwice);
        IntStream.range(0, 4).forEach(c -> p.spawn("client" + c,
                () -> connected.add(sk(connectNonBlocking()).num)));
        sched.run();

        assertThat(accepted).as("peer ports accepted: each connection exactly once")
                .containsExactlyInAnyOrderElementsOf(connected).hasSize(4);
    }
}
