package herd.nginx;

import static herd.course.kit.Epolls.item;
import static herd.course.kit.Nginx.FIRST_PID;
import static herd.course.kit.Nginx.listenerReported;
import static herd.course.kit.Nginx.startIdle;
import static herd.course.kit.Nginx.sum;
import static herd.course.kit.Traces.strace;
import static herd.epoll.Epoll.EPOLLEXCLUSIVE;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLRDHUP;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.Seeds;
import herd.epoll.EppollEntry;
import herd.list.ListHead;
import herd.sched.DeterministicScheduler;
import herd.trace.StraceFormat;
import herd.wait.WaitQueueEntry;
import herd.wait.WaitQueueHead;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * L05-E6: nginx with {@code EPOLLEXCLUSIVE} (nginx 1.11.3, kernel-spec 4 (b), herd-strategies
 * 1.3-1.4). With several workers, each worker adds the shared listening socket 6 to its own
 * epoll with {@code EPOLLIN|EPOLLEXCLUSIVE} ({@code EPOLLRDHUP} stripped), so the socket's wait
 * queue holds one EXCLUSIVE entry per worker, in registration order. A connection walks that
 * queue: every visited epoll gets the item queued, and the walk stops at the first epoll with a
 * sleeper, which is woken: one wake-up, the earliest-registered idle worker. Without reordering
 * that is always the same worker; nginx 1.21.6 ({@code ngx_reorder_accept_events}) deletes and
 * re-adds the socket on a worker's first accept event and every 16th after, moving it to the
 * tail.
 */
@Tag("lesson05")
@Tag("L05-E6")
@DisplayName("L05-E6: nginx workers with EPOLLEXCLUSIVE, and the accept-event reordering")
@ExtendWith(Seeds.Resolver.class)
class ExclusiveWorkersTest {
    private static final int LISTEN_FD = 6;
    private static final String EXCLUSIVE_ADD_7 =
            "epoll_ctl(7, EPOLL_CTL_ADD, 6, {events=EPOLLIN|EPOLLEXCLUSIVE, data={u32=6, u64=6}}) = 0";

    // ---- helpers --------------------------------------------------------------------------------

    /**
     * {@code n} workers of an nginx built with {@code EPOLLEXCLUSIVE}: today's, which
     * reorders (1.21.6 and later), or 1.21.5, which did not.
     */
    private static NgxConf exclusive(int n, boolean reorder) {
        return reorder ? NgxConf.stock(n) : NgxConf.stock(n).withVersion(1_021_005);
    }

    /** The listening socket's wait queue, found through worker {@code w}'s epoll item for it. */
    private static WaitQueueHead listenQueue(NgxWorker w) {
        return item(w.eventPoll(), LISTEN_FD).pwqlist().get(0).whead();
    }

    /** The entries of the listening socket's wait queue, head first. */
    private static List<WaitQueueEntry> entries(NgxMaster master) {
        WaitQueueHead wq = listenQueue(master.workers.get(0));
        List<WaitQueueEntry> out = new ArrayList<>();
        for (ListHead<WaitQueueEntry> p = wq.head.next(); p != wq.head; p = p.next()) {
            out.add(p.owner());
        }
        return out;
    }

    /** The workers in the order the listening socket's wait queue visits their epolls (head first). */
    private static List<NgxWorker> queueOrder(NgxMaster master) {
        List<NgxWorker> order = new ArrayList<>();
        for (WaitQueueEntry e : entries(master)) {
            EppollEntry pwq = (EppollEntry) e;
            order.add(master.workers.stream().filter(w -> w.eventPoll() == pwq.base.ep).findFirst().orElseThrow());
        }
        return order;
    }

    /** The counters of {@code c} reordered as {@code order} (the wait queue's order). */
    private static List<WorkerCounters> inOrder(List<WorkerCounters> c, List<NgxWorker> order) {
        return order.stream().map(w -> c.get(w.slot)).toList();
    }

    /** A trickle of {@code n} connections, each after every worker sleeps again. */
    private static void trickle(DeterministicScheduler sched, int n) {
        for (int i = 0; i < n; i++) {
            Telnet.burst(sched, "telnet" + (i + 1), 1);
            sched.runUntilIdle();
        }
    }

