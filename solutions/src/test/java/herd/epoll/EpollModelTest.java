package herd.epoll;

import static herd.course.kit.Epolls.slots;
import static herd.course.kit.Io.eventfd;
import static herd.course.kit.Io.eventfdQueue;
import static herd.course.kit.Io.signal;
import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static herd.course.kit.Traces.strace;
import static herd.epoll.Epoll.EPOLL_CTL_ADD;
import static herd.epoll.Epoll.EPOLL_CTL_DEL;
import static herd.epoll.Epoll.EPOLL_CTL_MOD;
import static herd.fs.Poll.EPOLLIN;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Epolls;
import herd.course.kit.Schedulers;
import herd.fs.EventFd;
import herd.fs.File;
import herd.fs.FileOperations;
import herd.fs.PollTable;
import herd.fs.Process;
import herd.fs.Vfs;
import herd.locking.Mutex;
import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.sched.Task;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The given code of fs/eventpoll.c that the lessons' tests leave unchecked: the file
 * references {@code epoll_ctl} and {@code epoll_wait} take and put, what closing an epoll
 * does to the files it watched ({@code ep_free}), and the state {@code ep_poll} leaves the
 * task in when its re-check finds events.
 */
class EpollModelTest {
    @AutoClose
    private final Schedulers schedulers = new Schedulers();
    private final DeterministicScheduler sched = schedulers.deterministic(1);

    private static int epoll() {
        return (int) check(Epoll.epollCreate1(0));
    }

    private static EventPoll ep(int epfd) {
        return (EventPoll) file(epfd).privateData;
    }

    private static long ctl(int epfd, int op, int fd, int events) {
        return Epoll.epollCtl(epfd, op, fd, new EpollEvent(events, fd));
    }

