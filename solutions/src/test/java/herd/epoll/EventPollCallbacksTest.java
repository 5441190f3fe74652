package herd.epoll;

import static herd.course.kit.Epolls.slots;
import static herd.course.kit.Io.signal;
import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Syscalls.check;
import static herd.epoll.Epoll.EPOLLET;
import static herd.epoll.Epoll.EPOLLONESHOT;
import static herd.epoll.Epoll.EPOLL_CTL_ADD;
import static herd.epoll.Epoll.EPOLL_CTL_DEL;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLOUT;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Schedulers;
import herd.fs.EventFd;
import herd.fs.File;
import herd.fs.Process;
import herd.fs.Vfs;
import herd.sched.DeterministicScheduler;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * {@link EventPoll#callbacks}: every call of {@code ep_poll_callback} for one of the
 * epoll's items, as a kprobe on the function would count it keyed by the epoll. It
 * counts CALLS, not queued items: a wake-up whose key the item does not want, an item
 * already on the ready list, a disabled {@code EPOLLONESHOT} item all cost a call.
 */
class EventPollCallbacksTest {
    @AutoClose
    private final Schedulers schedulers = new Schedulers();
    private final DeterministicScheduler sched = schedulers.deterministic(1);

    private static EventPoll ep(int epfd) {
        File file = file(epfd);
        assertThat(file.privateData).as("fd %d is an epoll", epfd).isInstanceOf(EventPoll.class);
        return (EventPoll) file.privateData;
    }

    private static int epoll() {
        return (int) check(Epoll.epollCreate1(0));
    }

    /** Two new epolls, each watching {@code fd} for EPOLLIN. */
    private static int[] twoEpollsWatching(int fd) {
        int[] eps = {epoll(), epoll()};
        add(eps[0], fd, EPOLLIN);
        add(eps[1], fd, EPOLLIN);
        return eps;
    }

    private static void add(int epfd, int fd, int events) {
        check(Epoll.epollCtl(epfd, EPOLL_CTL_ADD, fd, new EpollEvent(events, fd)));
    }

    private static long callbacks(int epfd) {
        return ep(epfd).callbacks.sum();
    }

    private static int ready(int epfd) {
        return ep(epfd).readyList().size();
    }

    private static long read(int efd) {
        return Vfs.read(efd, new byte[Long.BYTES], Long.BYTES);
    }

    @Test
    void aNewEpollAndAnAddCountNoCall() {
        inProcess(sched, () -> {
            int efd = (int) check(EventFd.eventfd2(1, EventFd.EFD_NONBLOCK));
            int ep = epoll();
            assertThat(callbacks(ep)).as("a new epoll has had no callback").isZero();
            add(ep, efd, EPOLLIN);
            assertThat(ready(ep)).as("EPOLL_CTL_ADD of a readable eventfd queues it by itself (ep_insert polls)")
                    .isEqualTo(1);
            assertThat(callbacks(ep)).as("but ep_insert polls the file, it does not call ep_poll_callback")
                    .isZero();
        });
    }

    @Test
    void twoEpollsOnOneEventfdEachCountEveryWakeupOfTheFile() {
        inProcess(sched, () -> {
            int efd = (int) check(EventFd.eventfd2(0, EventFd.EFD_NONBLOCK));
            int[] eps = twoEpollsWatching(efd);
            int ep1 = eps[0];
            int ep2 = eps[1];

            signal(efd, 1);
            assertThat(callbacks(ep1)).as("the write's wake-up (key EPOLLIN) calls ep1's callback once")
                    .isEqualTo(1);
            assertThat(callbacks(ep2)).as("and ep2's once: one wake-up of the file, one call per epoll watching it")
                    .isEqualTo(1);
            assertThat(ready(ep1)).as("ep1 queued the eventfd").isEqualTo(1);
            assertThat(ready(ep2)).as("ep2 queued the eventfd").isEqualTo(1);

            assertThat(read(efd)).as("the read takes the count").isEqualTo(Long.BYTES);
            assertThat(callbacks(ep1)).as("the read wakes the writers with key EPOLLOUT: ep1's item wants only "
                    + "EPOLLIN and filters it out, yet the call is counted").isEqualTo(2);
            assertThat(callbacks(ep2)).as("the same for ep2").isEqualTo(2);

            assertThat(read(efd)).as("a read of a 0 count fails").isNegative();
            assertThat(callbacks(ep1)).as("a failed read wakes nobody: no call").isEqualTo(2);
            assertThat(callbacks(ep2)).as("no call for ep2 either").isEqualTo(2);
        });
    }

    @Test
    void aCallWhoseKeyTheItemFiltersOutIsCountedButQueuesNothing() {
        inProcess(sched, () -> {
            int efd = (int) check(EventFd.eventfd2(0, EventFd.EFD_NONBLOCK));
            int readers = epoll();
            int writers = epoll();
            add(readers, efd, EPOLLIN);
            add(writers, efd, EPOLLOUT | EPOLLET);
            assertThat(Epoll.epollWait(writers, slots(4), 4, 0))
                    .as("the eventfd is writable from the start: reported once, and being edge-triggered it "
                            + "leaves the ready list").isEqualTo(1);
            assertThat(ready(writers)).as("the writers' ready list is empty").isZero();

            signal(efd, 1);
            assertThat(callbacks(readers)).as("the write (key EPOLLIN) calls the readers' callback").isEqualTo(1);
            assertThat(ready(readers)).as("which queues the item").isEqualTo(1);
            assertThat(callbacks(writers))
                    .as("it calls the writers' callback too: the key EPOLLIN is not in the item's EPOLLOUT, so "
                            + "nothing is queued, but the call is counted").isEqualTo(1);
            assertThat(ready(writers)).as("nothing queued for the writers").isZero();
        });
    }

    @Test
    void aDisabledOneShotItemStillCostsACall() {
        inProcess(sched, () -> {
            int efd = (int) check(EventFd.eventfd2(0, EventFd.EFD_NONBLOCK));
            int ep = epoll();
            add(ep, efd, EPOLLIN | EPOLLONESHOT);
            signal(efd, 1);
            assertThat(Epoll.epollWait(ep, slots(4), 4, 0)).as("the one-shot item is reported once").isEqualTo(1);
            assertThat(ready(ep)).as("and disabled: off the ready list").isZero();
            signal(efd, 1);
            assertThat(callbacks(ep)).as("the second write still calls ep_poll_callback for the disabled item")
                    .isEqualTo(2);
            assertThat(ready(ep)).as("which queues nothing until EPOLL_CTL_MOD re-arms it").isZero();
        });
    }

    @Test
    void anItemAlreadyOnTheReadyListIsNotQueuedTwiceButEachCallCounts() {
        inProcess(sched, () -> {
            int efd = (int) check(EventFd.eventfd2(0, EventFd.EFD_NONBLOCK));
            int ep = epoll();
            add(ep, efd, EPOLLIN);
            signal(efd, 1);
            signal(efd, 1);
            signal(efd, 1);
            assertThat(callbacks(ep)).as("three writes, three calls").isEqualTo(3);
            assertThat(ready(ep)).as("one item, linked once however often it is called").isEqualTo(1);
        });
    }

    @Test
    void callsAreCountedPerEpoll() {
        inProcess(sched, () -> {
            int efd1 = (int) check(EventFd.eventfd2(0, EventFd.EFD_NONBLOCK));
            int efd2 = (int) check(EventFd.eventfd2(0, EventFd.EFD_NONBLOCK));
            int ep1 = epoll();
            int ep2 = epoll();
            add(ep1, efd1, EPOLLIN);
            add(ep2, efd2, EPOLLIN);
            signal(efd1, 1);
            signal(efd1, 1);
            signal(efd2, 1);
            assertThat(callbacks(ep1)).as("ep1 watches efd1, written twice").isEqualTo(2);
            assertThat(callbacks(ep2)).as("ep2 watches efd2 only: efd1's wake-ups are not its calls")
                    .isEqualTo(1);
        });
    }

    @Test
    void afterEpollCtlDelTheFileNoLongerCallsIt() {
        inProcess(sched, () -> {
            int efd = (int) check(EventFd.eventfd2(0, EventFd.EFD_NONBLOCK));
            int[] eps = twoEpollsWatching(efd);
            int ep1 = eps[0];
            int ep2 = eps[1];
            signal(efd, 1);
            check(Epoll.epollCtl(ep1, EPOLL_CTL_DEL, efd, null));
            signal(efd, 1);
            assertThat(callbacks(ep1)).as("EPOLL_CTL_DEL took ep1's entry off the eventfd's queue: one call only")
                    .isEqualTo(1);
            assertThat(callbacks(ep2)).as("ep2 still watches: two calls").isEqualTo(2);
        });
    }

    @Test
    void nEpollsWatchingOneFileCostNCallsPerWakeup() {
        // The herd's price: every worker's epoll watches the one listening socket.
        int n = 8;
        inProcess(sched, () -> {
            int efd = (int) check(EventFd.eventfd2(0, EventFd.EFD_NONBLOCK));
            int[] eps = new int[n];
            for (int i = 0; i < n; i++) {
                eps[i] = epoll();
                add(eps[i], efd, EPOLLIN);
            }
            signal(efd, 1);
            long total = 0;
            for (int i = 0; i < n; i++) {
                assertThat(callbacks(eps[i])).as("epoll %d of %d: one call for the one write", i + 1, n)
                        .isEqualTo(1);
                total += callbacks(eps[i]);
            }
            assertThat(total).as("one wake-up of a file watched by %d epolls: %d calls", n, n).isEqualTo(n);
            assertThat(Process.current().files.openFds()).as("the eventfd and the %d epolls", n).hasSize(3 + 1 + n);
        });
    }
}
