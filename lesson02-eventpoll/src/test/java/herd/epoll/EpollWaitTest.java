package herd.epoll;

import static herd.course.kit.Epolls.data;
import static herd.course.kit.Epolls.readyFds;
import static herd.course.kit.Epolls.slots;
import static herd.course.kit.Io.drain;
import static herd.course.kit.Io.eventfd;
import static herd.course.kit.Io.signal;
import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static herd.course.kit.Tasks.exited;
import static herd.course.kit.WaitQueues.tasksOn;
import static herd.epoll.Epoll.EPOLLET;
import static herd.epoll.EpollTests.add;
import static herd.epoll.EpollTests.newEpoll;
import static herd.fs.Poll.EPOLLIN;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Epolls;
import herd.fs.EventFd;
import herd.fs.File;
import herd.fs.FileOperations;
import herd.fs.Process;
import herd.locking.Mutex;
import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.sched.Task;
import herd.sched.TimerList;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * L02-E5, {@code ep_poll} and its front end {@code do_epoll_wait}: when epoll_wait
 * returns, when it sleeps, who is woken, and what it returns. The epolls are made with
 * {@link EpollTests#newEpoll} and the items added with {@code epoll_ctl}, so these tests
 * need L02-E2, E3, E5 and E6 too; the front end's checks need only L02-E5.
 */
@Tag("lesson02")
@Tag("L02-E5")
class EpollWaitTest {
    private static final int EPFD = 3;
    private static final int EFD = 4;

    /**
     * The fds of a process with an epoll (3) watching an eventfd (4) with {@code events}
     * and data 42. The first task makes them, then runs {@code then}: the process's files
     * live as long as one of its tasks does.
     */
    private static Process setup(DeterministicScheduler sched, int events, Runnable then) {
        Process p = new Process(sched, "test");
        p.spawn("waiter1", () -> {
            assertThat(newEpoll()).isEqualTo(EPFD);
            assertThat(eventfd()).isEqualTo(EFD);
            add(EPFD, EFD, events, 42);
            then.run();
        });
        sched.runUntilIdle();
        return p;
    }

    @Test
    @DisplayName("the front end: EINVAL for maxevents <= 0 or too large, EFAULT, EBADF, EINVAL for a file that is not an epoll")
    void frontEndChecksInTheKernelsOrder() {
        inProcess(() -> {
            int efd = eventfd();
            assertThat(errno(Epoll.epollWait(99, slots(1), 0, 0)))
                    .as("epoll_wait(99, events, 0, 0): maxevents is checked before the fd (5.15 order)")
                    .isEqualTo("EINVAL");
            assertThat(errno(Epoll.epollWait(99, slots(1), Epoll.EP_MAX_EVENTS + 1, 0)))
                    .as("maxevents above EP_MAX_EVENTS").isEqualTo("EINVAL");
            assertThat(errno(Epoll.epollWait(99, slots(1), 2, 0)))
                    .as("a buffer of 1 slot with maxevents 2 is not writable: EFAULT, still before the fd")
                    .isEqualTo("EFAULT");
            assertThat(errno(Epoll.epollWait(99, slots(1), 1, 0))).as("fd 99 is not open").isEqualTo("EBADF");
            assertThat(errno(Epoll.epollWait(efd, slots(1), 1, 0))).as("an eventfd is not an epoll")
                    .isEqualTo("EINVAL");
        });
    }

    @Test
    @DisplayName("timeout 0 returns 0 at once when nothing is ready, without sleeping")
    void timeoutZeroNeverSleeps() {
        inProcess(() -> {
            int epfd = newEpoll();
            long switches = Sched.current().voluntarySwitches();
            assertThat(Epoll.epollWait(epfd, slots(4), 4, 0)).as("epoll_wait(empty epoll, timeout 0)").isZero();
            assertThat(Sched.current().voluntarySwitches()).as("context switches of a timeout-0 epoll_wait")
                    .isEqualTo(switches);
        });
    }

    @Test
    @DisplayName("a positive timeout sleeps exactly that long on the virtual clock, then returns 0")
    void positiveTimeoutUsesTheVirtualClock() {
        inProcess(() -> {
            int epfd = newEpoll();
            long start = Sched.current().scheduler().clock();
            assertThat(Epoll.epollWait(epfd, slots(1), 1, 250)).as("epoll_wait(empty epoll, 250 ms)").isZero();
            assertThat(Sched.current().scheduler().clock() - start).as("virtual ns slept for a 250 ms timeout")
                    .isEqualTo(250_000_000L);
        });
    }

    @Test
    @DisplayName("timeout -1 sleeps until an event comes; the event is delivered with its data")
    void infiniteTimeoutSleepsUntilAnEvent() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            EpollEvent[] events = slots(4);
            AtomicLong ret = new AtomicLong(-999);
            Process p = setup(sched, EPOLLIN, () -> ret.set(Epoll.epollWait(EPFD, events, 4, -1)));
            Task waiter = p.tasks().get(0);
            assertThat(exited(waiter)).as("epoll_wait(-1) with nothing ready must sleep").isFalse();
            p.spawn("writer", () -> signal(EFD, 1));
            sched.run();
            assertThat(ret.get()).as("epoll_wait's result after one event").isEqualTo(1);
            assertThat(events[0].events).as("the events delivered").isEqualTo(EPOLLIN);
            assertThat(events[0].data).as("the data given to EPOLL_CTL_ADD").isEqualTo(42);
        }
    }

    // ---- helpers for the tests below ----------------------------------------------------------

    /** epoll_wait(EPFD, 1 slot, 1, -1) in the current task; records "name=result" in {@code returns} once it returns. */
    private static void waitForever(String name, List<String> returns) {
        long ret = Epoll.epollWait(EPFD, slots(1), 1, -1);
        returns.add(name + "=" + errno(ret));
    }

    /** Whether each entry on {@code ep.wq} is exclusive, head first. */
    private static List<Boolean> exclusiveFlagsOf(EventPoll ep) {
        List<Boolean> out = new ArrayList<>();
        ep.wq.head.entries().forEach(e -> out.add(e.isExclusive()));
        return out;
    }

    private static boolean asleep(Task t) {
        return t.state() == Task.TASK_INTERRUPTIBLE;
    }

    // ---- who sleeps where, who is woken --------------------------------------------------------

    @Test
    @DisplayName("epoll_wait sleepers are exclusive and head-inserted: one event wakes only the LAST one to sleep (LIFO)")
    void sleepersAreExclusiveAndWokenLastInFirstOut() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            List<String> returns = new CopyOnWriteArrayList<>();
            AtomicReference<EventPoll> ep = new AtomicReference<>();
            Process p = setup(sched, EPOLLIN | EPOLLET, () -> {
                ep.set(Epolls.ep(EPFD));
                waitForever("T1", returns);
            });
            Task t1 = p.tasks().get(0);
            Task t2 = p.spawn("T2", () -> waitForever("T2", returns));
            sched.runUntilIdle();
            Task t3 = p.spawn("T3", () -> waitForever("T3", returns));
            sched.runUntilIdle();
            assertThat(tasksOn(ep.get().wq))
                    .as("tasks on ep->wq, head first, after T1, T2, T3 went to sleep in that order: ep_poll adds "
                            + "each one with __add_wait_queue_exclusive, at the HEAD, so the newest is first")
                    .containsExactly(t3, t2, t1);
            assertThat(exclusiveFlagsOf(ep.get())).as("WQ_FLAG_EXCLUSIVE of each entry on ep->wq, head first")
                    .containsExactly(true, true, true);

            p.spawn("writer", () -> signal(EFD, 1));
            sched.runUntilIdle();
            assertThat(returns).as("epoll_wait calls that returned after ONE write to an EPOLLET eventfd: wake_up(&ep->wq) "
                    + "wakes one exclusive sleeper, the first on the queue, which is the last to have slept")
                    .containsExactly("T3=1");
            assertThat(List.of(asleep(t1), asleep(t2), exited(t3)))
                    .as("[T1 asleep, T2 asleep, T3 exited] after one event").containsExactly(true, true, true);
            assertThat(List.of(t1.wakeups(), t2.wakeups(), t3.wakeups()))
                    .as("wake-ups of [T1, T2, T3]: only T3 was woken, the others were never disturbed")
                    .containsExactly(0L, 0L, 1L);
            assertThat(tasksOn(ep.get().wq)).as("tasks on ep->wq once T3 left it").containsExactly(t2, t1);

            p.spawn("writer2", () -> signal(EFD, 1));
            sched.runUntilIdle();
            p.spawn("writer3", () -> signal(EFD, 1));
            sched.runUntilIdle();
            assertThat(returns).as("order in which the sleepers returned, one write each: last in, first out")
                    .containsExactly("T3=1", "T2=1", "T1=1");
        }
    }

    @Test
    @DisplayName("level-triggered, two threads on one epoll: one write wakes the last sleeper, and the end of its scan wakes the other")
    void levelTriggeredItemWakesTheNextSleeperToo() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            List<String> returns = new CopyOnWriteArrayList<>();
            AtomicReference<EventFd.Ctx> counter = new AtomicReference<>();
            Process p = setup(sched, EPOLLIN, () -> {
                counter.set((EventFd.Ctx) file(EFD).privateData);
                waitForever("T1", returns);
            });
            Task t1 = p.tasks().get(0);
            Task t2 = p.spawn("T2", () -> waitForever("T2", returns));
            sched.runUntilIdle();
            p.spawn("writer", () -> signal(EFD, 1));
            sched.runUntilIdle();
            assertThat(returns).as("epoll_wait calls that returned after ONE write to a level-triggered eventfd: the "
                    + "callback wakes T2 (head of ep->wq); T2's ep_send_events re-queues the LT item, so ep_done_scan "
                    + "finds the ready list not empty and wakes T1, which gets the same event")
                    .containsExactly("T2=1", "T1=1");
            assertThat(List.of(t1.wakeups(), t2.wakeups())).as("wake-ups of [T1, T2]").containsExactly(1L, 1L);
            assertThat(counter.get().count()).as("the eventfd's count: nobody read it, it is still readable")
                    .isEqualTo(1);
        }
    }

    @Test
    @DisplayName("edge-triggered, two threads on one epoll: one write wakes one thread only; a second write wakes the other")
    void edgeTriggeredItemWakesOneThread() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            List<String> returns = new CopyOnWriteArrayList<>();
            Process p = setup(sched, EPOLLIN | EPOLLET, () -> waitForever("T1", returns));
            Task t1 = p.tasks().get(0);
            Task t2 = p.spawn("T2", () -> waitForever("T2", returns));
            sched.runUntilIdle();
            p.spawn("writer", () -> signal(EFD, 1));
            sched.runUntilIdle();
            assertThat(returns).as("epoll_wait calls that returned after ONE write to an EPOLLET eventfd: the item is "
                    + "not re-queued after delivery, the ready list is empty at the end of T2's scan, T1 is not woken")
                    .containsExactly("T2=1");
            assertThat(asleep(t1)).as("T1 still sleeps in epoll_wait").isTrue();
            assertThat(t1.wakeups()).as("wake-ups of T1 after one event").isZero();
            assertThat(exited(t2)).as("T2 returned and exited").isTrue();

            p.spawn("writer2", () -> signal(EFD, 1));
            sched.runUntilIdle();
            assertThat(returns).as("a second write is a new edge: it queues the item again and wakes T1")
                    .containsExactly("T2=1", "T1=1");
        }
    }

    @Test
    @DisplayName("while one thread scans the ready list, events count as available: epoll_wait(0) in another thread "
            + "waits for ep->mtx and reports the level-triggered item, it does not return 0")
    void eventsAreAvailableWhileAScanRuns() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            Mutex pollLock = new Mutex();
            AtomicBoolean gated = new AtomicBoolean();
            FileOperations gatedPoll = (file, wait) -> {
                if (gated.get()) { // a ->poll may sleep on a mutex, as an epoll's own poll takes ep->mtx
                    pollLock.lock();
                    pollLock.unlock();
                }
                return EPOLLIN;
            };
            AtomicLong scanner = new AtomicLong(-999);
            AtomicLong nonBlocking = new AtomicLong(-999);
            Process p = new Process(sched, "test");
            p.spawn("holder", () -> {
                assertThat(newEpoll()).isEqualTo(EPFD);
                assertThat(Process.current().files.installNew(new File("test:[gated poll]", gatedPoll, null, 0)))
                        .isEqualTo(EFD);
                add(EPFD, EFD, EPOLLIN, 42);
                pollLock.lock();
                gated.set(true);
                Sched.scheduleTimeoutUninterruptible(10_000_000L);
                pollLock.unlock();
            });
            sched.runUntil(sched.clock());
            p.spawn("scanner", () -> scanner.set(Epoll.epollWait(EPFD, slots(1), 1, -1)));
            sched.runUntil(sched.clock());
            p.spawn("nonblocking", () -> nonBlocking.set(Epoll.epollWait(EPFD, slots(1), 1, 0)));
            sched.runUntilIdle();
            assertThat(List.of(errno(scanner.get()), errno(nonBlocking.get())))
                    .as("[the scanner, stuck in the item's poll with ep->mtx held; epoll_wait(0) meanwhile]: during a "
                            + "scan rdllist is empty, but ovflist is NULL, not EP_UNACTIVE_PTR, so "
                            + "ep_events_available says yes; epoll_wait(0) takes ep->mtx after the scan and finds the "
                            + "level-triggered item back on rdllist")
                    .containsExactly("1", "1");
        }
    }

    // ---- signals -------------------------------------------------------------------------------

    @Test
    @DisplayName("a signal to a thread sleeping in epoll_wait(-1) with nothing ready: -EINTR")
    void signalInterruptsAnEmptyWait() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            AtomicLong ret = new AtomicLong(-999);
            AtomicBoolean pendingAfter = new AtomicBoolean();
            AtomicReference<EventPoll> ep = new AtomicReference<>();
            Process p = setup(sched, EPOLLIN, () -> {
                ep.set(Epolls.ep(EPFD));
                ret.set(Epoll.epollWait(EPFD, slots(1), 1, -1));
                pendingAfter.set(Sched.signalPending(Sched.current()));
                Sched.flushSignals(Sched.current());
            });
            Task waiter = p.tasks().get(0);
            assertThat(asleep(waiter)).as("epoll_wait(-1) with nothing ready sleeps").isTrue();
            Sched.sendSignal(waiter);
            sched.runUntilIdle();
            assertThat(errno(ret.get())).as("epoll_wait interrupted by a signal, nothing ready").isEqualTo("EINTR");
            assertThat(pendingAfter.get()).as("the signal is still pending when epoll_wait returns (it is delivered "
                    + "on the way back to user space)").isTrue();
            assertThat(ep.get().wq.waitqueueActive()).as("the woken thread took its own entry off ep->wq").isFalse();
        }
    }

    @Test
    @DisplayName("an event ready AND a signal pending: epoll_wait returns the event, not EINTR (the signal is checked only when nothing was delivered)")
    void readyEventsWinOverAPendingSignal() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            EpollEvent[] events = slots(1);
            AtomicLong ret = new AtomicLong(-999);
            AtomicBoolean pendingAfter = new AtomicBoolean();
            Process p = setup(sched, EPOLLIN, () -> {
                ret.set(Epoll.epollWait(EPFD, events, 1, -1));
                pendingAfter.set(Sched.signalPending(Sched.current()));
                Sched.flushSignals(Sched.current());
            });
            Task waiter = p.tasks().get(0);
            p.spawn("signal-then-event", () -> {
                Sched.sendSignal(waiter);
                signal(EFD, 1);
            });
            sched.runUntilIdle();
            assertThat(errno(ret.get())).as("epoll_wait woken by a signal while an event came: ep_poll harvests first "
                    + "and returns the count; -EINTR only when ep_send_events delivered nothing").isEqualTo("1");
            assertThat(events[0].data).as("the event delivered (data given to EPOLL_CTL_ADD)").isEqualTo(42);
            assertThat(pendingAfter.get()).as("the signal is still pending after the call returned the event").isTrue();
        }
    }

    @Test
    @DisplayName("a signal pending and nothing ready: epoll_wait(0) returns 0, not EINTR (a timeout of 0 returns before the signal check)")
    void aNonBlockingWaitIgnoresAPendingSignal() {
        AtomicLong ret = new AtomicLong(-999);
        inProcess(() -> {
            assertThat(newEpoll()).isEqualTo(EPFD);
            assertThat(eventfd()).isEqualTo(EFD);
            add(EPFD, EFD, EPOLLIN, 42);
            Sched.sendSignal(Sched.current());
            ret.set(Epoll.epollWait(EPFD, slots(1), 1, 0));
            Sched.flushSignals(Sched.current());
        });
        assertThat(errno(ret.get())).as("ep_poll with a timeout of 0 sets timed_out before the loop, and the loop "
                + "returns 0 on timed_out before it looks at signal_pending: a non-blocking call never sleeps, so "
                + "there is nothing to interrupt").isEqualTo("0");
    }

    @Test
    @DisplayName("a thread woken by a signal while its entry is still on ep->wq harvests the event that woke another thread, not EINTR")
    void aSignalledSleeperStillQueuedHarvestsFirst() {
        List<List<String>> outcomes = new ArrayList<>();
        for (long seed = 0; seed < 8; seed++) {
            try (DeterministicScheduler sched = new DeterministicScheduler(seed)) {
                List<String> returns = new CopyOnWriteArrayList<>();
                Process p = setup(sched, EPOLLIN | EPOLLET, () -> {
                    waitForever("T1", returns);
                    Sched.flushSignals(Sched.current());
                });
                Task t1 = p.tasks().get(0);
                Task t2 = p.spawn("T2", () -> waitForever("T2", returns));
                sched.runUntilIdle();
                p.spawn("signal-then-event", () -> {
                    Sched.sendSignal(t1);
                    signal(EFD, 1);
                });
                sched.runUntilIdle();
                if (!exited(t2)) {
                    Sched.sendSignal(t2);
                    sched.runUntilIdle();
                }
                outcomes.add(returns);
            }
        }
        assertThat(outcomes).as("T1 is woken by a signal (its entry stays on ep->wq), then the event wakes T2, the "
                + "head of ep->wq, and takes T2's entry off. Seeds 0-7 run one or the other first. If T1 runs "
                + "first it harvests the event: after the sleep ep_poll sets eavail = 1 and clears it only for a "
                + "TIMED-OUT waiter that no waker dequeued, so the signal is looked at only when nothing was "
                + "delivered; T2, woken for nothing, sleeps again until its own signal. If T2 runs first it takes "
                + "the event and T1 gets -EINTR")
                .allSatisfy(returns -> assertThat(returns).isIn(List.of("T1=1", "T2=EINTR"), List.of("T2=1", "T1=EINTR")))
                .contains(List.of("T1=1", "T2=EINTR"));
    }

    // ---- timeouts ------------------------------------------------------------------------------

    @Test
    @DisplayName("a timed wait woken before its deadline returns the event at that virtual time")
    void timedWaitWokenBeforeItsDeadline() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            AtomicLong ret = new AtomicLong(-999);
            AtomicLong slept = new AtomicLong(-1);
            new Process(sched, "test").spawn("waiter", () -> {
                assertThat(newEpoll()).isEqualTo(EPFD);
                assertThat(eventfd()).isEqualTo(EFD);
                add(EPFD, EFD, EPOLLIN, 42);
                Process.current().spawn("writer", () -> {
                    Sched.scheduleTimeoutUninterruptible(300_000_000L);
                    signal(EFD, 1);
                });
                long start = Sched.current().scheduler().clock();
                ret.set(Epoll.epollWait(EPFD, slots(1), 1, 1000));
                slept.set(Sched.current().scheduler().clock() - start);
            });
            sched.runUntilIdle();
            assertThat(ret.get()).as("epoll_wait(1000 ms) when a write comes after 300 ms").isEqualTo(1);
            assertThat(slept.get()).as("virtual ns spent in epoll_wait(1000 ms): it returns when woken, at 300 ms, "
                    + "not at the deadline").isEqualTo(300_000_000L);
        }
    }

    /**
     * fs/eventpoll.c since v6.0 (a16ceb139610, "epoll: autoremove wakers even more
     * aggressively", backported to 5.4.y and later): {@code ep_poll}'s entry wakes through
     * {@code ep_autoremove_wake_function}, which unlinks it on every wake-up, even when
     * {@code try_to_wake_up} returns 0 because the task runs already. A waiter whose
     * deadline woke it, and whose entry a callback reached before it got the CPU, finds the
     * entry gone ("a waker dequeued us", epoll61's case), harvests the event and returns 1.
     * With {@code autoremove_wake_function} (before) the entry stayed and it returned 0.
     */
    @Test
    @DisplayName("a waiter that timed out and was then reached by a callback before it ran returns the event, not 0 "
            + "(ep_autoremove_wake_function)")
    void aTimedOutWaiterReachedByACallbackReturnsTheEvent() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            AtomicLong ret = new AtomicLong(-999);
            List<String> seen = new CopyOnWriteArrayList<>();
            Process p = new Process(sched, "test");
            Task waiter = p.spawn("waiter", () -> {
                assertThat(newEpoll()).isEqualTo(EPFD);
                assertThat(eventfd()).isEqualTo(EFD);
                add(EPFD, EFD, EPOLLIN, 42);
                ret.set(Epoll.epollWait(EPFD, slots(1), 1, 10));
            });
            sched.runUntil(sched.clock());
            assertThat(asleep(waiter)).as("epoll_wait(10 ms) with nothing ready sleeps").isTrue();
            File epFile = p.files.fget(EPFD);
            File efdFile = p.files.fget(EFD);
            EventPoll ep = (EventPoll) epFile.privateData;
            EventFd.Ctx ctx = (EventFd.Ctx) efdFile.privateData;
            epFile.fput();
            efdFile.fput();
            // An interrupt at the same instant as the deadline: the tick wakes the waiter, then this runs.
            new TimerList(sched, () -> {
                seen.add("waiter " + Task.stateName(waiter.state()) + ", its entry on ep->wq: " + ep.wq.waitqueueActive());
                EventFd.eventfdSignal(ctx);
                seen.add("after the callback, its entry on ep->wq: " + ep.wq.waitqueueActive());
            }).modTimer(10_000_000L);
            sched.runUntilIdle();

            assertThat(seen).as("the callback reached the entry of a waiter already running; "
                    + "ep_autoremove_wake_function unlinked it although try_to_wake_up returned 0")
                    .containsExactly("waiter TASK_RUNNING, its entry on ep->wq: true",
                            "after the callback, its entry on ep->wq: false");
            assertThat(ret.get()).as("epoll_wait's result: timed out, but a waker dequeued the entry, so ep_poll "
                    + "harvests (fs/eventpoll.c, ep_poll: eavail = list_empty_careful(&wait.entry))").isEqualTo(1);
        }
    }

    @Test
    @DisplayName("timeout 0 with a ready item returns it: the harvest comes before the timed_out check")
    void timeoutZeroReturnsAReadyItem() {
        inProcess(() -> {
            int epfd = newEpoll();
            int efd = eventfd();
            signal(efd, 1);
            add(epfd, efd, EPOLLIN, 7);
            long switches = Sched.current().voluntarySwitches();
            EpollEvent[] events = slots(2);
            assertThat(Epoll.epollWait(epfd, events, 2, 0)).as("epoll_wait(timeout 0) with one ready item")
                    .isEqualTo(1);
            assertThat(events[0].data).as("the data of the item delivered").isEqualTo(7);
            assertThat(events[0].events).as("the events delivered").isEqualTo(EPOLLIN);
            assertThat(Sched.current().voluntarySwitches()).as("context switches of a timeout-0 epoll_wait")
                    .isEqualTo(switches);
        });
    }

    @Test
    @DisplayName("maxevents 1 with two ready items returns 1; the other item is returned by the next call")
    void maxeventsOneReturnsOne() {
        inProcess(() -> {
            int epfd = newEpoll();
            int efdA = eventfd();
            int efdB = eventfd();
            signal(efdA, 1);
            signal(efdB, 1);
            add(epfd, efdA, EPOLLIN, 1);
            add(epfd, efdB, EPOLLIN, 2);
            EpollEvent[] events = slots(1);
            assertThat(Epoll.epollWait(epfd, events, 1, -1)).as("epoll_wait(maxevents 1) with two ready items")
                    .isEqualTo(1);
            assertThat(events[0].data).as("the first call delivers the first ready item").isEqualTo(1);
            assertThat(Epoll.epollWait(epfd, events, 1, -1)).as("a second epoll_wait(maxevents 1)").isEqualTo(1);
            assertThat(events[0].data).as("the second call delivers the item the first one left").isEqualTo(2);
        });
    }

    // ---- woken for nothing ---------------------------------------------------------------------

    @Test
    @DisplayName("a thread woken for an event that is gone when it runs goes back to sleep inside epoll_wait")
    void wokenForNothingSleepsAgain() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            AtomicLong ret = new AtomicLong(-999);
            AtomicLong drained = new AtomicLong(-999);
            AtomicReference<EventPoll> ep = new AtomicReference<>();
            Process p = setup(sched, EPOLLIN, () -> {
                ep.set(Epolls.ep(EPFD));
                ret.set(Epoll.epollWait(EPFD, slots(1), 1, -1));
            });
            Task waiter = p.tasks().get(0);
            assertThat(waiter.voluntarySwitches()).as("the waiter slept once in epoll_wait").isEqualTo(1);
            // One task writes (the callback wakes the waiter) and reads the count back before it
            // gives up the CPU: the waiter runs only after this task exits, and finds nothing.
            p.spawn("write-then-drain", () -> {
                signal(EFD, 1);
                drained.set(drain(EFD));
            });
            sched.runUntilIdle();
            assertThat(drained.get()).as("the count the other task read back").isEqualTo(1);
            assertThat(exited(waiter)).as("the waiter must not return from epoll_wait: its re-poll found nothing")
                    .isFalse();
            assertThat(ret.get()).as("epoll_wait has not returned (still the initial -999)").isEqualTo(-999);
            assertThat(waiter.wakeups()).as("the write woke the waiter once").isEqualTo(1);
            assertThat(waiter.voluntarySwitches())
                    .as("voluntary switches of the waiter: slept, woken, ep_send_events delivered 0, slept again")
                    .isEqualTo(2);
            assertThat(asleep(waiter)).as("the waiter sleeps (TASK_INTERRUPTIBLE) again").isTrue();
            assertThat(tasksOn(ep.get().wq)).as("tasks on ep->wq: the waiter queued itself again")
                    .containsExactly(waiter);
            assertThat(readyFds(ep.get())).as("the ready list: the item was dropped by the re-poll")
                    .isEmpty();

            p.spawn("writer", () -> signal(EFD, 1));
            sched.runUntilIdle();
            assertThat(ret.get()).as("epoll_wait's result after a later write").isEqualTo(1);
            assertThat(waiter.voluntarySwitches()).as("voluntary switches of the waiter in all").isEqualTo(2);
        }
    }

    @Test
    @DisplayName("epoll_wait with maxevents 2 over three ready LT eventfds: [1,2], [3,1], [2,3]")
    void epollWaitRotatesFairly() {
        inProcess(() -> {
            int epfd = newEpoll();
            EventPoll ep = Epolls.ep(epfd);
            List<Integer> efds = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                int efd = eventfd();
                signal(efd, 1);
                add(epfd, efd, EPOLLIN, i);
                efds.add(efd);
            }
            assertThat(readyFds(ep)).as("the ready list after three ADDs of readable eventfds").isEqualTo(efds);
            List<List<Long>> delivered = new ArrayList<>();
            for (int call = 0; call < 3; call++) {
                EpollEvent[] events = slots(2);
                delivered.add(data(events, Epoll.epollWait(epfd, events, 2, 0)));
            }
            assertThat(delivered).as("data delivered by three epoll_wait(maxevents 2): every item gets its turn")
                    .containsExactly(List.of(1L, 2L), List.of(3L, 1L), List.of(2L, 3L));
        });
    }
}