    @Test
    @DisplayName("epoll_ctl and epoll_wait hold their files only for the call (fdget/fdput), on success and on "
            + "every error: the counts are back to 1 after each")
    void epollCtlAndEpollWaitPutTheirFileReferences() {
        inProcess(sched, () -> {
            int epfd = epoll();
            int other = epoll();
            int efd = eventfd();
            File epFile = file(epfd);
            File efdFile = file(efd);
            Map<String, String> got = new LinkedHashMap<>();
            got.put("ADD", errno(ctl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN)));
            got.put("ADD again", errno(ctl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN)));
            got.put("MOD", errno(ctl(epfd, EPOLL_CTL_MOD, efd, EPOLLIN)));
            got.put("MOD, not watched by the other epoll", errno(ctl(other, EPOLL_CTL_MOD, efd, EPOLLIN)));
            got.put("op 9", errno(ctl(epfd, 9, efd, EPOLLIN)));
            got.put("target fd 99", errno(ctl(epfd, EPOLL_CTL_ADD, 99, EPOLLIN)));
            got.put("target /dev/null", errno(ctl(epfd, EPOLL_CTL_ADD, 0, EPOLLIN)));
            got.put("the epoll itself", errno(ctl(epfd, EPOLL_CTL_ADD, epfd, EPOLLIN)));
            got.put("epfd is the eventfd", errno(ctl(efd, EPOLL_CTL_ADD, epfd, EPOLLIN)));
            got.put("epoll_wait", errno(Epoll.epollWait(epfd, slots(1), 1, 0)));
            got.put("epoll_wait on the eventfd", errno(Epoll.epollWait(efd, slots(1), 1, 0)));
            got.put("DEL", errno(Epoll.epollCtl(epfd, EPOLL_CTL_DEL, efd, null)));
            got.put("DEL again", errno(Epoll.epollCtl(epfd, EPOLL_CTL_DEL, efd, null)));
            assertThat(got).containsExactly(Map.entry("ADD", "0"), Map.entry("ADD again", "EEXIST"),
                    Map.entry("MOD", "0"), Map.entry("MOD, not watched by the other epoll", "ENOENT"),
                    Map.entry("op 9", "EINVAL"), Map.entry("target fd 99", "EBADF"),
                    Map.entry("target /dev/null", "EPERM"), Map.entry("the epoll itself", "EINVAL"),
                    Map.entry("epfd is the eventfd", "EINVAL"), Map.entry("epoll_wait", "0"),
                    Map.entry("epoll_wait on the eventfd", "EINVAL"), Map.entry("DEL", "0"),
                    Map.entry("DEL again", "ENOENT"));
            assertThat(epFile.fileCount()).as("the epoll's file: the descriptor's reference only; a missing fput "
                    + "would keep the epoll alive after its last close").isEqualTo(1);
            assertThat(efdFile.fileCount()).as("the watched file: the descriptor's reference only (an epoll item "
                    + "holds no reference on the file it watches)").isEqualTo(1);
            assertThat(file(other).fileCount()).as("the other epoll's file").isEqualTo(1);
            assertThat(file(0).fileCount()).as("/dev/null, shared by fds 0, 1 and 2").isEqualTo(3);
        });
    }

    @Test
    @DisplayName("closing an epoll (ep_free) takes its entries off the watched files' wait queues and uncounts "
            + "its watches: a later wake-up of the file calls no ep_poll_callback of the dead epoll")
    void closingAnEpollUnhooksItsCallbacks() {
        inProcess(sched, () -> {
            int epfd = epoll();
            int keep = epoll();
            int efd = eventfd();
            check(ctl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN));
            check(ctl(keep, EPOLL_CTL_ADD, efd, EPOLLIN));
            EventPoll dead = ep(epfd);
            EpItem item = dead.items().get(0);
            File efdFile = file(efd);
            assertThat(item.pwqlist()).as("the item's entry on the eventfd's queue").hasSize(1);
            assertThat(eventfdQueue(efdFile).head.size()).as("one entry per epoll on the eventfd's queue").isEqualTo(2);
            assertThat(dead.user.epollWatches.get()).as("two watches counted for the user").isEqualTo(2);

            check(Vfs.close(epfd));
            assertThat(eventfdQueue(efdFile).head.size()).as("ep_free -> ep_remove -> ep_unregister_pollwait: the "
                    + "closed epoll's entry is gone, the other epoll's stays").isEqualTo(1);
            assertThat(efdFile.fEp.size()).as("and its item is off the eventfd's f_ep").isEqualTo(1);
            assertThat(dead.items()).as("its tree is empty").isEmpty();
            assertThat(item.pwqlist()).as("ep_unregister_pollwait emptied the item's pwqlist").isEmpty();
            assertThat(dead.user.epollWatches.get()).as("its watch is uncounted").isEqualTo(1);
            signal(efd, 1);
            assertThat(dead.callbacks.sum()).as("a write to the eventfd no longer reaches the dead epoll's "
                    + "ep_poll_callback").isZero();
            assertThat(ep(keep).callbacks.sum()).as("the open one's is called").isEqualTo(1);
        });
    }

    /**
     * A file whose {@code ->poll} reports nothing and, while it is polled, makes another
     * file readable: a wake-up that reaches the epoll during {@code ep_send_events}'s scan.
     */
    private record WakesAnotherWhenPolled(EventFd.Ctx other, AtomicBoolean armed) implements FileOperations {
        @Override
        public int poll(File file, PollTable wait) {
            if (armed.get()) {
                EventFd.eventfdSignal(other);
            }
            return 0;
        }
    }

    @Test
    @DisplayName("ep_poll's re-check under ep->lock finds events that came during the scan: it does not sleep, "
            + "and sets the task back to TASK_RUNNING before harvesting them")
    void aReCheckThatFindsEventsLeavesTheTaskRunning() {
        inProcess(sched, () -> {
            int epfd = epoll();
            int efd = eventfd();
            EventFd.Ctx ctx = (EventFd.Ctx) file(efd).privateData;
            AtomicBoolean armed = new AtomicBoolean();
            File quiet = new File("quiet", new WakesAnotherWhenPolled(ctx, armed), null, 0);
            int qfd = Process.current().files.installNew(quiet);
            check(ctl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN));
            check(ctl(epfd, EPOLL_CTL_ADD, qfd, EPOLLIN));
            EventPoll ep = ep(epfd);
            assertThat(ep.readyList()).as("nothing is ready yet").isEmpty();
            armed.set(true);
            ep.lock.lock();
            try {
                ep.rdllist.addTail(Epolls.item(ep, qfd).rdllink);
            } finally {
                ep.lock.unlock();
            }
            long switches = Task.current().voluntarySwitches();
            EpollEvent[] events = slots(1);
            assertThat(Epoll.epollWait(epfd, events, 1, -1)).as("the scan found the quiet file not ready, but its "
                    + "poll made the eventfd ready, chained on ovflist and put back by ep_done_scan").isEqualTo(1);
            assertThat(events[0].data).as("the eventfd's event").isEqualTo(efd);
            assertThat(Task.current().voluntarySwitches()).as("the re-check found it: no sleep").isEqualTo(switches);
            assertThat(Task.stateName(Task.current().state())).as("ep_poll returns with the task running "
                    + "(__set_current_state(TASK_RUNNING) after the re-check); left TASK_INTERRUPTIBLE, its next "
                    + "schedule() would sleep with nobody to wake it").isEqualTo("TASK_RUNNING");
        });
    }

    @Test
    @DisplayName("strace prints the epoll calls as strace -f does: flags and ops by name, the events delivered, "
            + "NULL for no buffer or no event")
    void straceLines() {
        inProcess(sched, () -> {
            int epfd = (int) check(Epoll.epollCreate1(Epoll.EPOLL_CLOEXEC));
            Epoll.epollCreate1(7);
            Epoll.epollCreate(0);
            int efd = eventfd(1);
            Epoll.epollCtl(epfd, EPOLL_CTL_ADD, efd, new EpollEvent(EPOLLIN | Epoll.EPOLLET, 1L << 32 | 5));
            Epoll.epollCtl(epfd, EPOLL_CTL_MOD, efd, null);
            Epoll.epollCtl(epfd, 9, efd, new EpollEvent(0, 0));
            Epoll.epollWait(epfd, slots(2), 2, 0);
            Epoll.epollCtl(epfd, EPOLL_CTL_MOD, efd,
                    new EpollEvent(Epoll.EPOLLONESHOT | Epoll.EPOLLWAKEUP | Epoll.EPOLLET, 0));
            Epoll.epollWait(epfd, null, 1, 0);
            Epoll.epollWait(99, slots(1), 1, 0);
            Epoll.epollCtl(epfd, EPOLL_CTL_DEL, efd, null);
        });
        assertThat(strace(sched)).containsExactly(
                "[pid   100] epoll_create1(EPOLL_CLOEXEC) = 3",
                "[pid   100] epoll_create1(7) = -1 EINVAL (Invalid argument)",
                "[pid   100] epoll_create(0) = -1 EINVAL (Invalid argument)",
                "[pid   100] eventfd2(1, EFD_NONBLOCK) = 4",
                "[pid   100] epoll_ctl(3, EPOLL_CTL_ADD, 4, {events=EPOLLIN|EPOLLET, data={u32=5, u64=4294967301}}) = 0",
                "[pid   100] epoll_ctl(3, EPOLL_CTL_MOD, 4, NULL) = -1 EFAULT (Bad address)",
                "[pid   100] epoll_ctl(3, 0x9 /* EPOLL_CTL_??? */, 4, {events=0, data={u32=0, u64=0}}) = -1 EINVAL (Invalid argument)",
                "[pid   100] epoll_wait(3, [{events=EPOLLIN, data={u32=5, u64=4294967301}}], 2, 0) = 1",
                "[pid   100] epoll_ctl(3, EPOLL_CTL_MOD, 4, {events=EPOLLWAKEUP|EPOLLONESHOT|EPOLLET, data={u32=0, u64=0}}) = 0",
                "[pid   100] epoll_wait(3, NULL, 1, 0) = -1 EFAULT (Bad address)",
                "[pid   100] epoll_wait(99, 0x7ffc0000, 1, 0) = -1 EBADF (Bad file descriptor)",
                "[pid   100] epoll_ctl(3, EPOLL_CTL_DEL, 4, NULL) = 0");
    }

    @Test
    @DisplayName("epoll_ctl takes epnested_mutex only for an ADD that may build a chain of epolls (the target is an "
            + "epoll, or this epoll is watched by one); other calls never wait for another task's loop check")
    void epnestedMutexOnlyForAddsThatMayNest() {
        Map<String, Boolean> waited = new LinkedHashMap<>();
        Process p = new Process(sched, "test");
        p.spawn("ctl", () -> {
            int plain = epoll();
            int watched = epoll();
            int outer = epoll();
            int efd = eventfd();
            int efd2 = eventfd();
            check(ctl(outer, EPOLL_CTL_ADD, watched, EPOLLIN));
            Mutex epnested = EpollLoopCheck.epnestedMutex();
            Process.current().spawn("holder", () -> {
                epnested.lock();
                Sched.scheduleTimeoutUninterruptible(1_000_000_000L);
                epnested.unlock();
            });
            Sched.scheduleTimeoutUninterruptible(1_000L);
            assertThat(epnested.isLocked()).as("the holder has epnested_mutex").isTrue();
            Map<String, Runnable> calls = new LinkedHashMap<>();
            calls.put("ADD of an eventfd to an unwatched epoll", () -> check(ctl(plain, EPOLL_CTL_ADD, efd, EPOLLIN)));
            calls.put("MOD of it", () -> check(ctl(plain, EPOLL_CTL_MOD, efd, EPOLLIN)));
            calls.put("DEL of it", () -> check(Epoll.epollCtl(plain, EPOLL_CTL_DEL, efd, null)));
            calls.put("ADD of an eventfd to a watched epoll", () -> check(ctl(watched, EPOLL_CTL_ADD, efd2, EPOLLIN)));
            for (Map.Entry<String, Runnable> call : calls.entrySet()) {
                long start = sched.clock();
                call.getValue().run();
                waited.put(call.getKey(), sched.clock() - start > 500_000_000L);
            }
        });
        sched.runUntilIdle();
        assertThat(waited).as("whether each call waited for the task that held epnested_mutex for 1 s: do_epoll_ctl "
                + "takes it (full_check) only for EPOLL_CTL_ADD when f.file->f_ep is set or the target is an epoll")
                .containsExactly(Map.entry("ADD of an eventfd to an unwatched epoll", false),
                        Map.entry("MOD of it", false), Map.entry("DEL of it", false),
                        Map.entry("ADD of an eventfd to a watched epoll", true));
    }

    @Test
    @DisplayName("the last close of a watched file racing with the last close of its epoll: the item is removed "
            + "once and its watch uncounted once (eventpoll_release_file marks it dying; ep_clear_and_put leaves it)")
    void aFileAndItsEpollClosedTogetherRemoveTheItemOnce() {
        AtomicLong watches = new AtomicLong(-99);
        AtomicLong items = new AtomicLong(-99);
        Process p = new Process(sched, "test");
        p.spawn("epoll closer", () -> {
            int epfd = epoll();
            int efd = eventfd();
            check(ctl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN));
            EventPoll ep = ep(epfd);
            ep.mtx.lock(); // as an epoll_ctl on this epoll holds it
            Process.current().spawn("file closer", () -> check(Vfs.close(efd)));
            Sched.scheduleTimeoutUninterruptible(1_000L);
            assertThat(ep.mtx.owner()).as("this task still holds ep->mtx").isSameAs(Task.current());
            ep.mtx.unlock(); // wakes the file closer, which waits for ep->mtx in eventpoll_release_file
            check(Vfs.close(epfd)); // this task runs on: ep_clear_and_put takes ep->mtx first
            Sched.scheduleTimeoutUninterruptible(1_000L); // the file closer gets ep->mtx
            watches.set(ep.user.epollWatches.get());
            items.set(ep.items().size());
        });
        sched.runUntilIdle();
        assertThat(items.get()).as("the item is gone").isZero();
        assertThat(watches.get()).as("the user's epoll_watches: the one watch uncounted once, not twice (a second "
                + "ep_remove of the same item would make it -1)").isZero();
    }

    @Test
    @DisplayName("epoll_wait: maxevents up to EP_MAX_EVENTS passes the range check (a buffer that short is then "
            + "EFAULT); one more is EINVAL")
    void maxeventsUpToEpMaxEvents() {
        inProcess(sched, () -> {
            int epfd = epoll();
            assertThat(errno(Epoll.epollWait(epfd, slots(1), Epoll.EP_MAX_EVENTS, 0)))
                    .as("maxevents == EP_MAX_EVENTS is in range; the one-slot buffer is not that long")
                    .isEqualTo("EFAULT");
            assertThat(errno(Epoll.epollWait(epfd, slots(1), Epoll.EP_MAX_EVENTS + 1, 0)))
                    .as("maxevents > EP_MAX_EVENTS").isEqualTo("EINVAL");
        });
    }

    @Test
    @DisplayName("an epoll and its items name themselves in reports: the file, the fd, the overflow sentinel")
    void reportsNameEpollsAndItems() {
        inProcess(sched, () -> {
            int epfd = epoll();
            int efd = eventfd();
            check(ctl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN));
            EventPoll ep = ep(epfd);
            assertThat(ep).hasToString("eventpoll(anon_inode:[eventpoll])");
            assertThat(new EventPoll(ep.user)).as("before ep->file is set").hasToString("eventpoll(no file)");
            assertThat(ep.items()).singleElement().hasToString("epitem(fd 4, anon_inode:[eventfd])");
            assertThat(EventPoll.EP_UNACTIVE_PTR).hasToString("EP_UNACTIVE_PTR");
        });
    }

    @Test
    @DisplayName("a thread woken by a signal whose entry is still on ep->wq (the event's callback woke the newer "
            + "waiter) harvests the event before it looks at the signal: eavail is re-checked only after a timeout")
    void aSignalledWaiterStillQueuedHarvestsFirst() {
        AtomicLong first = new AtomicLong(-999);
        AtomicLong second = new AtomicLong(-999);
        int[] fds = new int[2];
        Process p = new Process(sched, "test");
        Task older = p.spawn("older", () -> {
            fds[0] = epoll();
            fds[1] = eventfd();
            check(ctl(fds[0], EPOLL_CTL_ADD, fds[1], EPOLLIN));
            first.set(Epoll.epollWait(fds[0], slots(1), 1, -1));
        });
        sched.runUntil(sched.clock());
        p.spawn("newer", () -> second.set(Epoll.epollWait(fds[0], slots(1), 1, -1)));
        sched.runUntil(sched.clock());
        assertThat(older.state()).as("the older waiter sleeps").isEqualTo(Task.TASK_INTERRUPTIBLE);
        p.spawn("signal-then-event", () -> {
            Sched.sendSignal(older);
            signal(fds[1], 1);
        });
        sched.runUntilIdle();
        assertThat(second.get()).as("the callback's exclusive wake-up went to the newer waiter, at the head of ep->wq")
                .isEqualTo(1);
        assertThat(first.get()).as("the older one, woken by the signal with its entry still queued, harvests the "
                + "level-triggered event too (ep_poll: eavail = 1 after any wake-up; -EINTR only when nothing was "
                + "delivered)").isEqualTo(1);
    }

    @Test
    @DisplayName("with stdin closed, epoll_create1 returns descriptor 0: the lowest free one")
    void epollCreateCanReturnDescriptorZero() {
        inProcess(sched, () -> {
            check(Vfs.close(0));
            assertThat(Epoll.epollCreate1(0)).as("get_unused_fd_flags: fd 0 is free").isZero();
            assertThat(file(0).privateData).as("fd 0 is the new epoll").isInstanceOf(EventPoll.class);
        });
    }
}
