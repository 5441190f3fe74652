package herd.inet;

import static herd.course.kit.Sockets.SERVER;
import static herd.course.kit.Sockets.listener;
import static herd.course.kit.Sockets.sk;
import static herd.course.kit.Syscalls.errno;
import static herd.sched.Task.TASK_DEAD;
import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import herd.fs.Process;
import herd.fs.Vfs;
import herd.sched.ParallelScheduler;
import herd.sched.Sched;
import herd.sched.Task;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import herd.uapi.Errno;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The whole server side under real concurrency, on the {@link ParallelScheduler} (one
 * thread per task): {@value #CLIENTS} client tasks make {@value #PER_CLIENT} blocking
 * connections each to one listener (backlog {@value #BACKLOG}) and close them at once,
 * while {@value #ACCEPTORS} acceptor tasks sleep in blocking {@code accept4}, and accept
 * and close whatever comes. Handshakes run on the clients' threads and race each other
 * and the acceptors for the listener's queues; acceptors race each other for the
 * connections each wake-up announces. Every connection a client made must end up
 * accepted exactly once (by its client port), or still be in the accept queue, or be
 * half-open in the SYN queue (a final ACK dropped on overflow, counted in
 * ListenOverflows): nothing lost, nothing twice. A lost wake-up leaves a connection
 * queued with every acceptor asleep, which the run detects. When every connection is
 * accounted for, a signal to each acceptor ends its accept with {@code EINTR}. It needs
 * blocking accept, so it is tagged with the lesson's last exercise, L03-E5.
 */
@Tag("lesson03")
@Tag("L03-E5")
@Tag("stress")
@DisplayName("L03-E5: accept under real concurrency (stress)")
class AcceptStressTest {
    private static final int CLIENTS = 4;
    private static final int PER_CLIENT = 5_000;
    private static final int ACCEPTORS = 3;
    /**
     * Large enough that drops are rare: when the acceptors fall behind, a SYN or a final ACK now and
     * then finds the accept queue full (ListenOverflows); the SYN comes again 1 s later, a dropped
     * final ACK leaves a half-open request, and the test accounts for both.
     */
    private static final int BACKLOG = 4096;
    /** Guards the test thread's waits; a correct run takes about a second. */
    private static final Duration GUARD = Duration.ofSeconds(15);

    @Test
    @DisplayName("4 clients x 5,000 blocking connects, 3 blocking acceptors: every connection is accepted exactly "
            + "once (by client port) or still queued or half-open; every task exits")
    void everyConnectionIsAcceptedExactlyOnce() {
        AtomicIntegerArray connectedPorts = new AtomicIntegerArray(65536);
        AtomicIntegerArray acceptedPorts = new AtomicIntegerArray(65536);
        AtomicLong made = new AtomicLong();
        AtomicLong accepted = new AtomicLong();
        AtomicLong[] perAcceptor = IntStream.range(0, ACCEPTORS).mapToObj(i -> new AtomicLong())
                .toArray(AtomicLong[]::new);
        AtomicBoolean stop = new AtomicBoolean();
        List<String> odd = new CopyOnWriteArrayList<>();
        AtomicReference<TcpSock> listenerSk = new AtomicReference<>();
        int[] lfd = new int[1];
        CountDownLatch setUp = new CountDownLatch(1);
        long elapsedNanos;
        long overflows;
        long drops;
        int queued;
        int halfOpen;

        try (ParallelScheduler sched = new ParallelScheduler()) {
            Process p = new Process(sched, "stress");
            List<Task> acceptors = new ArrayList<>();
            for (int a = 0; a < ACCEPTORS; a++) {
                int me = a;
                acceptors.add(p.spawn("acceptor" + a, () -> {
                    if (me == 0) {
                        // The first acceptor makes the listener; it lives until the end, so the process keeps it.
                        try {
                            lfd[0] = listener(BACKLOG, 0);
                            listenerSk.set(sk(lfd[0]));
                        } finally {
                            setUp.countDown();
                        }
                    } else {
                        awaitLatch(setUp);
                    }
                    for (;;) {
                        SockaddrIn[] peer = new SockaddrIn[1];
                        long fd = SocketCalls.accept4(lfd[0], peer, new int[] {SockaddrIn.SIZE}, 0);
                        if (fd >= 0) {
                            acceptedPorts.incrementAndGet(peer[0].port());
                            accepted.incrementAndGet();
                            perAcceptor[me].incrementAndGet();
                            Vfs.close((int) fd);
                        } else if (fd == Errno.EINTR.neg() && stop.get()) {
                            return;
                        } else {
                            odd.add(Task.current() + ": accept4 returned " + errno(fd));
                            return;
                        }
                    }
                }));
            }
            awaitLatch(setUp);
            awaitUntil("every acceptor sleeps in accept4 (or died)", () -> acceptors.stream()
                    .allMatch(t -> t.state() == TASK_INTERRUPTIBLE || t.state() == TASK_DEAD),
                    () -> "acceptors " + acceptors.stream().map(t -> t + " " + Task.stateName(t.state())).toList());
            if (acceptors.stream().anyMatch(t -> t.state() == TASK_DEAD)) {
                sched.close();
                sched.awaitExit(GUARD); // rethrows what the acceptor threw
                fail("an acceptor died before the first connection");
            }

            long start = System.nanoTime();
            List<Task> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                clients.add(p.spawn("client" + c, () -> {
                    for (int i = 0; i < PER_CLIENT; i++) {
                        int fd = (int) SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0);
                        if (fd < 0) {
                            odd.add(Task.current() + ": socket returned " + errno(fd));
                            return;
                        }
                        long ret = SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE);
                        int port = sk(fd).num;
                        if (ret == 0) {
                            connectedPorts.incrementAndGet(port);
                            made.incrementAndGet();
                        } else {
                            odd.add(Task.current() + ": connect returned " + errno(ret));
                        }
                        Vfs.close(fd);
                    }
                }));
            }
            awaitUntil("every client made its connections", () -> failedOrAll(sched, clients),
                    () -> "made " + made.get() + ", clients " + clients.stream()
                            .map(t -> t + " " + Task.stateName(t.state())).toList());
            TcpSock sk = listenerSk.get();
            // Done when nothing is left to accept and every acceptor sleeps: whatever they took is recorded.
            awaitUntil("the acceptors took every completed connection (a lost wake-up leaves connections queued "
                    + "while every acceptor sleeps)", () -> failedOrIdle(sched, acceptors, sk),
                    () -> "accept queue " + sk.icskAcceptQueue.acceptQueue().size() + ", accepted " + accepted.get()
                            + " of " + made.get() + ", acceptors " + acceptors.stream()
                            .map(t -> t + " " + Task.stateName(t.state())).toList());
            elapsedNanos = System.nanoTime() - start;
            queued = sk.icskAcceptQueue.acceptQueue().size();
            halfOpen = sk.icskAcceptQueue.len();
            overflows = Net.of(sched).stat(Mib.LISTEN_OVERFLOWS);
            drops = Net.of(sched).stat(Mib.LISTEN_DROPS);

            stop.set(true);
            acceptors.forEach(Sched::sendSignal);
            sched.awaitExit(GUARD);

            assertThat(odd).as("socket, connect (blocking, retrying a dropped SYN) and accept4 (blocking, until the "
                    + "final signal) return no error").isEmpty();
            assertThat(sched.tasks()).as("every client and acceptor exited").allMatch(t -> t.state() == TASK_DEAD,
                    "TASK_DEAD");
        }

        System.out.printf("%naccept stress: %d connections made by %d clients, %d accepted by %d acceptors %s, "
                + "%d still queued, %d half-open; ListenOverflows %d, ListenDrops %d; %.0f ms wall time "
                + "(%.0f connections/s)%n", made.get(), CLIENTS, accepted.get(), ACCEPTORS,
                IntStream.range(0, ACCEPTORS).mapToObj(i -> String.valueOf(perAcceptor[i].get())).toList(), queued,
                halfOpen, overflows, drops, elapsedNanos / 1e6, made.get() / (elapsedNanos / 1e9));

        assertThat(made.get()).as("every connect() succeeded").isEqualTo((long) CLIENTS * PER_CLIENT);
        int[] twice = IntStream.range(0, 65536).filter(port -> connectedPorts.get(port) > 1).toArray();
        assertThat(twice).as("client ports used by two connections (the test identifies connections by port)")
                .isEmpty();
        int[] strangers = IntStream.range(0, 65536)
                .filter(port -> acceptedPorts.get(port) > 0 && connectedPorts.get(port) == 0).toArray();
        assertThat(strangers).as("ports accepted that no client connected from").isEmpty();
        int[] notOnce = IntStream.range(0, 65536).filter(port -> acceptedPorts.get(port) > 1).toArray();
        assertThat(notOnce).as("connections accepted more than once; e.g. port %s",
                notOnce.length == 0 ? "-" : notOnce[0]).isEmpty();
        assertThat(queued).as("connections left in the accept queue once the acceptors were stopped").isZero();
        assertThat(accepted.get() + queued + halfOpen).as("accepted + still queued + half-open (final ACK dropped on "
                + "overflow) = connections made: none lost").isEqualTo(made.get());
        assertThat(halfOpen).as("half-open requests cannot exceed the final ACKs dropped for overflow (%d)", overflows)
                .isLessThanOrEqualTo((int) overflows);
    }

    /** True when every client exited, or a task failed (awaitExit then rethrows it). */
    private static boolean failedOrAll(ParallelScheduler sched, List<Task> clients) {
        return clients.stream().allMatch(t -> t.state() == TASK_DEAD)
                || sched.tasks().stream().anyMatch(t -> t.state() == TASK_DEAD && !clients.contains(t));
    }

    /** True when the accept queue is empty and every acceptor sleeps in accept4, or one has died. */
    private static boolean failedOrIdle(ParallelScheduler sched, List<Task> acceptors, TcpSock sk) {
        return acceptors.stream().anyMatch(t -> t.state() == TASK_DEAD)
                || sk.icskAcceptQueue.isEmpty() && acceptors.stream().allMatch(t -> t.state() == TASK_INTERRUPTIBLE);
    }

    /** Waits (yielding) until {@code done}; fails after the guard with {@code what} and the {@code state} then. */
    private static void awaitUntil(String what, BooleanSupplier done, Supplier<String> state) {
        long deadline = System.nanoTime() + GUARD.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not done within %d s: %s; %s", GUARD.toSeconds(), what, state.get());
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(GUARD.toSeconds(), TimeUnit.SECONDS)) {
                fail("the listener was not made within %d s", GUARD.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
