package herd.epoll;

import static herd.course.kit.Epolls.mask;
import static herd.course.kit.Epolls.readyFds;
import static herd.course.kit.Epolls.recorder;
import static herd.course.kit.Epolls.slots;
import static herd.course.kit.Io.drain;
import static herd.course.kit.Io.eventfd;
import static herd.course.kit.Io.eventfdQueue;
import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.inProcess;
import static herd.epoll.Epoll.EPOLLEXCLUSIVE;
import static herd.epoll.EpollTests.newEpoll;
import static herd.epoll.ExclusiveTests.FD;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLOUT;
import static herd.sched.Task.TASK_NORMAL;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Epolls.Call;
import herd.course.kit.Epolls;
import herd.epoll.ExclusiveTests.Server;
import herd.fs.File;
import herd.sched.Task;
import herd.socket.Socket;
import herd.wait.WaitQueueHead;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * L05-E2: {@code EPOLLEXCLUSIVE} in {@code ep_poll_callback}. The item is always linked to
 * the ready list; the callback returns 1, which makes {@code __wake_up_common} count it as
 * THE exclusive wake-up and stop, only if a thread sleeps in {@code epoll_wait} on that epoll
 * and the key's IN/OUT part is exactly IN and the item wants IN, exactly OUT and it wants
 * OUT, or empty. A key with both IN and OUT never counts. An epoll nobody waits on returns
 * 0: the walk goes on to the next exclusive entry (kernel-spec 2.7, 4 (b)).
 *
 * <p>The key table calls the callback on items and entries built by hand, so it reaches
 * L05-E2 without L05-E1; the herd tests add items with {@code ep_insert} (L05-E1), never
 * with {@code epoll_ctl}, whose checks are L05-E3. Every test has a thread asleep in
 * {@code epoll_wait} on an exclusive epoll when the file wakes.
 */
@Tag("lesson05")
@Tag("L05-E2")
@DisplayName("L05-E2: the exclusive wake-up (ep_poll_callback)")
class ExclusiveWakeTest {
    // ---- the key table, on a hand-made item -----------------------------------------------

