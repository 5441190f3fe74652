package herd.epoll;

import static herd.course.kit.Epolls.ep;
import static herd.course.kit.Epolls.readyFds;
import static herd.course.kit.Epolls.slots;
import static herd.course.kit.Io.drain;
import static herd.course.kit.Io.eventfd;
import static herd.course.kit.Io.signal;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Syscalls.check;
import static herd.epoll.Epoll.EPOLLET;
import static herd.epoll.Epoll.EPOLL_CTL_ADD;
import static herd.epoll.EpollTests.newEpoll;
import static herd.fs.Poll.EPOLLIN;
import static org.assertj.core.api.Assertions.assertThat;

import herd.fs.Poll;
import herd.fs.PollFd;
import herd.fs.Process;
import herd.fs.Select;
import herd.sched.DeterministicScheduler;
import herd.sched.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * L02-E6, nested epoll: an epoll file is pollable, so an epoll can watch another one.
 * The inner epoll I (fd 3) watches an eventfd E (fd 4, data 4); the outer epoll O
 * (fd 5) watches I (data 3). A write to E runs I's {@code ep_poll_callback}, which wakes
 * I's {@code poll_wait} ({@code ep_poll_safewake}); O's entry there is O's own
 * {@code ep_poll_callback}, which queues O's item for I. Whoever polls I (poll(2), or O
 * re-polling its item through {@code __ep_eventpoll_poll}) only looks: it reports
 * EPOLLIN while I has a really-ready item and consumes nothing. The epolls are made with
 * {@link EpollTests#newEpoll} and filled with {@code epoll_ctl}, which reaches
 * {@code doEpollCtl} (L02-E6) first; the rest needs L02-E2 to E5.
 */
@Tag("lesson02")
@Tag("L02-E6")
class NestedEpollTest {
    private static final int I = 3;
    private static final int E = 4;
    private static final int O = 5;

    /** In the current process: I (3) watches E (4) with {@code innerEt}, O (5) watches I with {@code outerEt}. */
    private static void nest(boolean innerEt, boolean outerEt) {
        assertThat(newEpoll()).isEqualTo(I);
        assertThat(eventfd()).isEqualTo(E);
        assertThat(newEpoll()).isEqualTo(O);
        check(Epoll.epollCtl(I, EPOLL_CTL_ADD, E, new EpollEvent(EPOLLIN | (innerEt ? EPOLLET : 0), E)));
        check(Epoll.epollCtl(O, EPOLL_CTL_ADD, I, new EpollEvent(EPOLLIN | (outerEt ? EPOLLET : 0), I)));
    }

    /** {@code epoll_wait(epfd, 4 slots, 0)}'s result. */
    private static long waitNow(int epfd) {
        return Epoll.epollWait(epfd, slots(4), 4, 0);
    }

    /** {@code poll([{fd, POLLIN}], 0)}: its result and revents as "1 POLLIN". */
    private static String pollNow(int fd) {
        PollFd[] fds = {new PollFd(fd, EPOLLIN)};
        long n = Select.poll(fds, 0);
        return n + " " + (fds[0].revents == 0 ? "0" : Poll.names("POLL", fds[0].revents));
    }

    private static String mode(boolean et) {
        return et ? "ET" : "LT";
    }

    @Test
    @DisplayName("a write to the inner epoll's eventfd wakes a sleeper in epoll_wait on the outer epoll, which gets "
            + "the inner epoll's data with EPOLLIN; the inner item stays queued")
    void writeToInnerFileWakesOuterWaiter() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            EpollEvent[] events = slots(4);
            AtomicLong ret = new AtomicLong(-999);
            List<Integer> innerReady = new CopyOnWriteArrayList<>();
            Process p = new Process(sched, "test");
            Task waiter = p.spawn("waiter", () -> {
                nest(false, false);
                assertThat(ep(I).pollWait.waitqueueActive())
                        .as("ADD of I into O put O's entry on I's poll_wait (through I's poll)").isTrue();
                ret.set(Epoll.epollWait(O, events, 4, -1));
                innerReady.addAll(readyFds(ep(I)));
            });
            sched.runUntilIdle();
            assertThat(waiter.state()).as("epoll_wait(O, -1) sleeps while E is not written")
                    .isEqualTo(Task.TASK_INTERRUPTIBLE);
            p.spawn("writer", () -> signal(E, 1));
            sched.run();
            assertThat(ret.get()).as("epoll_wait(O) after a write to E, which only I watches").isEqualTo(1);
            assertThat(events[0].events).as("O reports I readable: EPOLLIN").isEqualTo(EPOLLIN);
            assertThat(events[0].data).as("with the data O's item for I was added with").isEqualTo(I);
            assertThat(innerReady).as("O's re-poll of I consumed nothing: E's item is still on I's ready list")
                    .containsExactly(E);
        }
    }

    @Test
    @DisplayName("poll(2) on an epoll reports POLLIN while it has a ready item and consumes nothing, for LT and ET "
            + "items: epoll_wait still returns the item afterwards")
    void pollOnAnEpollDoesNotConsume() {
        for (boolean innerEt : new boolean[] {false, true}) {
            inProcess(() -> {
                nest(innerEt, true);
                String inner = "inner item " + mode(innerEt);
                assertThat(pollNow(I)).as("%s: poll(I) before any write", inner).isEqualTo("0 0");
                signal(E, 1);
                assertThat(pollNow(I)).as("%s: poll(I) after a write to E: one fd with POLLIN", inner)
                        .isEqualTo("1 POLLIN");
                assertThat(pollNow(I)).as("%s: poll(I) again: the first poll consumed nothing", inner)
                        .isEqualTo("1 POLLIN");
                assertThat(pollNow(O)).as("%s: poll(O), two levels deep, sees I ready", inner).isEqualTo("1 POLLIN");
                assertThat(readyFds(ep(I))).as("%s: E's item is still on I's ready list after the polls", inner)
                        .containsExactly(E);
                assertThat(waitNow(O)).as("%s: the polls of O did not consume O's ET item for I either", inner)
                        .isEqualTo(1);
                EpollEvent[] events = slots(4);
                assertThat(Epoll.epollWait(I, events, 4, 0)).as("%s: epoll_wait(I, 0) after the polls", inner)
                        .isEqualTo(1);
                assertThat(events[0].data).as("%s: it returns E's item", inner).isEqualTo(E);
                assertThat(pollNow(I)).as("%s: poll(I) after epoll_wait(I) harvested the item: an LT item was "
                        + "re-queued and E is still readable, an ET one is gone", inner)
                        .isEqualTo(innerEt ? "0 0" : "1 POLLIN");
            });
        }
    }

    @Test
    @DisplayName("poll(2) sleeping on an epoll is woken by ep_poll_safewake when a watched file becomes ready")
    void pollSleepingOnAnEpollIsWoken() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            PollFd[] fds = {new PollFd(I, EPOLLIN)};
            AtomicLong ret = new AtomicLong(-999);
            Process p = new Process(sched, "test");
            Task poller = p.spawn("poller", () -> {
                nest(false, false);
                ret.set(Select.poll(fds, -1));
            });
            sched.runUntilIdle();
            assertThat(poller.state()).as("poll(I, -1) sleeps while E is not written").isEqualTo(Task.TASK_INTERRUPTIBLE);
            p.spawn("writer", () -> signal(E, 1));
            sched.run();
            assertThat(ret.get()).as("poll(I, -1) after a write to E").isEqualTo(1);
            assertThat(fds[0].revents).as("I's revents").isEqualTo(EPOLLIN);
        }
    }

    /**
     * The results of {@code epoll_wait(.., 0)} on O and I for one combination, step by
     * step: one write to E, O three times, a second write, O twice, I twice, O twice.
     */
    private static List<Long> sequence(boolean innerEt, boolean outerEt) {
        List<Long> out = new ArrayList<>();
        inProcess(() -> {
            nest(innerEt, outerEt);
            signal(E, 1);
            for (int i = 0; i < 3; i++) {
                out.add(waitNow(O));
            }
            signal(E, 1);
            for (int i = 0; i < 2; i++) {
                out.add(waitNow(O));
            }
            for (int i = 0; i < 2; i++) {
                out.add(waitNow(I));
            }
            for (int i = 0; i < 2; i++) {
                out.add(waitNow(O));
            }
        });
        return out;
    }

    @Test
    @DisplayName("inner LT/ET x outer LT/ET: an LT outer item is reported while I has a really-ready item, an ET "
            + "outer item once per wake-up of I's poll_wait; an ET inner item stays on I until epoll_wait(I)")
    void ltEtCombinations() {
        // Columns: after write 1: O O O | after write 2: O O | harvest: I I | then: O O
        Map<String, List<Long>> expected = new LinkedHashMap<>();
        expected.put("inner LT, outer LT", List.of(1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L));
        expected.put("inner LT, outer ET", List.of(1L, 0L, 0L, 1L, 0L, 1L, 1L, 0L, 0L));
        expected.put("inner ET, outer LT", List.of(1L, 1L, 1L, 1L, 1L, 1L, 0L, 0L, 0L));
        expected.put("inner ET, outer ET", List.of(1L, 0L, 0L, 1L, 0L, 1L, 0L, 0L, 0L));
        Map<String, String> why = Map.of(
                "inner LT, outer LT", "O re-polls I at each epoll_wait and I's LT item for E stays ready while E is "
                        + "unread, so O always reports I, and I itself reports E each time",
                "inner LT, outer ET", "O's ET item for I is reported once per wake-up of I's poll_wait (one per "
                        + "write to E); harvesting I does not wake I's poll_wait, so O has nothing after it",
                "inner ET, outer LT", "O's LT item stays ready while E's ET item waits on I's ready list (O's re-poll "
                        + "does not consume it); epoll_wait(I) harvests it once, then I is empty and O drops its item",
                "inner ET, outer ET", "O reports I once per write to E; I reports E once (ET), and nothing is left");
        System.out.printf("%nnested epoll: epoll_wait(.., 0) results%n| %-20s | %-11s | %-11s | %-7s | %-7s |%n",
                "combination", "w1: O O O", "w2: O O", "I I", "O O");
        Map<String, List<Long>> actual = new LinkedHashMap<>();
        for (boolean innerEt : new boolean[] {false, true}) {
            for (boolean outerEt : new boolean[] {false, true}) {
                String combo = "inner " + mode(innerEt) + ", outer " + mode(outerEt);
                List<Long> got = sequence(innerEt, outerEt);
                actual.put(combo, got);
                System.out.printf("| %-20s | %-11s | %-11s | %-7s | %-7s |%n", combo, got.subList(0, 3),
                        got.subList(3, 5), got.subList(5, 7), got.subList(7, 9));
            }
        }
        for (String combo : expected.keySet()) {
            assertThat(actual.get(combo))
                    .as("%s: epoll_wait(.., 0) results for [after one write: O, O, O; after a second write: O, O; "
                            + "I, I; O, O]: %s", combo, why.get(combo))
                    .containsExactlyElementsOf(expected.get(combo));
        }
    }

    @Test
    @DisplayName("once E is read, O's re-poll of I drops E's LT item from I's ready list and O reports nothing")
    void aDrainedInnerFileIsDroppedByTheOuterRepoll() {
        inProcess(() -> {
            nest(false, false);
            signal(E, 1);
            assertThat(waitNow(O)).as("O while E is readable").isEqualTo(1);
            assertThat(drain(E)).as("read E's count").isEqualTo(1);
            assertThat(readyFds(ep(I))).as("E's LT item is still on I's ready list until someone re-polls it")
                    .containsExactly(E);
            assertThat(waitNow(O)).as("O's re-poll of I finds E not ready any more").isZero();
            assertThat(readyFds(ep(I))).as("__ep_eventpoll_poll dropped E's item, which is not really ready").isEmpty();
            assertThat(readyFds(ep(O))).as("and O dropped its item for I").isEmpty();
            assertThat(waitNow(I)).as("epoll_wait(I) has nothing either").isZero();
        });
    }
}