    /**
     * The accept events of worker {@code w} in its strace: from each {@code epoll_wait} that
     * reported the listening socket up to its next {@code epoll_wait}.
     */
    private static List<List<String>> acceptEvents(DeterministicScheduler sched, NgxWorker w) {
        List<String> lines = strace(sched, w.task().pid());
        List<List<String>> events = new ArrayList<>();
        List<String> current = null;
        for (String line : lines) {
            if (line.equals(listenerReported(w.ep))) {
                current = new ArrayList<>();
                events.add(current);
                continue;
            } else if (line.startsWith("epoll_wait(")) {
                current = null;
                continue;
            }
            if (current != null) {
                current.add(line);
            }
        }
        return events;
    }

    private static String del(int ep) {
        return "epoll_ctl(" + ep + ", EPOLL_CTL_DEL, 6, NULL) = 0";
    }

    private static String exclusiveAdd(int ep) {
        return "epoll_ctl(" + ep + ", EPOLL_CTL_ADD, 6, {events=EPOLLIN|EPOLLEXCLUSIVE, data={u32=6, u64=6}}) = 0";
    }

    // ---- the worker's start ---------------------------------------------------------------------

    @Test
    @DisplayName("worker1's start with EPOLLEXCLUSIVE and 2 workers: epoll_ctl(7, EPOLL_CTL_ADD, 6, "
            + "{events=EPOLLIN|EPOLLEXCLUSIVE, ...}) = 0, no EPOLLRDHUP; its channel is still added plainly")
    void theListeningSocketIsAddedExclusive() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1, 0.5)) {
            NgxMaster master = startIdle(sched, exclusive(2, false));
            List<String> worker1 = strace(sched, FIRST_PID + 1);
            List<String> worker2 = strace(sched, FIRST_PID + 2);
            assertThat(worker1).as("worker1's strace: ngx_epoll_add_event with NGX_EXCLUSIVE_EVENT adds the listening "
                    + "socket 6 to its epoll 7 with EPOLLIN|EPOLLEXCLUSIVE, without EPOLLRDHUP (the kernel refuses "
                    + "EPOLLRDHUP with EPOLLEXCLUSIVE: EINVAL)").contains(EXCLUSIVE_ADD_7);
            assertThat(worker1).as("worker1's strace: the channel 8 is an ordinary descriptor, added with "
                    + "EPOLLIN|EPOLLRDHUP").contains("epoll_ctl(7, EPOLL_CTL_ADD, 8, {events=EPOLLIN|EPOLLRDHUP, "
                    + "data={u32=8, u64=8}}) = 0");
            assertThat(worker2).as("worker2's strace: the same exclusive add on its own epoll 8")
                    .contains(exclusiveAdd(8));
            assertThat(StraceFormat.render(sched.trace().events()))
                    .as("the start's strace: no add of the listening socket with EPOLLRDHUP")
                    .doesNotContain("EPOLL_CTL_ADD, 6, {events=EPOLLIN|EPOLLRDHUP");
            for (NgxWorker w : master.workers) {
                assertThat(item(w.eventPoll(), LISTEN_FD).event.events & (EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP))
                        .as("%s's epoll item for 6: EPOLLIN|EPOLLEXCLUSIVE", w).isEqualTo(EPOLLIN | EPOLLEXCLUSIVE);
                assertThat(w.connection(LISTEN_FD).read.active)
                        .as("%s's listening read event is active once added", w).isTrue();
            }
        }
    }

    @Test
    @DisplayName("EPOLLEXCLUSIVE needs worker_processes > 1: one worker adds 6 plainly (EPOLLIN|EPOLLRDHUP), two "
            + "workers add it exclusive")
    void oneWorkerAddsPlainly() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1, 0.5)) {
            startIdle(sched, exclusive(1, false));
            assertThat(strace(sched, FIRST_PID + 1)).as("the only worker's strace: with one worker nginx does not use "
                    + "EPOLLEXCLUSIVE (there is no herd), it adds 6 as in lesson 4")
                    .contains("epoll_ctl(7, EPOLL_CTL_ADD, 6, {events=EPOLLIN|EPOLLRDHUP, data={u32=6, u64=6}}) = 0")
                    .doesNotContain(EXCLUSIVE_ADD_7);
        }
        try (DeterministicScheduler sched = new DeterministicScheduler(1, 0.5)) {
            startIdle(sched, exclusive(2, false));
            assertThat(strace(sched, FIRST_PID + 1)).as("worker1's strace with two workers: the exclusive add")
                    .contains(EXCLUSIVE_ADD_7);
        }
    }

    @ParameterizedTest(name = "[{index}] {0} workers")
    @ValueSource(ints = {2, 4, 8})
    @DisplayName("the listening socket's wait queue: one EXCLUSIVE ep_poll_callback entry per worker's epoll")
    void theWaitQueueHoldsOneExclusiveEntryPerWorker(int n, Seeds seeds) {
        seeds.explore(8, 0.5, sched -> {
            NgxMaster master = startIdle(sched, exclusive(n, false));
            List<WaitQueueEntry> entries = entries(master);
            assertThat(entries).as("entries on socket 6's wait queue: one per worker's epoll item").hasSize(n);
            assertThat(entries).as("every entry is exclusive (WQ_FLAG_EXCLUSIVE): EPOLLEXCLUSIVE's whole point")
                    .allMatch(e -> (e.flags & WaitQueueEntry.WQ_FLAG_EXCLUSIVE) != 0);
            assertThat(queueOrder(master)).as("the workers behind the entries: each exactly once")
                    .containsExactlyInAnyOrderElementsOf(master.workers);
        });
    }

    // ---- one connection ---------------------------------------------------------------------------

    @ParameterizedTest(name = "[{index}] {0} workers")
    @ValueSource(ints = {2, 4, 8})
    @DisplayName("one connection to N idle workers, 32 seeds with preemption: 1 ep_poll_callback, 1 wake-up, "
            + "1 accept, no EAGAIN, no hidden wake-up; the woken worker is the first on the socket's queue")
    void oneConnectionWakesExactlyOneWorker(int n, Seeds seeds) {
        seeds.explore(32, 0.5, sched -> {
            NgxMaster master = startIdle(sched, exclusive(n, false));
            NgxWorker first = queueOrder(master).get(0);
            List<WorkerCounters> before = WorkerCounters.of(master);
            Telnet.connect(sched);
            sched.runUntilIdle();
            List<WorkerCounters> c = WorkerCounters.since(master, before);
            assertThat(sum(c, WorkerCounters::callbacks)).as("ep_poll_callback calls: the walk stops at the first "
                    + "entry, whose epoll has a sleeper (%s)", c).isEqualTo(1);
            assertThat(sum(c, WorkerCounters::wakeups)).as("wake-ups: exactly one, not N (%s)", c).isEqualTo(1);
            assertThat(sum(c, WorkerCounters::accepts)).as("accepts (%s)", c).isEqualTo(1);
            assertThat(sum(c, WorkerCounters::eagain)).as("EAGAIN: nobody else returned (%s)", c).isZero();
            assertThat(sum(c, WorkerCounters::hiddenWakeups)).as("hidden wake-ups: nobody else was woken (%s)", c)
                    .isZero();
            WorkerCounters won = c.get(first.slot);
            assertThat(List.of(won.callbacks(), won.wakeups(), won.epollWaitReturns(), won.accepts()))
                    .as("%s, the earliest-registered idle worker (head of the queue): callback, wake-up, "
                            + "epoll_wait return, accept (%s)", first, c).containsExactly(1L, 1L, 1L, 1L);
        });
    }

    @Test
    @DisplayName("seed 1 (preemption 0.5): the workers register in spawn order, so worker1 takes the connection")
    void worker1IsFirstWhenAllIdle() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1, 0.5)) {
            NgxMaster master = startIdle(sched, exclusive(4, false));
            assertThat(queueOrder(master).stream().map(NgxWorker::toString))
                    .as("socket 6's wait queue: exclusive entries are appended at the tail, so in registration order")
                    .containsExactly("worker1", "worker2", "worker3", "worker4");
            Telnet.connect(sched);
            sched.runUntilIdle();
            assertThat(strace(sched, FIRST_PID + 1)).as("worker1's strace: woken, it returns 6 and accepts")
                    .contains(listenerReported(7))
                    .anyMatch(l -> l.startsWith("accept4(6, ") && !l.contains("EAGAIN"));
            for (int pid = FIRST_PID + 2; pid <= FIRST_PID + 4; pid++) {
                List<String> lines = strace(sched, pid);
                assertThat(lines).as("worker pid %d's strace: never woken, it accepts nothing", pid)
                        .noneMatch(l -> l.startsWith("accept4("));
                assertThat(lines.get(lines.size() - 1)).as("worker pid %d's last line: still asleep", pid)
                        .startsWith("epoll_wait(").endsWith(" <unfinished ...>");
            }
        }
    }

    @ParameterizedTest(name = "[{index}] {0} workers, a burst of {1}")
    @CsvSource({"2, 2", "2, 3", "4, 2", "4, 5"})
    @DisplayName("busy workers are passed over: a burst without preemption (the client connects before any woken "
            + "worker runs): connection k visits the first k queue entries, wakes the k-th; with none idle, "
            + "none is woken")
    void busyWorkersArePassedOver(int n, int burst, Seeds seeds) {
        seeds.explore(8, 0.0, sched -> {
            NgxMaster master = startIdle(sched, exclusive(n, false));
            List<NgxWorker> order = queueOrder(master);
            List<WorkerCounters> before = WorkerCounters.of(master);
            Telnet.burst(sched, "client", burst);
            sched.runUntilIdle();
            List<WorkerCounters> c = inOrder(WorkerCounters.since(master, before), order);
            List<Long> callbacks = new ArrayList<>();
            List<Long> wakeups = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                callbacks.add((long) Math.max(0, burst - i));
                wakeups.add(i < burst ? 1L : 0L);
            }
            assertThat(c.stream().map(WorkerCounters::callbacks).toList()).as("ep_poll_callback per worker in queue "
                    + "order: a woken worker no longer sleeps in epoll_wait, so the next connection queues the item "
                    + "on its epoll and walks on (%s)", c).isEqualTo(callbacks);
            assertThat(c.stream().map(WorkerCounters::wakeups).toList()).as("wake-ups per worker in queue order: "
                    + "connection k wakes the k-th entry's worker; when every worker is already awake, nobody (%s)", c)
                    .isEqualTo(wakeups);
            assertThat(sum(c, WorkerCounters::accepts)).as("accepts: every connection, the items left on busy "
                    + "workers' ready lists are re-polled level-triggered (%s)", c).isEqualTo(burst);
            assertThat(sum(c, WorkerCounters::eagain)).as("EAGAIN without preemption (%s)", c).isZero();
        });
    }

    // ---- a trickle ----------------------------------------------------------------------------------

    @ParameterizedTest(name = "[{index}] reorder {0}: {1}")
    @CsvSource(delimiter = ';', value = {"false; 64, 0, 0, 0", "true; 17, 17, 17, 13"})
    @DisplayName("a trickle of 64 connections to 4 workers, 8 seeds: one wake-up each; accepts in queue order "
            + "without reordering all to the head (nginx 1.11.3), with it 17, 17, 17, 13 (nginx 1.21.6)")
    void aTrickleWithAndWithoutReordering(boolean reorder, String expected, Seeds seeds) {
        List<Long> accepts = java.util.Arrays.stream(expected.split(",")).map(s -> Long.parseLong(s.trim())).toList();
        seeds.explore(8, 0.5, sched -> {
            NgxMaster master = startIdle(sched, exclusive(4, reorder));
            List<NgxWorker> order = queueOrder(master);
            List<WorkerCounters> before = WorkerCounters.of(master);
            trickle(sched, 64);
            List<WorkerCounters> c = inOrder(WorkerCounters.since(master, before), order);
            HerdFigures f = HerdAccounting.account(c, 64);
            assertThat(f.callbacksPerConnection()).as("ep_poll_callback per connection (%s)", f).isEqualTo(1.0);
            assertThat(f.wakeupsPerConnection()).as("wake-ups per connection (%s)", f).isEqualTo(1.0);
            assertThat(f.spuriousPerConnection()).as("EAGAIN per connection (%s)", f).isEqualTo(0.0);
            assertThat(f.hiddenPerConnection()).as("hidden wake-ups per connection (%s)", f).isEqualTo(0.0);
            assertThat(f.acceptsPerWorker()).as(reorder
                    ? "accepts per worker in the queue's first order: each worker's first accept event moves it to "
                            + "the tail, then it keeps the head for 16 more events (requests 1..16) before moving again"
                    : "accepts per worker in queue order: the head's worker is always idle again when the next "
                            + "connection comes, so it takes them all (%s)", f).isEqualTo(accepts);
            if (reorder) {
                assertThat(f.fairness()).as("Jain's fairness with reordering (%s)", f).isGreaterThan(0.9);
            } else {
                assertThat(f.fairness()).as("Jain's fairness without: 1/n (%s)", f).isEqualTo(0.25);
            }
        });
    }

    @Test
    @DisplayName("HerdRun with 4 workers, a trickle of 64, seed 1: [64, 0, 0, 0] without reordering, "
            + "[17, 17, 17, 13] with it")
    void herdRunSeed1() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1, 0.5)) {
            HerdFigures f = HerdRun.run(sched, exclusive(4, false), 64, false).figures(64);
            assertThat(f.acceptsPerWorker()).as("accepts per worker (worker1 registers first): %s", f)
                    .containsExactly(64L, 0L, 0L, 0L);
        }
        try (DeterministicScheduler sched = new DeterministicScheduler(1, 0.5)) {
            HerdFigures f = HerdRun.run(sched, exclusive(4, true), 64, false).figures(64);
            assertThat(f.acceptsPerWorker()).as("accepts per worker with ngx_reorder_accept_events: %s", f)
                    .containsExactly(17L, 17L, 17L, 13L);
            assertThat(f.wakeupsPerConnection()).as("wake-ups per connection: %s", f).isEqualTo(1.0);
        }
    }

    // ---- ngx_reorder_accept_events -------------------------------------------------------------------

    @Test
    @DisplayName("the reorder's strace: 2 workers, 18 connections: the head worker's 1st and 17th accept events end "
            + "with epoll_ctl(ep, EPOLL_CTL_DEL, 6, NULL) and the exclusive re-add; its 2nd..16th do not")
    void theReorderStrace() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1, 0.5)) {
            NgxMaster master = startIdle(sched, exclusive(2, true));
            List<NgxWorker> order = queueOrder(master);
            trickle(sched, 18);
            NgxWorker a = order.get(0);
            NgxWorker b = order.get(1);
            List<List<String>> aEvents = acceptEvents(sched, a);
            List<List<String>> bEvents = acceptEvents(sched, b);
            assertThat(aEvents).as("%s's accept events: connection 1, then 3..18 (its re-add put it behind %s for "
                    + "connection 2 only)", a, b).hasSize(17);
            assertThat(bEvents).as("%s's accept events: connection 2", b).hasSize(1);
            for (int k = 0; k < aEvents.size(); k++) {
                List<String> ev = aEvents.get(k);
                assertThat(ev.get(0)).as("%s's accept event %d starts with accept4 of 6", a, k + 1)
                        .startsWith("accept4(6, ");
                assertThat(ev.get(1)).as("%s's accept event %d: the new connection added edge-triggered", a, k + 1)
                        .startsWith("epoll_ctl(" + a.ep + ", EPOLL_CTL_ADD, ").contains("EPOLLET");
                if (k == 0 || k == 16) {
                    assertThat(ev.subList(2, ev.size())).as("%s's accept event %d (requests %d, %% 16 == 0): "
                            + "delete and re-add the listening socket; MOD is refused with EPOLLEXCLUSIVE, and the "
                            + "argument of DEL prints as NULL", a, k + 1, k).containsExactly(del(a.ep), exclusiveAdd(a.ep));
                } else {
                    assertThat(ev).as("%s's accept event %d (requests %d): no reorder", a, k + 1, k).hasSize(2);
                }
            }
            assertThat(bEvents.get(0).subList(2, bEvents.get(0).size())).as("%s's first accept event reorders too", b)
                    .containsExactly(del(b.ep), exclusiveAdd(b.ep));
            assertThat(a.connection(LISTEN_FD).requests).as("%s's listening connection: requests counts its accept "
                    + "events", a).isEqualTo(17);
            assertThat(queueOrder(master)).as("the queue after %s's 17th event re-added it at the tail", a)
                    .containsExactly(b, a);
        }
    }

    @Test
    @DisplayName("an accept event that ends in EAGAIN returns early and does not reorder (bursts of 6 to 2 workers, "
            + "32 seeds): requests counts only events that accepted")
    void eagainDoesNotReorder(Seeds seeds) {
        AtomicInteger eagainEvents = new AtomicInteger();
        seeds.explore(32, 0.5, sched -> {
            NgxMaster master = startIdle(sched, exclusive(2, true));
            Telnet.burst(sched, "client", 6);
            sched.runUntilIdle();
            for (NgxWorker w : master.workers) {
                List<List<String>> events = acceptEvents(sched, w);
                int accepted = 0;
                for (List<String> ev : events) {
                    assertThat(ev.get(0)).as("%s's accept event starts with accept4 of 6", w).startsWith("accept4(6, ");
                    if (ev.get(0).endsWith("= -1 EAGAIN (Resource temporarily unavailable)")) {
                        eagainEvents.incrementAndGet();
                        assertThat(ev).as("%s's EAGAIN accept event: ngx_event_accept returns at once, no "
                                + "ngx_reorder_accept_events", w).hasSize(1);
                    } else {
                        assertThat(ev.contains(del(w.ep))).as("%s's accept event %d that accepted: reordered iff "
                                + "it is the first (requests %% 16 == 0): %s", w, accepted + 1, ev)
                                .isEqualTo(accepted % 16 == 0);
                        accepted++;
                    }
                }
                assertThat(w.connection(LISTEN_FD).requests).as("%s's listening connection's requests: its accept "
                        + "events that ran out of the loop, not the EAGAIN ones", w).isEqualTo(accepted);
            }
        });
        assertThat(eagainEvents.get()).as("EAGAIN accept events over the 32 seeds: some seeds must produce one, or "
                + "this test checks nothing").isPositive();
    }

    @Test
    @DisplayName("a worker short of connections gives way at every accept event: worker_connections 16, 2 workers, "
            + "a trickle; the accept event that leaves the head worker with 1 free connection (ngx_accept_disabled = 1) "
            + "re-adds its socket though it is not a 16th, so the next connection goes to the other worker")
    void aWorkerShortOfConnectionsGivesWay() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1, 0.5)) {
            NgxMaster master = startIdle(sched, exclusive(2, true).withWorkerConnections(16));
            List<Integer> acceptors = new ArrayList<>();
            NgxWorker throttled = null;
            for (int i = 0; i < 24 && throttled == null; i++) {
                List<WorkerCounters> before = WorkerCounters.of(master);
                Telnet.burst(sched, "telnet" + (i + 1), 1);
                sched.runUntilIdle();
                List<WorkerCounters> c = WorkerCounters.since(master, before);
                NgxWorker w = master.workers.get(c.get(0).accepts() == 1 ? 0 : 1);
                acceptors.add(w.slot);
                if (w.acceptDisabled > 0) {
                    throttled = w;
                }
            }
            assertThat(throttled).as("a worker reached ngx_accept_disabled > 0 (acceptors so far: %s)", acceptors)
                    .isNotNull();
            assertThat(throttled.connection(LISTEN_FD).requests % 16).as("its accept events: not a 16th").isNotEqualTo(1);
            List<WorkerCounters> before = WorkerCounters.of(master);
            Telnet.burst(sched, "next", 1);
            sched.runUntilIdle();
            assertThat(WorkerCounters.since(master, before).get(1 - throttled.slot).accepts())
                    .as("the next connection goes to the other worker (acceptors before: %s)", acceptors).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("exactly 1/8 of its connections free is not short: worker_connections 16, 2 workers, a trickle; the "
            + "accept event that leaves a worker ngx_accept_disabled = 16/8 - 2 = 0 (and is not a 16th) ends without "
            + "the re-add (only ngx_accept_disabled > 0 reorders)")
    void exactlyAnEighthFreeDoesNotReorder() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1, 0.5)) {
            NgxMaster master = startIdle(sched, exclusive(2, true).withWorkerConnections(16));
            NgxWorker even = null;
            for (int i = 0; i < 24 && even == null; i++) {
                List<WorkerCounters> before = WorkerCounters.of(master);
                Telnet.burst(sched, "telnet" + (i + 1), 1);
                sched.runUntilIdle();
                List<WorkerCounters> c = WorkerCounters.since(master, before);
                NgxWorker w = master.workers.get(c.get(0).accepts() == 1 ? 0 : 1);
                if (w.acceptDisabled == 0) {
                    even = w;
                }
            }
            assertThat(even).as("a worker reached ngx_accept_disabled = 0").isNotNull();
            assertThat((even.connection(LISTEN_FD).requests - 1) % 16).as("its last accept event: not a 16th")
                    .isNotZero();
            List<List<String>> events = acceptEvents(sched, even);
            assertThat(events.get(events.size() - 1)).as("%s's last accept event: the accept and the new connection's "
                    + "add, no delete and re-add of socket 6", even).hasSize(2).doesNotContain(del(even.ep));
        }
    }
}
