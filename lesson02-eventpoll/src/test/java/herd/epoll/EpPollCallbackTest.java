package herd.epoll;

import static herd.course.kit.Epolls.mask;
import static herd.course.kit.Epolls.readyFds;
import static herd.course.kit.Epolls.recorder;
import static herd.course.kit.Io.drain;
import static herd.course.kit.Io.eventfd;
import static herd.course.kit.Io.sendAll;
import static herd.course.kit.Io.signal;
import static herd.course.kit.Io.socketpair;
import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Tasks.exited;
import static herd.epoll.Epoll.EPOLLET;
import static herd.epoll.Epoll.EPOLLONESHOT;
import static herd.epoll.EpollTests.newEpoll;
import static herd.fs.Poll.EPOLLERR;
import static herd.fs.Poll.EPOLLHUP;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLOUT;
import static herd.fs.Poll.EPOLLPRI;
import static herd.fs.Poll.EPOLLRDBAND;
import static herd.fs.Poll.EPOLLRDNORM;
import static herd.fs.Poll.EPOLLWRBAND;
import static herd.fs.Poll.EPOLLWRNORM;
import static herd.fs.Poll.POLLFREE;
import static herd.sched.Task.TASK_NORMAL;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Epolls.Call;
import herd.course.kit.Epolls;
import herd.fs.EventFd;
import herd.fs.File;
import herd.fs.Poll;
import herd.fs.Process;
import herd.fs.Vfs;
import herd.list.ListHead;
import herd.net.UnixStream;
import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.sched.Task;
import herd.trace.TraceEvent;
import herd.wait.WaitEvent;
import herd.wait.WaitQueueEntry;
import herd.wait.WaitQueueHead;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * L02-E3: {@code ep_poll_callback}, the wake function of every entry epoll puts on a
 * watched file's queue.
 *
 * <p>The items and entries are built by hand ({@code new EpItem}, {@code new EppollEntry})
 * on an epoll made by {@link EpollTests#newEpoll}, and the callback is called as
 * {@code __wake_up_common} calls it: with the watched queue's lock held (or by a real
 * wake-up of that queue), so these tests need only L02-E3. What the callback wakes is seen
 * through hand-made entries on {@code ep->wq} and {@code ep->poll_wait} whose wake
 * functions record each call.
 */
@Tag("lesson02")
@Tag("L02-E3")
@DisplayName("L02-E3: ep_poll_callback")
class EpPollCallbackTest {
    /** An item of {@code ep} watching eventfd {@code fd} with {@code events}, and its entry on the eventfd's queue. */
    private record Watch(EventPoll ep, File file, int fd, WaitQueueHead wqh, EpItem epi, EppollEntry pwq) {
    }

    /**
     * What {@code ep_insert} would build, by hand: an item for eventfd {@code fd} with
     * {@code events} (data = fd), and its entry for the eventfd's queue, linked there (at
     * the head, non-exclusive) when {@code queued}.
     */
    private static Watch watch(EventPoll ep, int fd, int events, boolean queued) {
        File file = file(fd);
        WaitQueueHead wqh = ((EventFd.Ctx) file.privateData).wqh;
        EpItem epi = new EpItem(ep, new EpollFileFd(file, fd), new EpollEvent(events, fd));
        EppollEntry pwq = new EppollEntry(epi, wqh);
        epi.pwqlist.add(pwq);
        if (queued) {
            wqh.addWaitQueue(pwq);
        }
        return new Watch(ep, file, fd, wqh, epi, pwq);
    }

    /** {@code ep_poll_callback(pwq, TASK_NORMAL, 0, key)} with the watched queue's lock held, as {@code __wake_up_common} calls it. */
    private static int callback(Watch w, int key) {
        w.wqh().lock.lock();
        try {
            return EpPollCallback.epPollCallback(w.pwq(), TASK_NORMAL, 0, key);
        } finally {
            w.wqh().lock.unlock();
        }
    }

