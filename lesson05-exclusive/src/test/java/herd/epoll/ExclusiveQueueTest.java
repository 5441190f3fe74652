package herd.epoll;

import static herd.course.kit.Epolls.mask;
import static herd.course.kit.Epolls.queue;
import static herd.course.kit.Epolls.readyFds;
import static herd.course.kit.Epolls.recorder;
import static herd.course.kit.Io.eventfd;
import static herd.course.kit.Io.eventfdQueue;
import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Syscalls.check;
import static herd.epoll.Epoll.EPOLLEXCLUSIVE;
import static herd.epoll.EpollTests.add;
import static herd.epoll.EpollTests.newEpoll;
import static herd.epoll.ExclusiveTests.FD;
import static herd.fs.Poll.EPOLLERR;
import static herd.fs.Poll.EPOLLHUP;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLOUT;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Epolls.Call;
import herd.course.kit.Epolls;
import herd.epoll.ExclusiveTests.Server;
import herd.fs.PollFd;
import herd.fs.Select;
import herd.socket.SockaddrIn;
import herd.socket.SocketCalls;
import herd.wait.WaitQueueEntry;
import herd.wait.WaitQueueHead;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * L05-E1: {@code EPOLLEXCLUSIVE} in {@code ep_ptable_queue_proc}. An item added with the
 * flag puts its entry on the watched file's wait queue with {@code add_wait_queue_exclusive}:
 * {@code WQ_FLAG_EXCLUSIVE} set, at the TAIL. So the exclusive epolls line up behind every
 * non-exclusive waiter, in the order they registered, among the blocking acceptors that
 * came before and after them (kernel-spec 2.6, 1.2).
 *
 * <p>Items are added with {@code ep_insert} (as {@code epoll_ctl} does after its checks,
 * which are L05-E3), and nothing here has a thread in {@code epoll_wait} on an exclusive
 * epoll, so the callback's exclusive answer (L05-E2) is never asked for.
 */
@Tag("lesson05")
@Tag("L05-E1")
@DisplayName("L05-E1: EPOLLEXCLUSIVE entries go to the tail (ep_ptable_queue_proc)")
class ExclusiveQueueTest {
    /** The entries of the eventfd's queue, head first, named by their epolls. */
    private static List<String> eventfdQueueOf(int efd, Map<EventPoll, String> names) {
        return queue(eventfdQueue(file(efd)), names);
    }

    @Test
    @DisplayName("exclusive entries go to the TAIL in registration order, behind every non-exclusive entry "
            + "(which go to the head, newest first)")
    void exclusiveAtTheTailInRegistrationOrder() {
        inProcess(() -> {
            int efd = eventfd();
            Map<EventPoll, String> names = new HashMap<>();
            String[] order = {"plain1", "excl1", "plain2", "excl2", "excl3", "plain3"};
            for (String name : order) {
                int epfd = newEpoll();
                names.put(Epolls.ep(epfd), name);
                add(epfd, efd, name.startsWith("excl") ? EPOLLIN | EPOLLEXCLUSIVE : EPOLLIN, 0);
            }

            assertThat(eventfdQueueOf(efd, names))
                    .as("eventfd.wqh head first after ADDs by plain1, excl1, plain2, excl2, excl3, plain3: a plain item "
                            + "uses add_wait_queue (HEAD, so the newest plain one is first), an EPOLLEXCLUSIVE item uses "
                            + "add_wait_queue_exclusive (TAIL, so the exclusive ones keep their registration order, "
                            + "behind all plain ones)")
                    .containsExactly("plain3", "plain2", "plain1", "excl1 excl", "excl2 excl", "excl3 excl");
        });
    }

