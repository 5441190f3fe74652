package herd.epoll;

import static herd.course.kit.Epolls.mask;
import static herd.course.kit.Epolls.readyFds;
import static herd.course.kit.Epolls.recorder;
import static herd.course.kit.Io.eventfd;
import static herd.course.kit.Io.eventfdQueue;
import static herd.course.kit.Io.sendAll;
import static herd.course.kit.Io.signal;
import static herd.course.kit.Io.socketpair;
import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Syscalls.errno;
import static herd.course.kit.Tasks.exited;
import static herd.course.kit.WaitQueues.entriesOf;
import static herd.epoll.Epoll.EPOLLET;
import static herd.epoll.EpollTests.newEpoll;
import static herd.fs.Poll.EPOLLERR;
import static herd.fs.Poll.EPOLLHUP;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLOUT;
import static herd.fs.Poll.EPOLLPRI;
import static herd.fs.Poll.EPOLLRDNORM;
import static herd.sched.Task.TASK_NORMAL;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.Todo;
import herd.course.kit.Epolls.Call;
import herd.course.kit.Epolls;
import herd.fs.File;
import herd.fs.FileOperations;
import herd.fs.Poll;
import herd.fs.PollTable;
import herd.fs.Process;
import herd.net.UnixStream;
import herd.sched.DeterministicScheduler;
import herd.sched.Task;
import herd.wait.WaitEvent;
import herd.wait.WaitQueueEntry;
import herd.wait.WaitQueueHead;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * L02-E2: {@code ep_insert}, its queue procedure {@code ep_ptable_queue_proc}, and
 * {@code ep_item_poll}.
 *
 * <p>The tests call {@code EpollCtl.epInsert} as {@code do_epoll_ctl} does, with
 * {@code ep->mtx} held, on an epoll made by {@link EpollTests#newEpoll}, so that they reach
 * L02-E2 before any other exercise. (The kernel's {@code do_epoll_ctl} adds
 * {@code EPOLLERR|EPOLLHUP} to the mask before {@code ep_insert}; here the masks are given
 * as they reach {@code ep_insert}.) Wake-ups of the epoll's queues are seen through
 * hand-made entries whose wake functions record each call.
 */
@Tag("lesson02")
@Tag("L02-E2")
@DisplayName("L02-E2: ep_insert, ep_ptable_queue_proc, ep_item_poll")
class EpInsertTest {
    /** {@code ep_insert(ep, {events, data}, file, fd)} with {@code ep->mtx} held, as {@code do_epoll_ctl} calls it. */
    private static long insert(EventPoll ep, int events, long data, File file, int fd) {
        ep.mtx.lock();
        try {
            return EpollCtl.epInsert(ep, new EpollEvent(events, data), file, fd);
        } finally {
            ep.mtx.unlock();
        }
    }

    private static List<EpItem> fEp(File file) {
        List<EpItem> out = new ArrayList<>();
        file.fEp.entries().forEach(out::add);
        return out;
    }

    // ---- the entry on the watched file's queue ------------------------------------------------

    @Test
    @DisplayName("ep_insert queues one non-exclusive entry, with no task, at the HEAD of the file's wait queue")
    void oneEntryAtTheHeadOfTheFilesQueue() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            int efd = eventfd();
            File file = file(efd);
            WaitQueueHead wqh = eventfdQueue(file);
            List<Call> calls = new CopyOnWriteArrayList<>();
            WaitQueueEntry there = recorder("poller already on eventfd.wqh", ep, calls);
            wqh.addWaitQueue(there);

            long ret = insert(ep, EPOLLIN, 42, file, efd);

            assertThat(errno(ret)).as("ep_insert of an eventfd with a free watch: 0").isEqualTo("0");
            List<WaitQueueEntry> queue = entriesOf(wqh);
            assertThat(queue).as("eventfd_poll offers its one queue, eventfd.wqh: ep_ptable_queue_proc must put "
                    + "exactly one entry on it, next to the one that was there (queue now: %s)", queue).hasSize(2);
            assertThat(queue.get(0))
                    .as("add_wait_queue links at the HEAD: the epoll entry must come before the entry that was "
                            + "already on the queue (queue, head first: %s)", queue)
                    .isInstanceOf(EppollEntry.class);
            assertThat(queue.get(1)).as("the entry that was there is still there, behind it").isSameAs(there);
            EppollEntry pwq = (EppollEntry) queue.get(0);
            assertThat(pwq.isExclusive())
                    .as("an item without EPOLLEXCLUSIVE gets a non-exclusive entry (add_wait_queue clears "
                            + "WQ_FLAG_EXCLUSIVE), so that every epoll watching the file hears every wake-up")
                    .isFalse();
            assertThat(pwq.task).as("the entry's private (task) is NULL: it wakes nobody directly, its function "
                    + "ep_poll_callback does the work").isNull();
            assertThat(pwq.whead()).as("pwq->whead remembers the queue the entry is on (ep_remove takes it off "
                    + "there)").isSameAs(wqh);
            assertThat(ep.items()).as("the new item is in the epoll's tree").hasSize(1);
            EpItem epi = ep.items().get(0);
            assertThat(pwq.base).as("pwq->base is the new item").isSameAs(epi);
            assertThat(epi.pwqlist()).as("the item's pwqlist holds its one entry").containsExactly(pwq);
            assertThat(calls).as("queueing the entry wakes nobody on the file's queue").isEmpty();
        });
    }

    @Test
    @DisplayName("the entry's function is ep_poll_callback: a wake-up of the file's queue puts the item on the ready list")
    void theEntryFunctionIsTheEpollCallback() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            int efd = eventfd();
            File file = file(efd);
            assertThat(errno(insert(ep, EPOLLIN, 42, file, efd))).as("ep_insert").isEqualTo("0");
            assertThat(ep.readyList()).as("the eventfd's count is 0, nothing to read: not ready yet").isEmpty();

            int woken;
            try {
                woken = eventfdQueue(file).wakeUpPoll(EPOLLIN);
            } catch (Todo.NotDone notDone) {
                // ep_poll_callback is L02-E3's: reaching its stub proves the entry calls it.
                assertThat(notDone.id()).as("the exercise whose stub the wake-up reached: the entry's wake function "
                        + "must be ep_poll_callback (EpPollCallback::epPollCallback)").hasToString("L02-E3");
                return;
            }

            assertThat(ep.readyList())
                    .as("after wake_up_poll(eventfd.wqh, EPOLLIN) the item must be on the ready list: the entry's "
                            + "wake function must be ep_poll_callback (EpPollCallback::epPollCallback)")
                    .containsExactlyElementsOf(ep.items());
            assertThat(woken).as("the entry is not exclusive, so it spends no exclusive wake-up").isZero();
        });
    }

    @Test
    @DisplayName("the item is in the tree, on the file's f_ep list, and counted in the user's epoll_watches")
    void theItemIsLinkedEverywhere() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            int efd = eventfd();
            File file = file(efd);
            long before = ep.user.epollWatches.get();

            assertThat(errno(insert(ep, EPOLLIN | EPOLLET, 42, file, efd))).as("ep_insert").isEqualTo("0");

            assertThat(ep.items()).as("ep_insert puts exactly one item in the tree (ep_rbtree_insert)").hasSize(1);
            EpItem epi = ep.items().get(0);
            assertThat(epi.ffd).as("the item's key is (file, fd) as given").isEqualTo(new EpollFileFd(file, efd));
            assertThat(epi.ep).as("epi->ep").isSameAs(ep);
            assertThat(epi.event.events).as("the item's mask, flags included, as given").isEqualTo(EPOLLIN | EPOLLET);
            assertThat(epi.event.data).as("the item's data, as given").isEqualTo(42);
            assertThat(fEp(file))
                    .as("the item is on the watched file's f_ep list (so that closing the file removes it from "
                            + "every epoll, eventpoll_release)").containsExactly(epi);
            assertThat(ep.user.epollWatches.get())
                    .as("user->epoll_watches counts one more watch (it was %d)", before).isEqualTo(before + 1);
            assertThat(Process.current().user.epollWatches.get())
                    .as("the count is the user's, the one of the calling process").isEqualTo(before + 1);

            int efd2 = eventfd();
            assertThat(errno(insert(ep, EPOLLIN, 43, file(efd2), efd2))).as("a second ep_insert").isEqualTo("0");
            assertThat(ep.user.epollWatches.get()).as("two watches counted").isEqualTo(before + 2);
            assertThat(ep.items()).as("two items in the tree").hasSize(2);
            assertThat(fEp(file)).as("the second item is on the second file's f_ep, not the first's")
                    .containsExactly(epi);
        });
    }

    // ---- a file that is ready already ---------------------------------------------------------

    @Test
    @DisplayName("a file ready at insert goes straight to the ready list and wakes ONE epoll_wait sleeper (wake_up, no key)")
    void aReadyFileIsQueuedAndWakesOneSleeper() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            List<Call> calls = new CopyOnWriteArrayList<>();
            ep.wq.addWaitQueueExclusive(recorder("first sleeper", ep, calls));
            ep.wq.addWaitQueueExclusive(recorder("second sleeper", ep, calls));
            int efd = eventfd();
            signal(efd, 1);

            assertThat(errno(insert(ep, EPOLLIN, 42, file(efd), efd))).as("ep_insert").isEqualTo("0");

            assertThat(readyFds(ep))
                    .as("the eventfd's count is 1, so ep_item_poll reports EPOLLIN: the item goes to the ready list "
                            + "at once, no wake-up of the file needed").containsExactly(efd);
            assertThat(calls.stream().map(c -> c.who() + ", mode " + c.mode() + ", key " + c.key()).toList())
                    .as("ep_insert wakes ep->wq with wake_up(): TASK_NORMAL, no key, and only the first of the two "
                            + "exclusive sleepers (one exclusive wake-up)")
                    .containsExactly("first sleeper, mode " + TASK_NORMAL + ", key 0");
        });
    }

    @Test
    @DisplayName("a file not ready at insert: not on the ready list, nobody woken")
    void aFileNotReadyIsNotQueued() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            List<Call> calls = new CopyOnWriteArrayList<>();
            ep.wq.addWaitQueueExclusive(recorder("epoll_wait sleeper", ep, calls));
            ep.pollWait.addWaitQueue(recorder("poller of the epoll", ep, calls));
            int efd = eventfd();

            assertThat(errno(insert(ep, EPOLLIN, 42, file(efd), efd))).as("ep_insert").isEqualTo("0");

            assertThat(ep.readyList()).as("an eventfd with count 0 has nothing to read: an EPOLLIN item is not "
                    + "ready").isEmpty();
            assertThat(calls).as("nothing is ready, so neither ep->wq nor ep->poll_wait is woken").isEmpty();

            int efd2 = eventfd();
            signal(efd2, 1);
            assertThat(errno(insert(ep, EPOLLOUT, 43, file(efd2), efd2))).as("ep_insert").isEqualTo("0");
            assertThat(ep.readyList())
                    .as("an item interested in EPOLLOUT only, on an eventfd with data to read (and room to write): "
                            + "ready, for EPOLLOUT").hasSize(1);
        });
    }

    @Test
    @DisplayName("ready items go on the ready list in the order they were inserted (tail)")
    void readyItemsQueueInInsertionOrder() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            int a = eventfd(1);
            int b = eventfd(1);
            int idle = eventfd(0);
            int c = eventfd(1);

            for (int fd : new int[] {c, a, idle, b}) {
                assertThat(errno(insert(ep, EPOLLIN, fd, file(fd), fd))).as("ep_insert of fd %d", fd)
                        .isEqualTo("0");
            }

            assertThat(readyFds(ep))
                    .as("inserting ready fds %d, %d, %d (and %d, not ready) in that order: each is added at the "
                            + "TAIL of rdllist", c, a, b, idle)
                    .containsExactly(c, a, b);
        });
    }

    @Test
    @DisplayName("a ready file wakes a real task sleeping on ep->wq; a file that is not ready does not")
    void aRealSleeperIsWoken() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            AtomicReference<EventPoll> epRef = new AtomicReference<>();
            Process p = new Process(sched, "test");
            Task sleeper = p.spawn("sleeper", () -> {
                EventPoll ep = Epolls.ep(newEpoll());
                epRef.set(ep);
                assertThat(eventfd()).isEqualTo(4);
                assertThat(eventfd()).isEqualTo(5);
                signal(5, 1);
                WaitEvent.waitEventInterruptibleExclusive(ep.wq, () -> !ep.readyList().isEmpty());
            });
            sched.runUntilIdle();
            assertThat(exited(sleeper)).as("test setup: the sleeper sleeps on ep->wq").isFalse();
            EventPoll ep = epRef.get();

            p.spawn("idle insert", () -> assertThat(errno(insert(ep, EPOLLIN, 4, file(4), 4))).isEqualTo("0"));
            sched.runUntilIdle();
            assertThat(exited(sleeper)).as("after ep_insert of an eventfd with nothing to read, the task on "
                    + "ep->wq must still sleep").isFalse();

            p.spawn("ready insert", () -> assertThat(errno(insert(ep, EPOLLIN, 5, file(5), 5))).isEqualTo("0"));
            sched.runUntilIdle();
            assertThat(exited(sleeper)).as("after ep_insert of an eventfd with data, the task on ep->wq must "
                    + "have been woken (and found the ready list non-empty)").isTrue();
            sched.run();
        }
    }

    @Test
    @DisplayName("ep_poll_safewake: pollers of the epoll (ep->poll_wait) are woken with EPOLLIN, after ep->lock is released")
    void pollersOfTheEpollAreWoken() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            List<Call> calls = new CopyOnWriteArrayList<>();
            ep.pollWait.addWaitQueue(recorder("poller", ep, calls));
            int efd = eventfd(1);

            assertThat(errno(insert(ep, EPOLLIN, 42, file(efd), efd))).as("ep_insert").isEqualTo("0");

            assertThat(calls)
                    .as("a ready item makes the epoll file readable: ep_insert must wake ep->poll_wait once with "
                            + "wake_up_poll(EPOLLIN), after releasing ep->lock (the poller may be another epoll "
                            + "whose callback takes its own locks)")
                    .containsExactly(new Call("poller", TASK_NORMAL, EPOLLIN, false));
        });
    }

    // ---- ENOSPC ---------------------------------------------------------------------------------

    @Test
    @DisplayName("ENOSPC when the user's epoll_watches reached max_user_watches, and nothing changes")
    void enospcAtTheWatchLimit() {
        long saved = EpollCtl.maxUserWatches;
        try {
            EpollCtl.maxUserWatches = 1;
            inProcess(() -> {
                EventPoll ep = Epolls.ep(newEpoll());
                List<Call> calls = new CopyOnWriteArrayList<>();
                int first = eventfd();
                assertThat(errno(insert(ep, EPOLLIN, 1, file(first), first)))
                        .as("ep_insert with 0 watches and max_user_watches 1").isEqualTo("0");
                ep.wq.addWaitQueueExclusive(recorder("epoll_wait sleeper", ep, calls));
                List<EpItem> items = ep.items();
                int second = eventfd(1);
                File file = file(second);

                assertThat(errno(insert(ep, EPOLLIN, 2, file, second)))
                        .as("ep_insert with 1 watch and max_user_watches 1: the count has reached the limit "
                                + "(>=), so ENOSPC").isEqualTo("ENOSPC");

                assertThat(ep.user.epollWatches.get()).as("a failed ep_insert counts no watch").isEqualTo(1);
                assertThat(ep.items()).as("a failed ep_insert adds no item to the tree")
                        .containsExactlyElementsOf(items);
                assertThat(entriesOf(eventfdQueue(file))).as("a failed ep_insert queues no entry on the file's queue")
                        .isEmpty();
                assertThat(fEp(file)).as("a failed ep_insert leaves the file's f_ep list empty").isEmpty();
                assertThat(ep.readyList()).as("the refused file is ready, but it must not reach the ready list")
                        .isEmpty();
                assertThat(calls).as("a failed ep_insert wakes nobody").isEmpty();

                EpollCtl.maxUserWatches = 2;
                assertThat(errno(insert(ep, EPOLLIN, 2, file, second)))
                        .as("the same ep_insert with max_user_watches 2: 1 watch is below the limit").isEqualTo("0");
                assertThat(ep.user.epollWatches.get()).as("two watches now").isEqualTo(2);
            });
        } finally {
            EpollCtl.maxUserWatches = saved;
        }
    }

    // ---- ep_item_poll and the poll table's key ------------------------------------------------

    @ParameterizedTest(name = "[{index}] count {0}, item {1}: {2}")
    @CsvSource(delimiter = ';', textBlock = """
            # count ; item's events  ; expected ; the rule
            0       ; IN             ; 0        ; nothing to read: the eventfd reports OUT only, the item wants IN
            0       ; OUT            ; OUT      ; room to write
            0       ; IN|OUT         ; OUT      ; only what the file reports
            1       ; IN             ; IN       ; data to read; OUT is reported by the file but masked off
            1       ; IN|OUT|ERR|HUP ; IN|OUT   ; the file's events, as many as the item wants
            1       ; IN|ET|ONESHOT  ; IN       ; the flags are in the mask but no file reports them
            1       ; ONESHOT        ; 0        ; a disabled item (one-shot, delivered) wants no event
            1       ; RDNORM|PRI     ; 0        ; an eventfd reports IN, not RDNORM or PRI: bits are compared as they are
            """)
    @DisplayName("ep_item_poll: the file's events masked by the item's events; pt->key is set to the item's events")
    void epItemPollMasksTheFilesEvents(int count, String itemEvents, String expected, String rule) {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            int efd = eventfd(count);
            File file = file(efd);
            int events = mask(itemEvents);
            EpItem epi = new EpItem(ep, new EpollFileFd(file, efd), new EpollEvent(events, 0));
            PollTable pt = new PollTable(null);

            int res = EventPoll.epItemPoll(epi, pt, 1);

            assertThat(Epoll.names(res))
                    .as("ep_item_poll of an item interested in %s on an eventfd with count %d: %s", itemEvents, count,
                            rule)
                    .isEqualTo(Epoll.names(mask(expected)));
            assertThat(Epoll.names(pt.key))
                    .as("ep_item_poll sets pt->_key to the item's events (flags included) before polling")
                    .isEqualTo(Epoll.names(events));
            assertThat(entriesOf(eventfdQueue(file))).as("a poll table without a queue procedure queues nothing")
                    .isEmpty();
        });
    }

    @Test
    @DisplayName("ep_item_poll: the file's poll sees the item's events as pt->_key (poll_requested_events)")
    void theFilesPollSeesTheKey() {
        List<Integer> keysSeen = new ArrayList<>();
        List<PollTable> tablesSeen = new ArrayList<>();
        FileOperations probe = (file, pt) -> {
            keysSeen.add(PollTable.pollRequestedEvents(pt));
            tablesSeen.add(pt);
            return EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDNORM;
        };
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            File file = new File("probe", probe, null, 0);
            EpItem epi = new EpItem(ep, new EpollFileFd(file, 9), new EpollEvent(EPOLLIN | EPOLLET, 0));
            PollTable pt = new PollTable(null);

            int res = EventPoll.epItemPoll(epi, pt, 1);

            assertThat(tablesSeen).as("ep_item_poll calls the file's poll once (vfs_poll), with the caller's table")
                    .containsExactly(pt);
            assertThat(keysSeen.stream().map(Epoll::names).toList())
                    .as("the file's poll must see poll_requested_events() == the item's events: set pt->_key "
                            + "BEFORE calling vfs_poll")
                    .containsExactly(Epoll.names(EPOLLIN | EPOLLET));
            assertThat(Epoll.names(res)).as("IN|OUT|PRI|RDNORM reported, the item wants IN").isEqualTo("EPOLLIN");
        });
    }

    @Test
    @DisplayName("a socket: one entry on its sk_wq; not ready for an EPOLLIN item without data, ready with data or for EPOLLOUT")
    void aSocketPolledThroughTheItemsKey() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            int[] sv = socketpair();
            File a = file(sv[0]);
            WaitQueueHead skWq = ((UnixStream.UnixSock) a.privateData).skWq;

            assertThat(errno(insert(ep, EPOLLIN, sv[0], a, sv[0]))).as("ep_insert of socket %d", sv[0])
                    .isEqualTo("0");
            assertThat(entriesOf(skWq)).as("unix_poll offers the socket's one queue, sk_wq: one epoll entry on it")
                    .hasSize(1).allMatch(e -> e instanceof EppollEntry);
            assertThat(ep.readyList())
                    .as("an item interested in EPOLLIN on a socket with nothing to read is not ready; the socket is "
                            + "writable, but polled with the item's key (EPOLLIN only) unix_poll does not even "
                            + "report EPOLLOUT").isEmpty();
            EpItem epi = ep.items().get(0);
            PollTable pt = new PollTable(null);
            assertThat(EventPoll.epItemPoll(epi, pt, 1)).as("ep_item_poll of that item").isZero();

            assertThat(errno(insert(ep, EPOLLOUT, sv[1], file(sv[1]), sv[1]))).as("ep_insert of socket %d", sv[1])
                    .isEqualTo("0");
            assertThat(readyFds(ep)).as("an item interested in EPOLLOUT on a socket: always writable in the model, "
                    + "ready at once").containsExactly(sv[1]);

            // Unhook the item's entry first: the wake-up it would get is ep_poll_callback's (L02-E3);
            // this test is about what ep_item_poll reports through the item's key.
            entriesOf(skWq).forEach(skWq::removeWaitQueue);
            sendAll(sv[1], "ping");
            assertThat(Poll.names("EPOLL", EventPoll.epItemPoll(epi, pt, 1)))
                    .as("ep_item_poll of the EPOLLIN item once 4 bytes wait on socket %d", sv[0])
                    .isEqualTo("EPOLLIN");
        });
    }

}