    private static List<String> who(List<Call> calls) {
        return calls.stream().map(Call::who).toList();
    }

    /**
     * fs/eventpoll.c since 900bbaae67e9 ("epoll: Add synchronous wakeup support for
     * ep_poll_callback", 2024, in stable 5.4.y and later): {@code if (sync) wake_up_sync(&ep->wq);
     * else wake_up(&ep->wq);}. A socket's data ({@code sock_def_readable}:
     * {@code wake_up_interruptible_sync_poll}) reaches the epoll_wait sleeper with
     * {@code WF_SYNC}; an eventfd write ({@code wake_up_locked_poll}) without.
     */
    @Test
    @DisplayName("the sync hint is passed on: a WF_SYNC wake-up of the watched file wakes ep->wq with WF_SYNC (wake_up_sync), any other without")
    void theSyncHintIsPassedOn() {
        List<Integer> flags = new CopyOnWriteArrayList<>();
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            Watch w = watch(ep, eventfd(0), EPOLLIN, true);
            WaitQueueEntry sleeper = new WaitQueueEntry(null, (wait, mode, sync, key) -> {
                flags.add(sync);
                return 1;
            }, 0);
            ep.lock.lock();
            try {
                ep.wq.addWaitQueueExclusiveLocked(sleeper);
            } finally {
                ep.lock.unlock();
            }
            w.wqh().wakeUp(Task.TASK_INTERRUPTIBLE, 1, Sched.WF_SYNC, EPOLLIN); // as sock_def_readable wakes
            w.wqh().wakeUpPoll(EPOLLIN);
        });
        assertThat(flags).as("wake_flags that reached the epoll_wait sleeper: WF_SYNC for the sync wake-up, 0 for "
                + "the other").containsExactly(Sched.WF_SYNC, 0);
    }

    // ---- which wake-ups queue the item ------------------------------------------------------

    @ParameterizedTest(name = "[{index}] item {0}, key {1}: queued {2} ({3})")
    @CsvSource(delimiter = ';', textBlock = """
            # item's events ; wake-up key               ; queued ; the rule
            IN              ; IN                        ; true   ; the key has the item's event
            IN              ; IN|PRI|RDNORM|RDBAND      ; true   ; a socket's data key: one shared bit is enough
            IN|OUT          ; OUT|WRNORM|WRBAND         ; true   ; a socket's write-space key, the item wants OUT too
            IN              ; OUT                       ; false  ; room to write is not what the item waits for
            IN              ; OUT|WRNORM|WRBAND         ; false  ; a socket's write-space key, the item wants IN only
            OUT             ; IN|PRI|RDNORM|RDBAND      ; false  ; a socket's data key, the item wants OUT only
            IN              ; RDNORM                    ; false  ; the bits are compared as they are: RDNORM is not IN
            IN|ERR|HUP      ; HUP                       ; true   ; epoll_ctl adds ERR|HUP to every item: a hang-up always counts
            IN              ; 0                         ; true   ; no key (the kernel's NULL): the callback cannot filter, it queues
            OUT             ; 0                         ; true   ; no key, whatever the mask
            IN|ET           ; IN                        ; true   ; EPOLLET changes nothing here
            IN|ONESHOT      ; IN                        ; true   ; a one-shot item not yet delivered is armed
            ONESHOT         ; IN                        ; false  ; a one-shot item after delivery (only private bits left) is disabled
            ONESHOT         ; 0                         ; false  ; a disabled item is ignored even by a wake-up without key
            ONESHOT|ET      ; IN|OUT|ERR|HUP            ; false  ; disabled: no event bit left, whatever the key
            """)
    @DisplayName("the key filters: queued only if the key shares a bit with the item's events, or there is no key; a disabled item never")
    void theKeyFilters(String itemEvents, String key, boolean queued, String rule) {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            List<Call> calls = new CopyOnWriteArrayList<>();
            ep.wq.addWaitQueueExclusive(recorder("epoll_wait sleeper", ep, calls));
            ep.pollWait.addWaitQueue(recorder("poller", ep, calls));
            Watch w = watch(ep, eventfd(0), mask(itemEvents), true);

            int ret = callback(w, mask(key));

            assertThat(ret).as("ep_poll_callback returns 1 for an item without EPOLLEXCLUSIVE, queued or not "
                    + "(item %s, key %s)", itemEvents, key).isEqualTo(1);
            assertThat(readyFds(ep)).as("item %s woken with key %s: %s, so it is %s", itemEvents, key, rule,
                    queued ? "queued on the ready list" : "NOT queued").isEqualTo(queued ? List.of(w.fd()) : List.of());
            assertThat(who(calls)).as("item %s woken with key %s: %s", itemEvents, key, queued
                    ? "queued, so one epoll_wait sleeper and the pollers of the epoll are woken"
                    : "ignored, so nobody is woken")
                    .isEqualTo(queued ? List.of("epoll_wait sleeper", "poller") : List.of());
            assertThat(w.wqh().head.firstEntry()).as("the entry stays on the file's queue").isSameAs(w.pwq());
        });
    }

    // ---- the ready list ---------------------------------------------------------------------

    @Test
    @DisplayName("items are linked at the TAIL of rdllist in arrival order, and never twice")
    void arrivalOrderAndNoDoubleLink() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            Watch a = watch(ep, eventfd(0), EPOLLIN, true);
            Watch b = watch(ep, eventfd(0), EPOLLIN, true);
            Watch c = watch(ep, eventfd(0), EPOLLIN, true);

            for (Watch w : List.of(b, a, c)) {
                assertThat(callback(w, EPOLLIN)).as("ep_poll_callback for fd %d", w.fd()).isEqualTo(1);
            }
            assertThat(readyFds(ep))
                    .as("callbacks for fds %d, %d, %d in that order: each item is added at the TAIL (list_add_tail), "
                            + "so the ready list is first in, first out", b.fd(), a.fd(), c.fd())
                    .containsExactly(b.fd(), a.fd(), c.fd());

            for (Watch w : List.of(a, c, b, a)) {
                assertThat(callback(w, EPOLLIN)).as("a second ep_poll_callback for fd %d", w.fd()).isEqualTo(1);
            }
            assertThat(readyFds(ep))
                    .as("more callbacks for items already on the ready list: ep_is_linked() is true, they are not "
                            + "added again, and they keep their places").containsExactly(b.fd(), a.fd(), c.fd());
        });
    }

    @Test
    @DisplayName("an item already on the ready list is not linked again, but the sleepers are woken again")
    void aLinkedItemStillWakes() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            List<Call> calls = new CopyOnWriteArrayList<>();
            ep.wq.addWaitQueueExclusive(recorder("epoll_wait sleeper", ep, calls));
            ep.pollWait.addWaitQueue(recorder("poller", ep, calls));
            Watch w = watch(ep, eventfd(0), EPOLLIN, true);

            callback(w, EPOLLIN);
            callback(w, EPOLLIN);

            assertThat(readyFds(ep)).as("two callbacks, one item on the ready list").containsExactly(w.fd());
            assertThat(who(calls))
                    .as("ep_poll_callback wakes ep->wq and ep->poll_wait whenever the item is not filtered out, even "
                            + "if it was on the ready list already")
                    .containsExactly("epoll_wait sleeper", "poller", "epoll_wait sleeper", "poller");
        });
    }

    // ---- during a scan: the overflow chain ----------------------------------------------------

    @Test
    @DisplayName("during a scan (ovflist != EP_UNACTIVE_PTR) items go to the overflow chain, newest first, once; not to rdllist")
    void duringAScanItemsGoToTheOverflowChain() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            List<Call> calls = new CopyOnWriteArrayList<>();
            ep.wq.addWaitQueueExclusive(recorder("epoll_wait sleeper", ep, calls));
            ep.pollWait.addWaitQueue(recorder("poller", ep, calls));
            Watch a = watch(ep, eventfd(0), EPOLLIN, true);
            Watch b = watch(ep, eventfd(0), EPOLLIN, true);
            startScan(ep);

            for (Watch w : List.of(a, b, a)) {
                assertThat(callback(w, EPOLLIN)).as("ep_poll_callback for fd %d during a scan", w.fd()).isEqualTo(1);
            }

            assertThat(chainFds(ep))
                    .as("callbacks for fds %d, %d, %d while a scan runs: each item is pushed at the front of ovflist "
                            + "(newest first), and only if its next is EP_UNACTIVE_PTR (not chained yet)",
                            a.fd(), b.fd(), a.fd())
                    .containsExactly(b.fd(), a.fd());
            assertThat(ep.readyList()).as("while a scan runs the scan owns the ready list: rdllist is not touched")
                    .isEmpty();
            assertThat(who(calls))
                    .as("during a scan the sleepers are still woken, every time (5.7's fix 0c54a6a44bf3: skipping "
                            + "the wake-up here lost wake-ups)")
                    .containsExactly("epoll_wait sleeper", "poller", "epoll_wait sleeper", "poller",
                            "epoll_wait sleeper", "poller");
        });
    }

    @Test
    @DisplayName("during a scan an item that is in the scan's batch (linked) still goes on the overflow chain")
    void aLinkedItemDuringAScanIsChained() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            Watch a = watch(ep, eventfd(0), EPOLLIN, true);
            callback(a, EPOLLIN);
            assertThat(readyFds(ep)).as("test setup: the item is on the ready list").containsExactly(a.fd());
            ListHead<EpItem> txlist = startScan(ep);

            callback(a, EPOLLIN);

            assertThat(chainFds(ep)).as("during a scan the callback looks at epi->next only, not at whether "
                    + "the item is linked: the item in the scan's batch goes on ovflist too (ep_done_scan sorts it "
                    + "out)").containsExactly(a.fd());
            assertThat(txlist.size()).as("the scan's batch still holds the item once").isEqualTo(1);
            assertThat(ep.readyList()).as("rdllist stays empty during the scan").isEmpty();
        });
    }

    /**
     * The fds of the items on the overflow chain, newest first, walked through
     * {@code epi->next} with a bound: an item chained twice makes the chain a loop.
     */
    private static List<Integer> chainFds(EventPoll ep) {
        List<Integer> fds = new java.util.ArrayList<>();
        ep.lock.lock();
        try {
            for (EpItem epi = ep.ovflist; epi != null && epi != EventPoll.EP_UNACTIVE_PTR; epi = epi.next) {
                assertThat(fds.size()).as("the overflow chain loops (%s...): an item already on it (epi->next is "
                        + "not EP_UNACTIVE_PTR) must not be pushed again", fds).isLessThan(16);
                fds.add(epi.ffd.fd());
            }
        } finally {
            ep.lock.unlock();
        }
        return fds;
    }

    /**
     * What {@code ep_start_scan} does, by hand: under ep->lock the ready list moves to a
     * private batch and ovflist becomes NULL (a scan runs). Returns the batch.
     */
    private static ListHead<EpItem> startScan(EventPoll ep) {
        ListHead<EpItem> txlist = new ListHead<>();
        ep.lock.lock();
        try {
            txlist.spliceInit(ep.rdllist);
            ep.ovflist = null;
        } finally {
            ep.lock.unlock();
        }
        return txlist;
    }

    // ---- who is woken -------------------------------------------------------------------------

    @Test
    @DisplayName("wake_up(ep->wq): exactly one of two exclusive epoll_wait sleepers, the first on the queue")
    void wakesOneOfTwoExclusiveSleepers() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            List<Call> calls = new CopyOnWriteArrayList<>();
            ep.wq.addWaitQueueExclusive(recorder("first sleeper", ep, calls));
            ep.wq.addWaitQueueExclusive(recorder("second sleeper", ep, calls));
            Watch w = watch(ep, eventfd(0), EPOLLIN, true);

            callback(w, EPOLLIN);

            assertThat(calls.stream().map(c -> c.who() + ", mode " + c.mode() + ", key " + c.key()).toList())
                    .as("ep_poll_callback wakes ep->wq with wake_up(): TASK_NORMAL, no key, one exclusive sleeper: "
                            + "the first; not wake_up_all")
                    .containsExactly("first sleeper, mode " + TASK_NORMAL + ", key 0");
        });
    }

    @Test
    @DisplayName("real tasks: an eventfd write wakes exactly one of two tasks sleeping exclusively on ep->wq")
    void realSleepersOneIsWoken() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            AtomicReference<EventPoll> epRef = new AtomicReference<>();
            Process p = new Process(sched, "test");
            Task first = p.spawn("first", () -> {
                EventPoll ep = Epolls.ep(newEpoll());
                epRef.set(ep);
                watch(ep, eventfd(0), EPOLLIN, true);
                WaitEvent.waitEventInterruptibleExclusive(ep.wq, () -> !ep.readyList().isEmpty());
            });
            sched.runUntilIdle();
            EventPoll ep = epRef.get();
            Task second = p.spawn("second",
                    () -> WaitEvent.waitEventInterruptibleExclusive(ep.wq, () -> !ep.readyList().isEmpty()));
            sched.runUntilIdle();
            assertThat(exited(first) || exited(second)).as("test setup: both tasks sleep on ep->wq").isFalse();

            p.spawn("writer", () -> signal(4, 1));
            sched.runUntilIdle();

            assertThat(List.of(exited(first), exited(second)))
                    .as("write(eventfd) -> wake-up of eventfd.wqh with EPOLLIN -> ep_poll_callback -> wake_up(ep->wq):"
                            + " one exclusive wake-up, the first sleeper (first on the queue) exits, the second "
                            + "still sleeps [first exited, second exited]")
                    .containsExactly(true, false);
            Sched.sendSignal(second);
            sched.run();
        }
    }

    @Test
    @DisplayName("nobody to wake: with ep->wq and ep->poll_wait empty the item is queued and no wake_up is called")
    void noWakeUpWhenNobodyWaits() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            Watch w = watch(ep, eventfd(0), EPOLLIN, true);
            int before = wakeUpCalls();

            assertThat(callback(w, EPOLLIN)).as("ep_poll_callback").isEqualTo(1);

            assertThat(readyFds(ep)).as("nobody waits, the item is queued all the same (a later epoll_wait finds it)")
                    .containsExactly(w.fd());
            assertThat(wakeUpCalls() - before)
                    .as("__wake_up calls made by ep_poll_callback when ep->wq and ep->poll_wait are empty: "
                            + "waitqueue_active() is false for both, so neither wake_up(&ep->wq) nor "
                            + "ep_poll_safewake is called").isZero();
        });
    }

    /** How many times the current task entered {@code __wake_up} so far, from the scheduler's trace. */
    private static int wakeUpCalls() {
        Task me = Task.current();
        return (int) me.scheduler().trace().events().stream()
                .filter(e -> e.pid() == me.pid() && e.kind() == TraceEvent.Kind.FUNC_ENTRY
                        && e.name().equals("__wake_up"))
                .count();
    }

    @Test
    @DisplayName("the pollers of the epoll (ep->poll_wait) are woken with EPOLLIN after ep->lock is released, after ep->wq")
    void pollersAreWokenAfterTheLock() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            List<Call> calls = new CopyOnWriteArrayList<>();
            ep.wq.addWaitQueueExclusive(recorder("epoll_wait sleeper", ep, calls));
            ep.pollWait.addWaitQueue(recorder("poller", ep, calls));
            Watch w = watch(ep, eventfd(0), EPOLLOUT, true);

            callback(w, EPOLLOUT | EPOLLWRNORM);

            assertThat(who(calls)).as("first the epoll_wait sleeper (under ep->lock), then the pollers (after it)")
                    .containsExactly("epoll_wait sleeper", "poller");
            Call poller = calls.get(1);
            assertThat(Poll.names("EPOLL", poller.key()))
                    .as("ep_poll_safewake is wake_up_poll(&ep->poll_wait, EPOLLIN): the epoll file became readable, "
                            + "whatever the watched file's key was (here EPOLLOUT|EPOLLWRNORM)")
                    .isEqualTo("EPOLLIN");
            assertThat(poller.mode()).as("wake_up_poll wakes in TASK_NORMAL").isEqualTo(TASK_NORMAL);
            assertThat(poller.epLockHeld())
                    .as("ep->lock must be released before ep_poll_safewake: a poller may be an outer epoll whose "
                            + "callback takes its own ep->lock (pwake is noted under the lock, used after it)")
                    .isFalse();
        });
    }

    // ---- POLLFREE -----------------------------------------------------------------------------

    @Test
    @DisplayName("POLLFREE: the entry unlinks itself from the dying queue and sets whead to NULL; HUP still queues the item")
    void pollfreeUnlinksTheEntry() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            Watch w = watch(ep, eventfd(0), EPOLLIN | EPOLLERR | EPOLLHUP, true);
            List<Call> calls = new CopyOnWriteArrayList<>();
            WaitQueueEntry other = recorder("other waiter of the file", ep, calls);
            w.wqh().addWaitQueue(other);

            int ret = callback(w, EPOLLHUP | POLLFREE);

            assertThat(ret).as("ep_poll_callback returns 1 for a non-exclusive item, POLLFREE or not").isEqualTo(1);
            assertThat(w.pwq().whead())
                    .as("after POLLFREE the entry publishes whead = NULL, so that ep_remove will not touch the freed "
                            + "queue").isNull();
            assertThat(w.pwq().entry.isEmpty()).as("after POLLFREE the entry has unlinked itself from the queue")
                    .isTrue();
            assertThat(w.wqh().head.firstEntry()).as("the other waiter stays on the queue").isSameAs(other);
            assertThat(w.wqh().head.size()).as("entries left on the file's queue").isEqualTo(1);
            assertThat(readyFds(ep)).as("wake_up_pollfree's key is EPOLLHUP|POLLFREE: the item wants HUP, so it is "
                    + "queued").containsExactly(w.fd());
        });
    }

    @Test
    @DisplayName("POLLFREE through the queue (wake_up_pollfree): unlinked even when the key is filtered out")
    void pollfreeThroughTheQueue() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            Watch w = watch(ep, eventfd(0), EPOLLIN, true);

            w.wqh().wakeUp(TASK_NORMAL, 0, 0, POLLFREE);

            assertThat(w.wqh().waitqueueActive()).as("the epoll entry took itself off the queue being freed")
                    .isFalse();
            assertThat(w.pwq().whead()).as("whead is NULL after POLLFREE, even for an item the key did not "
                    + "interest").isNull();
            assertThat(ep.readyList()).as("key POLLFREE alone shares no bit with EPOLLIN: not queued").isEmpty();
        });
    }

    // ---- end to end ---------------------------------------------------------------------------

    @Test
    @DisplayName("eventfd: a write (key EPOLLIN) queues an EPOLLIN item, a read (key EPOLLOUT) does not; and the other way round")
    void eventfdReadAndWriteKeys() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            int efd = eventfd(1);
            int dupfd = (int) Vfs.dup(efd);
            Watch in = watch(ep, efd, EPOLLIN, true);
            Watch out = watch(ep, dupfd, EPOLLOUT, true);

            assertThat(drain(efd)).as("read the eventfd's count").isEqualTo(1);
            assertThat(readyFds(ep))
                    .as("read(eventfd) wakes eventfd.wqh with key EPOLLOUT (room to write): the EPOLLOUT item (fd %d) "
                            + "is queued, the EPOLLIN item (fd %d) must not be", dupfd, efd)
                    .containsExactly(dupfd);

            signal(efd, 5);
            assertThat(readyFds(ep))
                    .as("write(eventfd) wakes eventfd.wqh with key EPOLLIN: now the EPOLLIN item (fd %d) is queued, "
                            + "at the tail", efd)
                    .containsExactly(dupfd, efd);
            assertThat(in.pwq().whead()).as("the entries stay on the eventfd's queue").isSameAs(in.wqh());
            assertThat(out.wqh().head.size()).as("both entries on eventfd.wqh").isEqualTo(2);
        });
    }

    @Test
    @DisplayName("socket: data arriving (EPOLLIN|...) does not queue an EPOLLOUT item; a read's write-space wake-up does")
    void socketKeys() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            int[] sv = socketpair();
            Watch a = sockWatch(ep, sv[0], EPOLLOUT);
            Watch b = sockWatch(ep, sv[1], EPOLLOUT);
            Watch aIn = sockWatch(ep, (int) Vfs.dup(sv[0]), EPOLLIN);

            sendAll(sv[1], "ping");
            assertThat(readyFds(ep))
                    .as("a write to socket %d wakes socket %d with EPOLLIN|EPOLLPRI|EPOLLRDNORM|EPOLLRDBAND: only the "
                            + "EPOLLIN item (fd %d) is queued, not the EPOLLOUT one (fd %d)", sv[1], sv[0], aIn.fd(),
                            a.fd())
                    .containsExactly(aIn.fd());

            byte[] buf = new byte[4];
            assertThat(Vfs.read(sv[0], buf, 4)).as("read the 4 bytes").isEqualTo(4);
            assertThat(readyFds(ep))
                    .as("the read frees the writer's buffer: socket %d is woken with EPOLLOUT|EPOLLWRNORM|EPOLLWRBAND, "
                            + "its EPOLLOUT item (fd %d) is queued", sv[1], b.fd())
                    .containsExactly(aIn.fd(), b.fd());
        });
    }

    @Test
    @DisplayName("socket: the peer's close wakes with no key; an armed item is queued, a disabled one-shot item is not")
    void aDisabledItemIgnoresAKeylessWakeUp() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            int[] sv = socketpair();
            Watch disabled = sockWatch(ep, sv[0], EPOLLONESHOT);
            Watch armed = sockWatch(ep, (int) Vfs.dup(sv[0]), EPOLLIN | EPOLLONESHOT);

            assertThat(Vfs.close(sv[1])).as("close(%d), the peer", sv[1]).isZero();

            assertThat(readyFds(ep))
                    .as("the peer's close wakes socket %d with wake_up_interruptible_all and no key (sock_def_wakeup): "
                            + "the armed one-shot item (fd %d) is queued; the one-shot item already delivered (fd %d, "
                            + "events = EPOLLONESHOT only, no event bit left) is disabled and must be ignored, even "
                            + "without a key to filter on", sv[0], armed.fd(), disabled.fd())
                    .containsExactly(armed.fd());
        });
    }

    /** An item for socket {@code fd}, its entry queued on the socket's sk_wq. */
    private static Watch sockWatch(EventPoll ep, int fd, int events) {
        File file = file(fd);
        WaitQueueHead skWq = ((UnixStream.UnixSock) file.privateData).skWq;
        EpItem epi = new EpItem(ep, new EpollFileFd(file, fd), new EpollEvent(events, fd));
        EppollEntry pwq = new EppollEntry(epi, skWq);
        epi.pwqlist.add(pwq);
        skWq.addWaitQueue(pwq);
        return new Watch(ep, file, fd, skWq, epi, pwq);
    }

}