    @Test
    @DisplayName("the entry is an ordinary epoll entry (no task, ep_poll_callback, whead, pwqlist) with WQ_FLAG_EXCLUSIVE; "
            + "it goes behind an exclusive entry already there (tail, not __add_wait_queue_exclusive's head)")
    void theEntryIsExclusiveAndBehindTheExclusiveOnesAlreadyThere() {
        inProcess(() -> {
            int efd = eventfd();
            WaitQueueHead wqh = eventfdQueue(file(efd));
            int epfd = newEpoll();
            EventPoll ep = Epolls.ep(epfd);
            List<Call> calls = new CopyOnWriteArrayList<>();
            WaitQueueEntry before = recorder("exclusive waiter already queued", ep, calls);
            wqh.addWaitQueueExclusive(before);

            add(epfd, efd, EPOLLIN | EPOLLEXCLUSIVE, 7);

            List<WaitQueueEntry> entries = new java.util.ArrayList<>();
            wqh.head.entries().forEach(entries::add);
            assertThat(entries).as("eventfd.wqh: the waiter that was there and ONE new entry for the item")
                    .hasSize(2);
            assertThat(entries.get(0))
                    .as("add_wait_queue_exclusive links at the TAIL: the exclusive waiter that was already queued stays "
                            + "first. (__add_wait_queue_exclusive, which ep_poll uses for ep->wq, links at the HEAD: "
                            + "the wrong one here)")
                    .isSameAs(before);
            assertThat(entries.get(1)).as("the item's entry, last").isInstanceOf(EppollEntry.class);
            EppollEntry pwq = (EppollEntry) entries.get(1);
            assertThat(pwq.isExclusive()).as("an EPOLLEXCLUSIVE item's entry has WQ_FLAG_EXCLUSIVE: "
                    + "__wake_up_common counts it against nr_exclusive").isTrue();
            assertThat(pwq.flags).as("flags of the entry: WQ_FLAG_EXCLUSIVE and nothing else")
                    .isEqualTo(WaitQueueEntry.WQ_FLAG_EXCLUSIVE);
            assertThat(pwq.task).as("the entry wakes no task directly: private is NULL, ep_poll_callback does the work")
                    .isNull();
            assertThat(pwq.whead()).as("pwq->whead is the queue the entry is on").isSameAs(wqh);
            EpItem epi = ep.items().get(0);
            assertThat(pwq.base).as("pwq->base is the item").isSameAs(epi);
            assertThat(epi.pwqlist()).as("the item's pwqlist holds its one entry").containsExactly(pwq);
            assertThat(epi.event.events).as("the item keeps EPOLLEXCLUSIVE in its mask (ep_poll_callback looks at it)")
                    .isEqualTo(EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLEXCLUSIVE);
            assertThat(calls).as("queueing an entry wakes nobody").isEmpty();
        });
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({"IN|EXCLUSIVE", "OUT|EXCLUSIVE", "IN|OUT|EXCLUSIVE", "IN|ET|EXCLUSIVE", "ERR|HUP|EXCLUSIVE"})
    @DisplayName("whatever the other bits, an item with EPOLLEXCLUSIVE gets an exclusive entry at the tail")
    void anyExclusiveMaskGoesToTheTail(String events) {
        inProcess(() -> {
            int efd = eventfd();
            Map<EventPoll, String> names = new HashMap<>();
            int first = newEpoll();
            names.put(Epolls.ep(first), "first");
            add(first, efd, EPOLLIN | EPOLLEXCLUSIVE, 0);
            int plain = newEpoll();
            names.put(Epolls.ep(plain), "plain");
            add(plain, efd, EPOLLIN | EPOLLOUT, 0);
            int second = newEpoll();
            names.put(Epolls.ep(second), "second");

            add(second, efd, mask(events), 0);

            assertThat(eventfdQueueOf(efd, names))
                    .as("eventfd.wqh after ADDs by first (IN|EXCLUSIVE), plain (IN|OUT), second (%s): the exclusivity "
                            + "of an entry depends only on EPOLLEXCLUSIVE, never on the events", events)
                    .containsExactly("plain", "first excl", "second excl");
        });
    }

    @Test
    @DisplayName("on a listener: exclusive epoll entries and blocking acceptors share the tail in arrival order; "
            + "poll(2) and plain epoll entries are at the head")
    void onAListenerEpollsAndAcceptorsQueueInArrivalOrder() {
        try (Server srv = Server.listener(0)) {
            srv.p.spawn("acceptor1", () -> SocketCalls.accept4(FD, new SockaddrIn[1], new int[] {SockaddrIn.SIZE}, 0));
            srv.sched.runUntilIdle();
            srv.p.spawn("poller", () -> Select.poll(new PollFd[] {new PollFd(FD, EPOLLIN)}, -1));
            srv.sched.runUntilIdle();
            srv.epoll("epoll-excl", EPOLLIN | EPOLLEXCLUSIVE);
            srv.p.spawn("acceptor2", () -> SocketCalls.accept4(FD, new SockaddrIn[1], new int[] {SockaddrIn.SIZE}, 0));
            srv.sched.runUntilIdle();
            srv.epoll("epoll-plain", EPOLLIN);

            assertThat(srv.queue())
                    .as("the listener's sk_wq head first, after acceptor1 blocked in accept, a poll(2) on the listener, "
                            + "an EPOLLEXCLUSIVE epoll was added, acceptor2 blocked, a plain epoll was added: "
                            + "prepare_to_wait_exclusive and add_wait_queue_exclusive both append at the TAIL, so the "
                            + "exclusive epoll stands between the two acceptors; poll(2) and the plain epoll are at "
                            + "the HEAD, newest first")
                    .containsExactly("epoll-plain", "poll", "acceptor1 excl", "epoll-excl excl", "acceptor2 excl");
        }
    }

    @Test
    @DisplayName("with nobody in epoll_wait, one write runs the callback of every exclusive entry: each epoll gets the "
            + "item on its ready list, and none counts as the exclusive wake-up")
    void withoutSleepersEveryExclusiveEpollGetsTheItem() {
        inProcess(() -> {
            int efd = eventfd();
            WaitQueueHead wqh = eventfdQueue(file(efd));
            int[] epfds = new int[3];
            for (int i = 0; i < 3; i++) {
                epfds[i] = newEpoll();
                add(epfds[i], efd, EPOLLIN | EPOLLEXCLUSIVE, i);
            }

            int accepted = wqh.wakeUpPoll(EPOLLIN);

            for (int i = 0; i < 3; i++) {
                assertThat(readyFds(Epolls.ep(epfds[i])))
                        .as("epoll %d's ready list after wake_up_poll(eventfd.wqh, EPOLLIN): the exclusive entry's "
                                + "function is still ep_poll_callback, which links the item whether or not it counts",
                                i)
                        .containsExactly(efd);
            }
            assertThat(accepted)
                    .as("exclusive entries that accepted the wake-up (__wake_up's result): with nobody sleeping in "
                            + "epoll_wait no callback returns 1, so the walk went through all three and none counted")
                    .isZero();
        });
    }

    @Test
    @DisplayName("DEL takes an exclusive entry off the queue, the others keep their order; adding it again puts it "
            + "at the end of the line")
    void delAndAddAgainGoesToTheEnd() {
        try (Server srv = Server.eventfd()) {
            int a = srv.epoll("A", EPOLLIN | EPOLLEXCLUSIVE);
            srv.epoll("B", EPOLLIN | EPOLLEXCLUSIVE);
            srv.epoll("C", EPOLLIN | EPOLLEXCLUSIVE);
            assertThat(srv.queue()).as("eventfd.wqh after A, B, C registered").containsExactly("A excl", "B excl",
                    "C excl");

            srv.run("del A", () -> check(Epoll.epollCtl(a, Epoll.EPOLL_CTL_DEL, FD, null)));
            assertThat(srv.queue()).as("after EPOLL_CTL_DEL of A's item: ep_remove unlinks A's entry only")
                    .containsExactly("B excl", "C excl");

            srv.run("add A again", () -> add(a, FD, EPOLLIN | EPOLLEXCLUSIVE, 0));
            assertThat(srv.queue())
                    .as("after A adds the eventfd again: a new entry, appended at the TAIL, so A is now last")
                    .containsExactly("B excl", "C excl", "A excl");
        }
    }

    @Test
    @DisplayName("an epoll watching two files with EPOLLEXCLUSIVE has one exclusive entry at the tail of each file's queue")
    void oneEntryPerWatchedFile() {
        inProcess(() -> {
            int efd1 = eventfd();
            int efd2 = eventfd();
            Map<EventPoll, String> names = new HashMap<>();
            int other = newEpoll();
            names.put(Epolls.ep(other), "other");
            add(other, efd2, EPOLLIN | EPOLLEXCLUSIVE, 0);
            int epfd = newEpoll();
            names.put(Epolls.ep(epfd), "mine");

            add(epfd, efd1, EPOLLIN | EPOLLEXCLUSIVE, 1);
            add(epfd, efd2, EPOLLIN | EPOLLEXCLUSIVE, 2);

            assertThat(eventfdQueueOf(efd1, names)).as("the first eventfd's queue").containsExactly("mine excl");
            assertThat(eventfdQueueOf(efd2, names)).as("the second eventfd's queue: mine behind other, which was first")
                    .containsExactly("other excl", "mine excl");
            assertThat(Epolls.ep(epfd).items()).as("two items, one entry each")
                    .allSatisfy(epi -> assertThat(epi.pwqlist()).hasSize(1));
        });
    }
}
