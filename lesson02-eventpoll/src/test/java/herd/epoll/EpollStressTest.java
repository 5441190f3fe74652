package herd.epoll;

import static herd.course.kit.Epolls.slots;
import static herd.course.kit.Io.drain;
import static herd.course.kit.Io.eventfd;
import static herd.course.kit.Io.signal;
import static herd.course.kit.Processes.file;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static herd.epoll.Epoll.EPOLL_CTL_ADD;
import static herd.epoll.EpollTests.newEpoll;
import static herd.fs.Poll.EPOLLIN;
import static herd.sched.Task.TASK_DEAD;
import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import herd.fs.EventFd;
import herd.fs.File;
import herd.fs.Process;
import herd.fs.Vfs;
import herd.sched.ParallelScheduler;
import herd.sched.Task;
import herd.uapi.Errno;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The whole epoll path under real concurrency, on the {@link ParallelScheduler} (one
 * thread per task): {@value #EVENTFDS} eventfds in one epoll as level-triggered items,
 * {@value #WRITERS} writers adding seeded random amounts to seeded random eventfds, and
 * {@value #READERS} readers in {@code epoll_wait(-1)} that read (drain) every eventfd
 * they are given. Callbacks race with scans (the overflow chain), readers race each
 * other for the same item (one gets the count, the others {@code EAGAIN}), and LT
 * re-queues hand items from one reader to the next. When every writer is done, the
 * last one writes a "stop" eventfd in the same epoll, which stays ready (LT, never
 * read), so every reader sees it; a reader exits once it has seen it and everything
 * written has been drained. A lost event leaves a count unread and the readers spinning
 * on "stop"; in the ping-pong run, where each writer waits for its write to be read
 * before the next one, it leaves a writer asleep. Either way the run must end within
 * the guard. It exercises the whole path, the scan and its overflow chain included (a
 * done-scan that drops the chain hangs the ping-pong run), and adds its items with
 * {@code epoll_ctl}, so it is tagged with the lesson's last exercise, L02-E6.
 */
@Tag("lesson02")
@Tag("L02-E6")
@Tag("stress")
class EpollStressTest {
    private static final int EVENTFDS = 64;
    private static final int WRITERS = 4;
    private static final int READERS = 4;
    private static final int WRITES = 5_000;
    private static final int MAXEVENTS = 8;
    private static final long SEED = 20_250_611L;
    /** The data of the stop eventfd's item; the others carry their index. */
    private static final long STOP = -1;
    /** Guards the test thread's waits; a correct run takes about a second. */
    private static final Duration GUARD = Duration.ofSeconds(60);

    /**
     * What writer {@code w} writes: pairs (eventfd index, amount), from its own seeded
     * random; any of the eventfds, or in ping-pong mode only its own share of them.
     */
    private static long[][] plan(int w, boolean pingPong) {
        Random rnd = new Random(SEED * 31 + w);
        int share = EVENTFDS / WRITERS;
        long[][] writes = new long[WRITES][];
        for (int i = 0; i < WRITES; i++) {
            int k = pingPong ? w * share + rnd.nextInt(share) : rnd.nextInt(EVENTFDS);
            writes[i] = new long[] {k, 1 + rnd.nextInt(3)};
        }
        return writes;
    }

    @Test
    @DisplayName("64 LT eventfds, 4 writers x 5,000 writes to any of them, 4 readers in epoll_wait(-1): every count "
            + "written is drained exactly, and every task exits")
    void noEventIsLost() {
        run(false);
    }

    @Test
    @DisplayName("ping-pong: each writer waits until its write was read before the next one, so each of the "
            + "20,000 writes must be reported by epoll_wait, or its writer never finishes")
    void everyWriteIsReported() {
        run(true);
    }

    /**
     * The run. In ping-pong mode writer {@code w} owns eventfds {@code 16w..16w+15} and,
     * after each write, blocks reading its "ack" eventfd, which the reader that drained the
     * write signals: one write in flight per writer, so every single write must be
     * reported (a later write cannot pick up a lost one).
     */
    private static void run(boolean pingPong) {
        long[] expectedPerFd = new long[EVENTFDS];
        for (int w = 0; w < WRITERS; w++) {
            for (long[] write : plan(w, pingPong)) {
                expectedPerFd[(int) write[0]] += write[1];
            }
        }
        long expectedTotal = Arrays.stream(expectedPerFd).sum();

        AtomicLongArray drainedPerFd = new AtomicLongArray(EVENTFDS);
        AtomicLong written = new AtomicLong();
        AtomicLong drained = new AtomicLong();
        AtomicLong eagains = new AtomicLong();
        AtomicInteger writersLeft = new AtomicInteger(WRITERS);
        List<String> odd = new CopyOnWriteArrayList<>();
        int[] efds = new int[EVENTFDS];
        int[] acks = new int[WRITERS];
        File[] files = new File[EVENTFDS];
        int[] fds = new int[2];
        CountDownLatch setUp = new CountDownLatch(1);
        AtomicBoolean setUpOk = new AtomicBoolean();

        Runnable reader = () -> {
            EpollEvent[] events = slots(MAXEVENTS);
            boolean sawStop = false;
            for (;;) {
                long n = Epoll.epollWait(fds[0], events, MAXEVENTS, -1);
                if (n <= 0) {
                    odd.add(Task.current() + ": epoll_wait(-1) returned " + errno(n));
                    return;
                }
                for (int i = 0; i < n; i++) {
                    long data = events[i].data;
                    if (events[i].events != EPOLLIN) {
                        odd.add(Task.current() + ": events " + Epoll.names(events[i].events) + " for " + data);
                    }
                    if (data == STOP) {
                        sawStop = true;
                        continue;
                    }
                    long got = drain(efds[(int) data]);
                    if (got == Errno.EAGAIN.neg()) {
                        eagains.incrementAndGet(); // another reader drained it first
                    } else if (got <= 0) {
                        odd.add(Task.current() + ": read of eventfd " + data + " returned " + errno(got));
                    } else {
                        drainedPerFd.addAndGet((int) data, got);
                        drained.addAndGet(got);
                        if (pingPong) {
                            signal(acks[(int) data / (EVENTFDS / WRITERS)], 1);
                        }
                    }
                }
                // "stop" is written after the last write, so written is final once a reader has seen it.
                if (sawStop && drained.get() == written.get()) {
                    return;
                }
            }
        };

        try (ParallelScheduler sched = new ParallelScheduler()) {
            Process p = new Process(sched, "stress");
            List<Task> readers = new ArrayList<>();
            // The first reader makes the epoll and the eventfds and lives until the end, so the process's
            // files stay open while the other tasks come and go.
            readers.add(p.spawn("reader0", () -> {
                try {
                    fds[0] = newEpoll();
                    for (int i = 0; i < EVENTFDS; i++) {
                        efds[i] = eventfd();
                        files[i] = file(efds[i]);
                        check(Epoll.epollCtl(fds[0], EPOLL_CTL_ADD, efds[i], new EpollEvent(EPOLLIN, i)));
                    }
                    fds[1] = eventfd();
                    check(Epoll.epollCtl(fds[0], EPOLL_CTL_ADD, fds[1], new EpollEvent(EPOLLIN, STOP)));
                    for (int w = 0; w < WRITERS; w++) {
                        acks[w] = (int) check(EventFd.eventfd2(0, 0)); // blocking: the writer sleeps in read
                    }
                    setUpOk.set(true);
                } finally {
                    setUp.countDown();
                }
                reader.run();
            }));
            awaitLatch(setUp);
            if (!setUpOk.get()) {
                sched.awaitExit(GUARD); // rethrows what the set-up task threw
                fail("the set-up task failed");
            }
            for (int r = 1; r < READERS; r++) {
                readers.add(p.spawn("reader" + r, reader));
            }
            awaitAllAsleep(readers);

            for (int w = 0; w < WRITERS; w++) {
                long[][] writes = plan(w, pingPong);
                int ack = acks[w];
                p.spawn("writer" + w, () -> {
                    byte[] buf = new byte[Long.BYTES];
                    for (long[] write : writes) {
                        written.addAndGet(write[1]);
                        signal(efds[(int) write[0]], write[1]);
                        if (pingPong) {
                            long ret = Vfs.read(ack, buf, Long.BYTES);
                            if (ret != Long.BYTES) {
                                odd.add(Task.current() + ": read of its ack eventfd returned " + errno(ret));
                                return;
                            }
                        }
                    }
                    if (writersLeft.decrementAndGet() == 0) {
                        signal(fds[1], 1);
                    }
                });
            }
            sched.awaitExit(GUARD);

            assertThat(odd).as("epoll_wait(-1) returns events (never 0 or an error), each EPOLLIN, and a read of a "
                    + "reported eventfd returns its count or EAGAIN (another reader was first)").isEmpty();
            assertThat(sched.tasks()).as("every reader and writer exited")
                    .allMatch(t -> t.state() == TASK_DEAD, "TASK_DEAD");
        }
        System.out.printf("%nepoll stress%s: %d written, %d drained, %d EAGAIN reads%n", pingPong ? " (ping-pong)" : "",
                written.get(), drained.get(), eagains.get());
        assertThat(written.get()).as("the writers wrote what their seeded plans say").isEqualTo(expectedTotal);
        assertThat(drained.get()).as("the readers drained exactly what was written: no event lost, none counted "
                + "twice").isEqualTo(expectedTotal);
        int[] wrong = IntStream.range(0, EVENTFDS).filter(i -> drainedPerFd.get(i) != expectedPerFd[i]).toArray();
        assertThat(wrong).as("eventfds whose drained sum differs from what was written to them; e.g. eventfd #%s: "
                + "written %s, drained %s", wrong.length == 0 ? "-" : wrong[0],
                wrong.length == 0 ? "-" : expectedPerFd[wrong[0]], wrong.length == 0 ? "-" : drainedPerFd.get(wrong[0]))
                .isEmpty();
        assertThat(IntStream.range(0, EVENTFDS).filter(i -> ((EventFd.Ctx) files[i].privateData).count() != 0)
                .toArray()).as("eventfds with a count left unread at the end").isEmpty();
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(GUARD.toSeconds(), TimeUnit.SECONDS)) {
                fail("the set-up task did not finish within %d s", GUARD.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits until every reader sleeps in epoll_wait (or has died), so that the first writes need wake-ups. */
    private static void awaitAllAsleep(List<Task> readers) {
        long deadline = System.nanoTime() + GUARD.toNanos();
        while (!readers.stream().allMatch(t -> t.state() == TASK_INTERRUPTIBLE || t.state() == TASK_DEAD)) {
            if (System.nanoTime() - deadline > 0) {
                fail("the readers did not all go to sleep in epoll_wait within %d s; states: %s", GUARD.toSeconds(),
                        readers.stream().map(t -> t + " " + Task.stateName(t.state())).toList());
            }
            Thread.yield();
        }
    }
}
