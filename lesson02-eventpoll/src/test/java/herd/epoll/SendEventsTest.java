package herd.epoll;

import static herd.course.kit.Epolls.data;
import static herd.course.kit.Epolls.readyFds;
import static herd.course.kit.Epolls.slots;
import static herd.course.kit.Io.drain;
import static herd.course.kit.Io.eventfd;
import static herd.course.kit.Io.sendAll;
import static herd.course.kit.Io.signal;
import static herd.course.kit.Io.socketpair;
import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static herd.epoll.Epoll.EPOLLET;
import static herd.epoll.Epoll.EPOLLONESHOT;
import static herd.epoll.EpollTests.add;
import static herd.epoll.EpollTests.newEpoll;
import static herd.fs.Poll.EPOLLERR;
import static herd.fs.Poll.EPOLLHUP;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLOUT;
import static herd.fs.Poll.EPOLLRDNORM;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Epolls;
import herd.fs.PollTable;
import herd.fs.Vfs;
import herd.list.ListHead;
import herd.wait.WaitQueueEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * L02-E4, {@code ep_send_events} and the scan around it ({@code ep_start_scan},
 * {@code ep_done_scan}): which items are delivered, with what, and where each item is
 * afterwards.
 *
 * <p>The first tests build the epoll with {@link EpollTests#newEpoll} and its items by
 * hand (an {@link EpItem} linked to the ready list, or also an {@link EppollEntry} on the
 * watched file's queue), and call {@code ep_send_events} or the scan directly: they
 * need only L02-E4 (and, for the re-poll, L02-E2's {@code ep_item_poll}). The later ones
 * go through {@code epoll_ctl} and {@code epoll_wait}, so they need the other exercises
 * of the lesson too.
 */
@Tag("lesson02")
@Tag("L02-E4")
@DisplayName("L02-E4: ep_send_events and the scan")
class SendEventsTest {

    // ---- items by hand ---------------------------------------------------------------------

    /** An item of {@code ep} for {@code fd}, as ep_insert makes it, on no list and on no wait queue. */
    private static EpItem item(EventPoll ep, int fd, int events, long data) {
        return new EpItem(ep, new EpollFileFd(file(fd), fd), new EpollEvent(events, data));
    }

    /** An item of {@code ep} for {@code fd}, linked by hand at the tail of the ready list. */
    private static EpItem queued(EventPoll ep, int fd, int events, long data) {
        EpItem epi = item(ep, fd, events, data);
        ep.rdllist.addTail(epi.rdllink);
        return epi;
    }

    /** A new eventfd with count 1 (readable), its LT item linked by hand at the tail of the ready list. */
    private static EpItem queuedReadable(EventPoll ep, long data) {
        int efd = eventfd();
        signal(efd, 1);
        return queued(ep, efd, EPOLLIN, data);
    }

    /** A new eventfd with count 0 (not readable), its LT item linked by hand at the tail of the ready list. */
    private static EpItem queuedStale(EventPoll ep, long data) {
        return queued(ep, eventfd(), EPOLLIN, data);
    }

    /**
     * An item of {@code ep} for {@code fd} whose {@code ep_poll_callback} entry is on the
     * file's wait queues, as ep_insert's queue procedure leaves it; not on the ready list.
     */
    private static EpItem watched(EventPoll ep, int fd, int events, long data) {
        EpItem epi = item(ep, fd, events, data);
        PollTable pt = new PollTable((f, whead, table) -> {
            EppollEntry pwq = new EppollEntry(epi, whead);
            whead.addWaitQueue(pwq);
            epi.pwqlist.add(pwq);
        });
        PollTable.vfsPoll(epi.ffd.file(), pt);
        return epi;
    }

    /** The data of the items of a list, first to last. */
    private static List<Long> dataOf(ListHead<EpItem> list) {
        List<Long> out = new ArrayList<>();
        list.entries().forEach(epi -> out.add(epi.event.data));
        return out;
    }

    /** The data of the items on the ready list, first to last. */
    private static List<Long> readyData(EventPoll ep) {
        return ep.readyList().stream().map(epi -> epi.event.data).toList();
    }

    /** The data of the items on the overflow chain, newest first. */
    private static List<Long> chainData(EventPoll ep) {
        return ep.overflowChain().stream().map(epi -> epi.event.data).toList();
    }

    /** True while {@code fd} polls readable. */
    private static boolean readable(int fd) {
        return (PollTable.vfsPoll(file(fd), null) & EPOLLIN) != 0;
    }

    // ---- ep_send_events called directly --------------------------------------------------------

    @Test
    @DisplayName("ep_send_events re-polls each item first: one whose file is no longer ready is dropped, neither delivered nor re-queued")
    void itemNoLongerReadyIsDropped() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            EpItem stale = queuedStale(ep, 1);
            EpItem ready = queuedReadable(ep, 2);
            EpollEvent[] events = slots(4);

            long res = EpollWait.epSendEvents(ep, events, 4);

            assertThat(res).as("ep_send_events over [item on an eventfd with count 0, item on a readable eventfd]")
                    .isEqualTo(1);
            assertThat(data(events, 1)).as("data delivered: only the item whose re-poll says ready")
                    .containsExactly(2L);
            assertThat(events[0].events).as("events delivered for the readable eventfd").isEqualTo(EPOLLIN);
            assertThat(events[1].data).as("the second slot is untouched").isZero();
            assertThat(EventPoll.epIsLinked(stale))
                    .as("the item whose file is not ready is on no list any more (a later wake-up queues it again)")
                    .isFalse();
            assertThat(readyData(ep)).as("the ready list afterwards: the delivered level-triggered item only")
                    .containsExactly(2L);
            assertThat(EventPoll.epIsLinked(ready)).as("the delivered LT item is linked").isTrue();
            assertThat(ep.scanning()).as("the scan is over (ovflist is EP_UNACTIVE_PTR again)").isFalse();
        });
    }

    @Test
    @DisplayName("a level-triggered item is re-queued at the TAIL of the ready list, behind the items not reached")
    void levelTriggeredItemGoesToTheTail() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            queuedReadable(ep, 1);
            queuedReadable(ep, 2);
            EpollEvent[] events = slots(1);

            assertThat(EpollWait.epSendEvents(ep, events, 1)).as("ep_send_events(maxevents 1) over [A, B]")
                    .isEqualTo(1);
            assertThat(events[0].data).as("the item delivered: the first on the ready list").isEqualTo(1);
            assertThat(readyData(ep)).as("the ready list afterwards: B, which was not reached, in front; A, "
                    + "re-queued at the tail after delivery").containsExactly(2L, 1L);
        });
    }

    @Test
    @DisplayName("maxevents below the ready count rotates fairly: [1,2], then [3,1], then [2,3]")
    void maxeventsRotatesTheReadyList() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            for (int i = 1; i <= 3; i++) {
                queuedReadable(ep, i);
            }
            List<List<Long>> delivered = new ArrayList<>();
            List<List<Long>> after = new ArrayList<>();
            for (int call = 0; call < 3; call++) {
                EpollEvent[] events = slots(2);
                long n = EpollWait.epSendEvents(ep, events, 2);
                delivered.add(data(events, n));
                after.add(readyData(ep));
            }
            assertThat(delivered).as("data delivered by three ep_send_events(maxevents 2) over three ready LT "
                    + "items [1, 2, 3]: each call takes the first two; ep_done_scan puts the one not reached in "
                    + "front of the two re-queued at the tail")
                    .containsExactly(List.of(1L, 2L), List.of(3L, 1L), List.of(2L, 3L));
            assertThat(after).as("the ready list after each call")
                    .containsExactly(List.of(3L, 1L, 2L), List.of(2L, 3L, 1L), List.of(1L, 2L, 3L));
        });
    }

    @Test
    @DisplayName("a slot that cannot be written: -EFAULT when nothing was delivered yet, and the item stays on the ready list")
    void nullSlotFirstIsEfault() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            EpItem stale = queuedStale(ep, 1);
            EpItem epi = queuedReadable(ep, 2);
            EpollEvent[] events = new EpollEvent[1];

            long res = EpollWait.epSendEvents(ep, events, 1);

            assertThat(errno(res)).as("ep_send_events with events[0] == null and a ready item").isEqualTo("EFAULT");
            assertThat(readyData(ep)).as("the ready list afterwards: the item that could not be copied is put back "
                    + "(the stale one in front of it was dropped by its re-poll before any copy)")
                    .containsExactly(2L);
            assertThat(EventPoll.epIsLinked(stale)).as("the stale item is on no list").isFalse();
            assertThat(EventPoll.epIsLinked(epi)).as("the item that faulted is on the ready list").isTrue();
        });
    }

    @Test
    @DisplayName("a slot that cannot be written after one delivery: the count so far, and the rest stays ready")
    void nullSlotAfterOneDeliveryReturnsTheCount() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            queuedReadable(ep, 1);
            queuedReadable(ep, 2);
            EpollEvent[] events = {new EpollEvent(), null};

            long res = EpollWait.epSendEvents(ep, events, 2);

            assertThat(errno(res)).as("ep_send_events with events[1] == null and two ready items").isEqualTo("1");
            assertThat(events[0].data).as("the item delivered in slot 0").isEqualTo(1);
            assertThat(readyData(ep)).as("the ready list afterwards: B, put back at the head of the batch when its "
                    + "copy failed, then A, re-queued at the tail after its delivery").containsExactly(2L, 1L);
        });
    }

    @Test
    @DisplayName("only an item that is not ready and a null slot: 0, not -EFAULT (the re-poll comes before the copy)")
    void nullSlotNeverReachedIsNoFault() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            queued(ep, eventfd(), EPOLLIN, 1);
            assertThat(errno(EpollWait.epSendEvents(ep, new EpollEvent[1], 1)))
                    .as("ep_send_events over one stale item with events[0] == null").isEqualTo("0");
            assertThat(readyData(ep)).as("the ready list afterwards").isEmpty();
        });
    }

    // ---- the scan by hand ----------------------------------------------------------------------

    @Test
    @DisplayName("ep_start_scan takes the whole ready list and starts ovflist; ep_done_scan puts the batch back in front")
    void startScanTakesTheReadyList() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            queued(ep, eventfd(), EPOLLIN, 1);
            queued(ep, eventfd(), EPOLLIN, 2);
            ListHead<EpItem> txlist = new ListHead<>();
            ep.mtx.lock();
            try {
                ep.epStartScan(txlist);
                assertThat(dataOf(txlist)).as("the batch after ep_start_scan: the whole ready list, in order")
                        .containsExactly(1L, 2L);
                assertThat(readyData(ep)).as("the ready list during the scan").isEmpty();
                assertThat(ep.scanning()).as("a scan runs: ovflist is NULL, not EP_UNACTIVE_PTR").isTrue();
                assertThat(ep.ovflist).as("ovflist at the start of a scan: NULL, an empty chain").isNull();
                ep.epDoneScan(txlist);
            } finally {
                ep.mtx.unlock();
            }
            assertThat(readyData(ep)).as("the ready list after ep_done_scan: the unprocessed batch, back in order")
                    .containsExactly(1L, 2L);
            assertThat(txlist.isEmpty()).as("the batch is empty after ep_done_scan").isTrue();
            assertThat(ep.ovflist).as("ovflist after the scan").isSameAs(EventPoll.EP_UNACTIVE_PTR);
        });
    }

    @Test
    @DisplayName("items that fire during a scan go to ovflist (newest first) and come back in arrival order, after the batch")
    void itemsFiringDuringAScanComeBackInArrivalOrder() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            int efdX = eventfd();
            int efdA = eventfd();
            int efdB = eventfd();
            EpItem x = watched(ep, efdX, EPOLLIN, 'X');
            EpItem a = watched(ep, efdA, EPOLLIN, 'A');
            EpItem b = watched(ep, efdB, EPOLLIN, 'B');
            ep.rdllist.addTail(x.rdllink);
            ListHead<EpItem> txlist = new ListHead<>();
            ep.mtx.lock();
            try {
                ep.epStartScan(txlist);
                signal(efdA, 1);
                signal(efdB, 1);
                assertThat(chainData(ep)).as("ovflist after A then B fired during the scan: a LIFO chain, newest "
                        + "first").containsExactly((long) 'B', (long) 'A');
                assertThat(readyData(ep)).as("the ready list during the scan: callbacks do not touch it").isEmpty();
                ep.epDoneScan(txlist);
            } finally {
                ep.mtx.unlock();
            }
            assertThat(readyData(ep)).as("the ready list after ep_done_scan: the batch left over (X) in front, then "
                    + "the items of ovflist in the order they fired (A, B)")
                    .containsExactly((long) 'X', (long) 'A', (long) 'B');
            assertThat(List.of(x.next, a.next, b.next)).as("each item's next pointer after the scan")
                    .containsOnly(EventPoll.EP_UNACTIVE_PTR);
            assertThat(ep.scanning()).as("the scan is over").isFalse();
        });
    }

    @Test
    @DisplayName("the order after a scan: [batch not reached][fired during the scan, in arrival order][LT re-queued]; an item both in the batch and on ovflist is not moved")
    void orderAfterAScan() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            int efdX = eventfd();
            int efdY = eventfd();
            int efdA = eventfd();
            int efdB = eventfd();
            EpItem x = watched(ep, efdX, EPOLLIN, 'X');
            EpItem y = watched(ep, efdY, EPOLLIN, 'Y');
            watched(ep, efdA, EPOLLIN, 'A');
            watched(ep, efdB, EPOLLIN, 'B');
            ep.rdllist.addTail(x.rdllink);
            ep.rdllist.addTail(y.rdllink);
            ListHead<EpItem> txlist = new ListHead<>();
            ep.mtx.lock();
            try {
                ep.epStartScan(txlist);
                // What ep_send_events does with a delivered level-triggered item: off the batch, onto
                // the ready list's tail (no callback can touch rdllist while the scan runs).
                x.rdllink.delInit();
                ep.rdllist.addTail(x.rdllink);
                signal(efdB, 1);
                signal(efdY, 1);
                signal(efdA, 1);
                assertThat(chainData(ep)).as("ovflist after B, Y, A fired: Y is chained although still in the batch")
                        .containsExactly((long) 'A', (long) 'Y', (long) 'B');
                ep.epDoneScan(txlist);
            } finally {
                ep.mtx.unlock();
            }
            assertThat(readyData(ep)).as("the ready list after ep_done_scan: Y (batch, not reached) in front, then "
                    + "B and A in the order they fired, then X (re-queued at the tail during the scan); Y is skipped "
                    + "in the ovflist walk because it is linked (in the batch)")
                    .containsExactly((long) 'Y', (long) 'B', (long) 'A', (long) 'X');
        });
    }

    @Test
    @DisplayName("ep_done_scan wakes one epoll_wait sleeper when the ready list is not empty, and none when it is")
    void doneScanWakesASleeperWhenItemsAreReady() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            AtomicInteger wakes = new AtomicInteger();
            WaitQueueEntry sleeper = new WaitQueueEntry(null, (entry, mode, flags, key) -> {
                wakes.incrementAndGet();
                return 1;
            }, WaitQueueEntry.WQ_FLAG_EXCLUSIVE);
            ep.wq.head.add(sleeper.entry);
            ListHead<EpItem> txlist = new ListHead<>();
            ep.mtx.lock();
            try {
                ep.epStartScan(txlist);
                ep.epDoneScan(txlist);
                assertThat(wakes.get()).as("wake-ups of ep->wq by a scan that leaves the ready list empty").isZero();
                queued(ep, eventfd(), EPOLLIN, 1);
                ep.epStartScan(txlist);
                ep.epDoneScan(txlist);
                assertThat(wakes.get()).as("wake-ups of ep->wq by a scan that leaves one item on the ready list")
                        .isEqualTo(1);
            } finally {
                ep.mtx.unlock();
            }
        });
    }

    // ---- through epoll_ctl and epoll_wait ------------------------------------------------------

    @Test
    @DisplayName("an item on the ready list whose eventfd was drained is dropped by epoll_wait; the next write queues it again")
    void drainedItemIsDroppedUntilTheNextWrite() {
        inProcess(() -> {
            int epfd = newEpoll();
            EventPoll ep = Epolls.ep(epfd);
            int efd = eventfd();
            signal(efd, 1);
            add(epfd, efd, EPOLLIN, 1);
            assertThat(readyFds(ep)).as("the ready list after EPOLL_CTL_ADD of a readable eventfd")
                    .containsExactly(efd);
            assertThat(drain(efd)).as("read the eventfd back to 0").isEqualTo(1);
            assertThat(readyFds(ep)).as("the ready list after the read: the EPOLLOUT wake-up does not unqueue it")
                    .containsExactly(efd);
            assertThat(harvest(epfd, slots(1), 1)).as("ep_send_events: the re-poll finds nothing")
                    .isZero();
            assertThat(readyFds(ep)).as("the ready list after epoll_wait dropped the item").isEmpty();
            signal(efd, 1);
            assertThat(readyFds(ep)).as("the ready list after a new write").containsExactly(efd);
            assertThat(harvest(epfd, slots(1), 1)).as("ep_send_events after the new write").isEqualTo(1);
        });
    }

    @Test
    @DisplayName("the events delivered are what the file's poll reports NOW, masked by the item's events (EPOLLERR|EPOLLHUP always in)")
    void deliveredEventsAreTheCurrentPollMasked() {
        inProcess(() -> {
            int epfd = newEpoll();
            EventPoll ep = Epolls.ep(epfd);
            int[] sv = socketpair();
            int a = sv[0];
            int[] fds = {a, (int) check(Vfs.dup(a)), (int) check(Vfs.dup(a)), (int) check(Vfs.dup(a))};
            int[] masks = {EPOLLIN, EPOLLIN | EPOLLRDNORM, EPOLLIN | EPOLLOUT, EPOLLOUT};
            for (int i = 0; i < 4; i++) {
                add(epfd, fds[i], masks[i], i + 1);
            }
            EpollEvent[] events = slots(8);

            long n = harvest(epfd, events, 8);
            assertThat(delivered(events, n)).as("(data, events) delivered for a socket with no data: "
                    + "it is writable, so the items that want EPOLLOUT")
                    .containsExactly("3:" + Epoll.names(EPOLLOUT), "4:" + Epoll.names(EPOLLOUT));

            sendAll(sv[1], "hi");
            n = harvest(epfd, events, 8);
            assertThat(delivered(events, n)).as("(data, events) delivered once the peer sent data: the LT items "
                    + "3 and 4 first (re-queued), then 2 and 1 queued by the wake-up (it walks the socket's queue "
                    + "from the head, the newest entry first); each reports the poll of now masked by its own mask: "
                    + "item 3, queued for EPOLLOUT, now reports EPOLLIN|EPOLLOUT")
                    .containsExactly("3:" + Epoll.names(EPOLLIN | EPOLLOUT), "4:" + Epoll.names(EPOLLOUT),
                            "2:" + Epoll.names(EPOLLIN | EPOLLRDNORM), "1:" + Epoll.names(EPOLLIN));

            check(Vfs.close(sv[1]));
            n = harvest(epfd, events, 8);
            assertThat(delivered(events, n)).as("(data, events) delivered once the peer closed: EPOLLHUP is "
                    + "reported to every item, since epoll_ctl always adds EPOLLERR|EPOLLHUP to the mask")
                    .containsExactly("3:" + Epoll.names(EPOLLIN | EPOLLOUT | EPOLLHUP),
                            "4:" + Epoll.names(EPOLLOUT | EPOLLHUP),
                            "2:" + Epoll.names(EPOLLIN | EPOLLRDNORM | EPOLLHUP),
                            "1:" + Epoll.names(EPOLLIN | EPOLLHUP));
        });
    }

    /** {@code ep_send_events} on the epoll behind {@code epfd}, as epoll_wait with timeout 0 calls it. */
    private static long harvest(int epfd, EpollEvent[] events, int maxevents) {
        return EpollWait.epSendEvents(Epolls.ep(epfd), events, maxevents);
    }

    private static List<String> delivered(EpollEvent[] events, long n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(events[i].data + ":" + Epoll.names(events[i].events));
        }
        return out;
    }

    @Test
    @DisplayName("EPOLLET: delivered once and not re-queued; ep_send_events then returns 0 though the fd is readable; a new write queues it again")
    void edgeTriggeredItemIsNotRequeued() {
        inProcess(() -> {
            int epfd = newEpoll();
            EventPoll ep = Epolls.ep(epfd);
            int efd = eventfd();
            signal(efd, 1);
            add(epfd, efd, EPOLLIN | EPOLLET, 9);
            EpollEvent[] events = slots(1);
            assertThat(harvest(epfd, events, 1)).as("first ep_send_events on a readable EPOLLET eventfd")
                    .isEqualTo(1);
            assertThat(events[0].data).as("data delivered").isEqualTo(9);
            assertThat(readyFds(ep)).as("the ready list after delivering an EPOLLET item: not re-queued").isEmpty();
            assertThat(harvest(epfd, events, 1)).as("second ep_send_events, no new write").isZero();
            assertThat(readable(efd)).as("the eventfd is still readable (nobody read it)").isTrue();
            signal(efd, 1);
            assertThat(readyFds(ep)).as("the ready list after a new write: any wake-up queues an ET item again, "
                    + "though the fd was readable already").containsExactly(efd);
            assertThat(harvest(epfd, events, 1)).as("ep_send_events after the new write").isEqualTo(1);
            assertThat(readyFds(ep)).as("the ready list after that delivery").isEmpty();
        });
    }

    @Test
    @DisplayName("EPOLLONESHOT: delivered once, then disabled (only private bits left); EpollCtlTest shows MOD re-arming it")
    void oneShotItemIsDisabledAfterDelivery() {
        inProcess(() -> {
            int epfd = newEpoll();
            EventPoll ep = Epolls.ep(epfd);
            int efd = eventfd();
            signal(efd, 1);
            add(epfd, efd, EPOLLIN | EPOLLONESHOT, 5);
            EpItem epi = ep.items().get(0);
            EpollEvent[] events = slots(1);
            assertThat(harvest(epfd, events, 1)).as("ep_send_events on a readable EPOLLONESHOT eventfd")
                    .isEqualTo(1);
            assertThat(events[0].data).as("data delivered").isEqualTo(5);
            assertThat(Epoll.names(epi.event.events)).as("the item's mask after delivery: events &= EP_PRIVATE_BITS")
                    .isEqualTo(Epoll.names(EPOLLONESHOT));
            assertThat(readyFds(ep)).as("the ready list after delivering a one-shot item").isEmpty();
            signal(efd, 1);
            assertThat(readyFds(ep)).as("the ready list after another write: a disabled item is not queued")
                    .isEmpty();
            assertThat(harvest(epfd, events, 1)).as("ep_send_events while the item is disabled").isZero();
        });
    }
}