    @ParameterizedTest(name = "[{index}] item {0}, key {1}: returns {2} with a sleeper ({3})")
    @CsvSource(delimiter = ';', textBlock = """
            # item's events  ; wake-up key            ; returns ; the rule
            IN               ; IN                     ; 1       ; key exactly IN, the item wants IN
            IN               ; IN|PRI|RDNORM|RDBAND   ; 1       ; a socket's data key: its IN/OUT part is exactly IN
            IN|OUT           ; IN                     ; 1       ; key exactly IN, the item wants IN (and OUT)
            OUT              ; OUT                    ; 1       ; key exactly OUT, the item wants OUT
            OUT              ; OUT|WRNORM|WRBAND      ; 1       ; a socket's write-space key: exactly OUT
            IN|OUT           ; OUT                    ; 1       ; key exactly OUT, the item wants OUT
            IN               ; 0                      ; 1       ; no key (NULL): no IN/OUT bit, it always counts
            OUT              ; 0                      ; 1       ; no key, whatever the item wants
            IN|HUP           ; HUP                    ; 1       ; a key without IN or OUT (a hang-up) counts
            IN|ERR           ; ERR|RDNORM             ; 1       ; no IN or OUT bit in the key: counts
            IN|OUT           ; IN|OUT                 ; 0       ; a key with both IN and OUT NEVER counts
            IN               ; IN|OUT                 ; 0       ; IN|OUT never counts, even for an IN item
            OUT|HUP          ; IN|HUP                 ; 0       ; key exactly IN, the item lacks IN: queued (HUP), not counted
            IN|HUP           ; OUT|HUP                ; 0       ; key exactly OUT, the item lacks OUT: queued, not counted
            """)
    @DisplayName("the key table: the item is always queued and ep->wq woken; it COUNTS (returns 1) only with a sleeper and "
            + "a key whose IN/OUT part is IN for an IN item, OUT for an OUT item, or empty")
    void theKeyTable(String itemEvents, String key, int expected, String rule) {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            int efd = eventfd();
            File file = file(efd);
            WaitQueueHead wqh = eventfdQueue(file);
            EpItem epi = new EpItem(ep, new EpollFileFd(file, efd),
                    new EpollEvent(mask(itemEvents) | EPOLLEXCLUSIVE, efd));
            EppollEntry pwq = new EppollEntry(epi, wqh);
            epi.pwqlist.add(pwq);
            wqh.addWaitQueueExclusive(pwq);

            int alone = callback(wqh, pwq, mask(key));
            assertThat(alone).as("item %s|EXCLUSIVE, key %s, NOBODY in epoll_wait on its epoll: the callback returns 0, "
                    + "so __wake_up_common passes this busy epoll over and goes on to the next exclusive entry",
                    itemEvents, key).isZero();
            assertThat(readyFds(ep)).as("item %s|EXCLUSIVE, key %s, nobody waiting: the item is linked to the ready "
                    + "list all the same (the next epoll_wait finds it)", itemEvents, key).containsExactly(efd);

            List<Call> calls = new CopyOnWriteArrayList<>();
            ep.wq.addWaitQueueExclusive(recorder("epoll_wait sleeper", ep, calls));
            int ret = callback(wqh, pwq, mask(key));

            assertThat(ret).as("item %s|EXCLUSIVE, key %s, a thread in epoll_wait: %s, so ep_poll_callback returns %d%s",
                    itemEvents, key, rule, expected,
                    expected == 1 ? " (this epoll IS the exclusive wake-up: the walk stops here)"
                            : " (not counted: the walk goes on to the next exclusive entry)")
                    .isEqualTo(expected);
            assertThat(calls).as("item %s|EXCLUSIVE, key %s: whatever it returns, the callback wakes the epoll_wait "
                    + "sleeper (wake_up(&ep->wq) does not depend on ewake)", itemEvents, key).hasSize(1);
            assertThat(readyFds(ep)).as("still on the ready list, once").containsExactly(efd);
        });
    }

    /** {@code ep_poll_callback(pwq, TASK_NORMAL, 0, key)} under the queue's lock, as {@code __wake_up_common} calls it. */
    private static int callback(WaitQueueHead wqh, EppollEntry pwq, int key) {
        wqh.lock.lock();
        try {
            return EpPollCallback.epPollCallback(pwq, TASK_NORMAL, 0, key);
        } finally {
            wqh.lock.unlock();
        }
    }

    @Test
    @DisplayName("the return value drives the walk: of three exclusive entries with sleepers, a key IN wake-up calls "
            + "only the first; with IN|OUT it calls all three and none counts")
    void theReturnValueDrivesTheWalk() {
        inProcess(() -> {
            int efd = eventfd();
            File file = file(efd);
            WaitQueueHead wqh = eventfdQueue(file);
            List<Call> calls = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 3; i++) {
                EventPoll ep = Epolls.ep(newEpoll());
                EpItem epi = new EpItem(ep, new EpollFileFd(file, efd), new EpollEvent(EPOLLIN | EPOLLEXCLUSIVE, i));
                EppollEntry pwq = new EppollEntry(epi, wqh);
                epi.pwqlist.add(pwq);
                wqh.addWaitQueueExclusive(pwq);
                ep.wq.addWaitQueueExclusive(recorder("sleeper of epoll " + i, ep, calls));
            }

            int accepted = wqh.wakeUpPoll(EPOLLIN);
            assertThat(calls.stream().map(Call::who).toList())
                    .as("wake_up_poll(eventfd.wqh, EPOLLIN): the first epoll's callback returns 1, which spends the "
                            + "budget of one exclusive wake-up: the other two epolls are not even visited")
                    .containsExactly("sleeper of epoll 0");
            assertThat(accepted).as("exclusive entries that accepted").isEqualTo(1);

            calls.clear();
            accepted = wqh.wakeUpPoll(EPOLLIN | EPOLLOUT);
            assertThat(calls.stream().map(Call::who).toList())
                    .as("wake_up_poll(eventfd.wqh, EPOLLIN|EPOLLOUT): every callback returns 0 (IN|OUT never counts), "
                            + "so the walk never stops and every exclusive epoll's sleeper is woken")
                    .containsExactly("sleeper of epoll 0", "sleeper of epoll 1", "sleeper of epoll 2");
            assertThat(accepted).as("exclusive entries that accepted the IN|OUT wake-up").isZero();
        });
    }

    // ---- the herd on an eventfd -----------------------------------------------------------------

    @Test
    @DisplayName("four workers, each asleep in epoll_wait on its own EPOLLEXCLUSIVE epoll: one write wakes exactly one, "
            + "the earliest registered; the others are not even queued")
    void oneWriteWakesExactlyTheEarliestRegistered() {
        try (Server srv = Server.eventfd()) {
            for (int i = 0; i < 4; i++) {
                srv.epoll("W" + i, EPOLLIN | EPOLLEXCLUSIVE);
            }
            for (int i = 3; i >= 0; i--) {
                srv.worker("W" + i, 1);
            }

            srv.write("writer");

            assertThat(srv.results).as("epoll_wait calls that returned after one write: the entries are at the tail in "
                    + "registration order W0..W3 (whatever order the workers went to sleep in), W0's callback "
                    + "returns 1 and the walk stops").containsExactly("W0=1");
            assertThat(srv.wakeups("W0", "W1", "W2", "W3")).as("wake-ups of W0..W3").containsExactly(1L, 0L, 0L, 0L);
            assertThat(List.of(srv.queuedOn("W1"), srv.queuedOn("W2"), srv.queuedOn("W3")))
                    .as("is the eventfd on the ready list of W1, W2, W3? The walk stopped at W0, their callbacks "
                            + "never ran").containsExactly(false, false, false);
        }
    }

    @Test
    @DisplayName("successive writes, the woken workers not back in epoll_wait: each write wakes the next idle one, "
            + "passing over the busy ones before it")
    void eachWriteWakesTheFirstIdleWorker() {
        try (Server srv = Server.eventfd()) {
            for (int i = 0; i < 3; i++) {
                srv.epoll("W" + i, EPOLLIN | EPOLLEXCLUSIVE);
                srv.worker("W" + i, 1);
            }

            srv.write("writer1");
            assertThat(srv.results).as("after write 1").containsExactly("W0=1");
            srv.write("writer2");
            assertThat(srv.results).as("after write 2: W0 has not come back to epoll_wait (busy), its callback returns "
                    + "0 and the walk goes on to W1").containsExactly("W0=1", "W1=1");
            srv.write("writer3");
            assertThat(srv.results).as("after write 3: W0 and W1 are busy, W2 is the first idle one")
                    .containsExactly("W0=1", "W1=1", "W2=1");
            assertThat(srv.wakeups("W0", "W1", "W2")).as("wake-ups of W0..W2: one each").containsExactly(1L, 1L, 1L);
        }
    }

    @Test
    @DisplayName("W0 and W1 busy, W2 and W3 idle: a write wakes W2; the busy epolls are passed over but get the item, "
            + "which W0 finds when it comes back; W3's epoll is not touched")
    void busyWorkersArePassedOverButGetTheItem() {
        try (Server srv = Server.eventfd()) {
            for (int i = 0; i < 4; i++) {
                srv.epoll("W" + i, EPOLLIN | EPOLLEXCLUSIVE);
            }
            srv.worker("W2", 1);
            srv.worker("W3", 1);

            srv.write("writer");

            assertThat(srv.results).as("epoll_wait calls that returned: W0 and W1 are busy (nobody in epoll_wait on "
                    + "their epolls), their callbacks return 0; W2's returns 1 and the walk stops")
                    .containsExactly("W2=1");
            assertThat(List.of(srv.queuedOn("W0"), srv.queuedOn("W1"), srv.queuedOn("W3")))
                    .as("is the eventfd on the ready list of W0, W1, W3? The callback links the item before it decides "
                            + "whether it counts: yes for the busy W0 and W1; W3 comes after the stop: no")
                    .containsExactly(true, true, false);
            assertThat(srv.wakeups("W3")).as("wake-ups of the idle W3").containsExactly(0L);
            assertThat(srv.workers.get("W3").state()).as("W3 still asleep").isEqualTo(Task.TASK_INTERRUPTIBLE);

            srv.comeBack("W0");
            assertThat(srv.results).as("W0 back from its work, epoll_wait(timeout 0): the item waiting on its ready "
                    + "list is delivered (the eventfd is still readable)").containsExactly("W2=1", "W0=1");
        }
    }

    @Test
    @DisplayName("all workers busy: a write wakes nobody and every epoll gets the item; then a worker that registered "
            + "later and sleeps is the one the next write wakes")
    void allBusyWakesNobodyAndQueuesEverywhere() {
        try (Server srv = Server.eventfd()) {
            for (int i = 0; i < 3; i++) {
                srv.epoll("W" + i, EPOLLIN | EPOLLEXCLUSIVE);
            }

            srv.write("writer1");
            assertThat(List.of(srv.queuedOn("W0"), srv.queuedOn("W1"), srv.queuedOn("W2")))
                    .as("is the eventfd on the ready list of W0, W1, W2 after a write while all are busy? The walk "
                            + "visits every exclusive entry (each returns 0) and each links the item: yes, everywhere")
                    .containsExactly(true, true, true);
            assertThat(List.of(srv.ep("W0").callbacks.sum(), srv.ep("W1").callbacks.sum(), srv.ep("W2").callbacks.sum()))
                    .as("ep_poll_callback calls per epoll for that one write: none returned 1, so the walk never "
                            + "stopped early and nobody was woken").containsExactly(1L, 1L, 1L);

            srv.run("reader", () -> assertThat(drain(FD)).as("read the count back to 0").isEqualTo(1));
            srv.epoll("W3", EPOLLIN | EPOLLEXCLUSIVE);
            srv.worker("W3", 1);
            srv.write("writer2");

            assertThat(srv.results).as("epoll_wait calls that returned after the second write: W0..W2 are still busy "
                    + "(their callbacks return 0), W3, registered last, is the first one asleep").containsExactly("W3=1");
        }
    }

    @Test
    @DisplayName("mixed watchers: every plain (non-exclusive) epoll is woken, plus exactly one exclusive one")
    void plainWatchersAreAllWokenPlusOneExclusive() {
        try (Server srv = Server.eventfd()) {
            srv.epoll("P0", EPOLLIN);
            srv.epoll("X1", EPOLLIN | EPOLLEXCLUSIVE);
            srv.epoll("P2", EPOLLIN);
            srv.epoll("X3", EPOLLIN | EPOLLEXCLUSIVE);
            for (String w : List.of("P0", "X1", "P2", "X3")) {
                srv.worker(w, 1);
            }
            assertThat(srv.queue()).as("eventfd.wqh head first").containsExactly("P2", "P0", "X1 excl", "X3 excl");

            srv.write("writer");

            assertThat(srv.results).as("epoll_wait calls that returned: the walk calls the plain entries first (their "
                    + "return value does not count), then X1 counts and the walk stops before X3")
                    .containsExactlyInAnyOrder("P0=1", "X1=1", "P2=1");
            assertThat(srv.wakeups("P0", "X1", "P2", "X3")).as("wake-ups of P0, X1, P2, X3")
                    .containsExactly(1L, 1L, 1L, 0L);
            assertThat(srv.queuedOn("X3")).as("X3's callback never ran: nothing on its ready list").isFalse();
        }
    }

    @Test
    @DisplayName("an eventfd read wakes with key OUT: it passes over an IN-only exclusive epoll and wakes the one "
            + "that waits for room to write")
    void aReadWakesTheEpollThatWantsOut() {
        try (Server srv = Server.eventfd()) {
            srv.epoll("reader", EPOLLIN | EPOLLEXCLUSIVE);
            srv.epoll("writer", EPOLLOUT | Epoll.EPOLLET | EPOLLEXCLUSIVE);
            srv.worker("reader", 1);
            Task writer = srv.p.spawn("writer", () -> {
                int epfd = srv.epfds.get("writer");
                for (int i = 0; i < 2; i++) {
                    srv.results.add("writer=" + Epoll.epollWait(epfd, slots(4), 4, -1));
                }
            });
            srv.sched.runUntilIdle();
            assertThat(srv.results).as("the eventfd was writable when the writer's epoll added it (ep_insert queued "
                    + "it): the writer's first epoll_wait returns at once, the edge-triggered item is not re-queued")
                    .containsExactly("writer=1");
            srv.results.clear();

            srv.write("write 1");
            assertThat(srv.results).as("a write wakes eventfd.wqh with key EPOLLIN: the reader's epoll counts")
                    .containsExactly("reader=1");
            srv.run("read", () -> assertThat(drain(FD)).as("read the count").isEqualTo(1));

            assertThat(srv.results).as("the read wakes eventfd.wqh with key EPOLLOUT: the reader's item (IN) is "
                    + "filtered out, so the walk goes on to the writer's epoll, which wants OUT and counts")
                    .containsExactly("reader=1", "writer=1");
            assertThat(writer.wakeups()).as("wake-ups of the writer's worker").isEqualTo(1);
        }
    }

    // ---- the herd on a listener ------------------------------------------------------------------

    @Test
    @DisplayName("three workers looping on one listener, each with its own EPOLLEXCLUSIVE epoll: every connection "
            + "wakes exactly one worker, always W0 while W0 is back in time (the entries never move)")
    void everyConnectionWakesTheFirstIdleWorker() {
        try (Server srv = Server.listener(Socket.SOCK_NONBLOCK)) {
            for (int i = 0; i < 3; i++) {
                srv.epoll("W" + i, EPOLLIN | EPOLLEXCLUSIVE);
            }
            for (int i = 0; i < 3; i++) {
                srv.worker("W" + i, 3);
            }

            int p1 = srv.connect("client1");
            int p2 = srv.connect("client2");
            int p3 = srv.connect("client3");

            assertThat(srv.results).as("what the workers did: sock_def_readable's key is IN|PRI|RDNORM|RDBAND, exactly "
                    + "IN for the callback, so W0's epoll counts each time; W0 accepts and is asleep in epoll_wait "
                    + "again before the next connection, and its entry is still FIRST (an epoll entry stays where "
                    + "it was added, unlike a blocking acceptor that re-queues at the tail)")
                    .containsExactly("W0=1", "W0 <- " + p1, "W0=1", "W0 <- " + p2, "W0=1", "W0 <- " + p3);
            assertThat(srv.wakeups("W0", "W1", "W2")).as("wake-ups of W0, W1, W2: no herd, and no fairness either")
                    .containsExactly(3L, 0L, 0L);
        }
    }

    @Test
    @DisplayName("listener: W0 busy, W1 and W2 idle: a connection wakes W1 only, which accepts; W0 later finds the "
            + "item, whose re-poll (the queue is empty now) drops it: epoll_wait returns 0")
    void aBusyWorkerOnAListenerIsPassedOver() {
        try (Server srv = Server.listener(Socket.SOCK_NONBLOCK)) {
            for (int i = 0; i < 3; i++) {
                srv.epoll("W" + i, EPOLLIN | EPOLLEXCLUSIVE);
            }
            srv.worker("W1", 1);
            srv.worker("W2", 1);

            int port = srv.connect("client");

            assertThat(srv.results).as("W0 is busy: its callback links the listener's item and returns 0; W1 is asleep: "
                    + "its callback returns 1, it wakes and accepts").containsExactly("W1=1", "W1 <- " + port);
            assertThat(srv.wakeups("W1", "W2")).as("wake-ups of W1, W2").containsExactly(1L, 0L);
            assertThat(List.of(srv.queuedOn("W0"), srv.queuedOn("W2"))).as("listener item on the ready list of W0, W2")
                    .containsExactly(true, false);

            srv.comeBack("W0");
            assertThat(srv.results).as("W0 back, epoll_wait(timeout 0): ep_send_events re-polls the listener, its "
                    + "accept queue is empty (W1 took the connection), the level-triggered item is dropped and "
                    + "nothing is returned").containsExactly("W1=1", "W1 <- " + port, "W0=0");
            assertThat(srv.queuedOn("W0")).as("W0's ready list after that re-poll").isFalse();
        }
    }

    @Test
    @DisplayName("blocking acceptors and an exclusive epoll share ONE exclusive wake-up per connection, in queue order")
    void acceptorsAndEpollsShareTheBudgetInQueueOrder() {
        try (Server srv = Server.listener(0)) {
            Task a1 = acceptor(srv, "A1");
            srv.epoll("W", EPOLLIN | EPOLLEXCLUSIVE);
            Task w = srv.worker("W", 1);
            Task a2 = acceptor(srv, "A2");
            assertThat(srv.queue()).as("the listener's sk_wq head first: both kinds of exclusive entries append at "
                    + "the tail").containsExactly("A1 excl", "W excl", "A2 excl");

            int p1 = srv.connect("client1");
            assertThat(srv.results).as("connection 1 wakes the first exclusive entry, acceptor A1 (try_to_wake_up "
                    + "returns 1): the walk stops before W's epoll").containsExactly("A1 <- " + p1);
            assertThat(srv.queuedOn("W")).as("W's epoll was not visited: nothing on its ready list").isFalse();

            int p2 = srv.connect("client2");
            assertThat(srv.results).as("connection 2: A1 is gone, W's epoll is first, W sleeps in epoll_wait: its "
                    + "callback returns 1, the walk stops before A2")
                    .containsExactly("A1 <- " + p1, "W=1", "W <- " + p2);

            int p3 = srv.connect("client3");
            assertThat(srv.results).as("connection 3: W has exited, nobody waits on its epoll: the callback returns 0 "
                    + "and the same walk goes on to A2")
                    .containsExactly("A1 <- " + p1, "W=1", "W <- " + p2, "A2 <- " + p3);
            assertThat(List.of(a1.wakeups(), w.wakeups(), a2.wakeups())).as("wake-ups of A1, W, A2: one each")
                    .containsExactly(1L, 1L, 1L);
        }
    }

    /** A task blocked in accept4 on the (blocking) listener, reporting "name <- port". */
    private static Task acceptor(Server srv, String name) {
        Task t = srv.p.spawn(name, () -> srv.accept(name));
        srv.workers.put(name, t);
        srv.sched.runUntilIdle();
        assertThat(t.state()).as("%s sleeps in accept4 on the empty queue", name).isEqualTo(Task.TASK_INTERRUPTIBLE);
        return t;
    }
}
