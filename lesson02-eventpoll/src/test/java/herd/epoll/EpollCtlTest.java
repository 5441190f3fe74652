package herd.epoll;

import static herd.course.kit.Epolls.data;
import static herd.course.kit.Epolls.readyFds;
import static herd.course.kit.Epolls.slots;
import static herd.course.kit.Io.eventfd;
import static herd.course.kit.Io.signal;
import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static herd.epoll.Epoll.EPOLLET;
import static herd.epoll.Epoll.EPOLLONESHOT;
import static herd.epoll.Epoll.EPOLLWAKEUP;
import static herd.epoll.Epoll.EPOLL_CTL_ADD;
import static herd.epoll.Epoll.EPOLL_CTL_DEL;
import static herd.epoll.Epoll.EPOLL_CTL_MOD;
import static herd.epoll.EpollTests.newEpoll;
import static herd.fs.Poll.EPOLLERR;
import static herd.fs.Poll.EPOLLHUP;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLOUT;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Epolls;
import herd.fs.EventFd;
import herd.fs.File;
import herd.fs.Process;
import herd.fs.RegularFile;
import herd.fs.Vfs;
import herd.sched.DeterministicScheduler;
import herd.sched.Task;
import herd.wait.WaitQueueHead;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * L02-E6, {@code do_epoll_ctl} and {@code ep_modify}, and the loop check of
 * {@code EpollLoopCheck}: which errno each bad call gets, in the kernel's order of
 * checks (kernel-spec 2.4), what ADD, MOD and DEL do to the item, and how deep epolls
 * may watch epolls. The epolls are made with {@link EpollTests#newEpoll}, so every
 * {@code epoll_ctl} that gets past the {@code EFAULT} check of the given
 * {@link Epoll#epollCtl} wrapper reaches {@code doEpollCtl} (L02-E6) first; adding items
 * needs L02-E2 and E3 as well, and harvesting them L02-E4 and E5.
 */
@Tag("lesson02")
@Tag("L02-E6")
class EpollCtlTest {
    private static final int EPFD = 3;
    private static final int EFD = 4;
    private static final int REG = 5;
    private static final int NOT_EPOLL = 6;
    private static final int EPFD2 = 7;
    private static final int BAD = 99;

    /** One row of an errno table: what is tried, the call, and the errno the kernel gives ("0" for success). */
    private record Row(String what, LongSupplier call, String expected) {
    }

    private static Row row(String what, String expected, LongSupplier call) {
        return new Row(what, call, expected);
    }

    /** {@code epoll_ctl(epfd, op, fd, {events, data = fd})}. */
    private static long ctl(int epfd, int op, int fd, int events) {
        return Epoll.epollCtl(epfd, op, fd, new EpollEvent(events, fd));
    }

    /** Runs the rows in order, prints each as a row of a table, and checks each against its errno. */
    private static void runTable(String title, List<Row> rows) {
        List<String> got = new ArrayList<>();
        System.out.printf("%n%s%n| %-100s | %-8s | %-8s |%n|%s|%s|%s|%n", title, "case", "expected", "got",
                "-".repeat(102), "-".repeat(10), "-".repeat(10));
        for (Row r : rows) {
            String actual = errno(r.call().getAsLong());
            got.add(actual);
            System.out.printf("| %-100s | %-8s | %-8s |%n", r.what(), r.expected(), actual);
            assertThat(actual).as("%s: the kernel's checks, in their order, give %s", r.what(), r.expected())
                    .isEqualTo(r.expected());
        }
        assertThat(got).as("every row ran").hasSize(rows.size());
    }

    /** The one item of {@code epfd}. */
    private static EpItem onlyItem(int epfd) {
        List<EpItem> items = Epolls.ep(epfd).items();
        assertThat(items).as("the epoll has exactly one item").hasSize(1);
        return items.get(0);
    }

    @Test
    @DisplayName("epoll_ctl's errno table: EFAULT (event copied unless DEL), EBADF epfd then fd, EPERM, EINVAL "
            + "(same file, not an epoll), ELOOP, then by op EEXIST / ENOENT, and EINVAL for an unknown op last")
    void errnoTableInTheKernelsOrder() {
        inProcess(() -> {
            assertThat(newEpoll()).isEqualTo(EPFD);
            assertThat(eventfd()).isEqualTo(EFD);
            assertThat(RegularFile.open("/etc/hosts")).as("open(/etc/hosts)").isEqualTo(REG);
            assertThat(eventfd()).isEqualTo(NOT_EPOLL);
            assertThat(newEpoll()).isEqualTo(EPFD2);
            EpollEvent ev = new EpollEvent(EPOLLIN, 1);
            runTable("epoll_ctl errno table (epfd 3 = epoll, 4 = eventfd, 5 = /etc/hosts, 6 = eventfd, "
                    + "7 = epoll, 99 = not open)", List.of(
                    // 1. copy_from_user of the event, for every op but DEL: before any fd is looked at.
                    row("ADD, event NULL, epfd 99 and fd 99 not open (event copied first)", "EFAULT",
                            () -> Epoll.epollCtl(BAD, EPOLL_CTL_ADD, BAD, null)),
                    row("MOD, event NULL, epfd 99 and fd 99 not open", "EFAULT",
                            () -> Epoll.epollCtl(BAD, EPOLL_CTL_MOD, BAD, null)),
                    row("op 4 (unknown), event NULL, valid fds (op != DEL, so the event is copied)", "EFAULT",
                            () -> Epoll.epollCtl(EPFD, 4, EFD, null)),
                    row("op 0 (unknown), event NULL, valid fds", "EFAULT",
                            () -> Epoll.epollCtl(EPFD, 0, EFD, null)),
                    // 2.-3. fget(epfd), then fget(fd).
                    row("DEL, event NULL, epfd 99 not open (DEL copies no event)", "EBADF",
                            () -> Epoll.epollCtl(BAD, EPOLL_CTL_DEL, BAD, null)),
                    row("ADD, epfd 99 not open, fd 5 regular file (epfd before the target's EPERM)", "EBADF",
                            () -> ctl(BAD, EPOLL_CTL_ADD, REG, EPOLLIN)),
                    row("ADD, epfd 99 not open, fd 3 an epoll", "EBADF",
                            () -> ctl(BAD, EPOLL_CTL_ADD, EPFD, EPOLLIN)),
                    row("ADD, epfd 6 an eventfd, fd 99 not open (bad fd before not-an-epoll EINVAL)", "EBADF",
                            () -> ctl(NOT_EPOLL, EPOLL_CTL_ADD, BAD, EPOLLIN)),
                    row("ADD, epoll 3, fd 99 not open", "EBADF",
                            () -> ctl(EPFD, EPOLL_CTL_ADD, BAD, EPOLLIN)),
                    row("DEL, epoll 3, fd 99 not open, event NULL", "EBADF",
                            () -> Epoll.epollCtl(EPFD, EPOLL_CTL_DEL, BAD, null)),
                    row("op 0 (unknown), epoll 3, fd 99 not open (the op is checked after the fds)", "EBADF",
                            () -> ctl(EPFD, 0, BAD, EPOLLIN)),
                    row("op 4 (unknown), epfd 99 not open, fd 4 eventfd", "EBADF",
                            () -> ctl(BAD, 4, EFD, EPOLLIN)),
                    // 4. file_can_poll(tf).
                    row("ADD, epoll 3, fd 5 /etc/hosts (no ->poll)", "EPERM",
                            () -> ctl(EPFD, EPOLL_CTL_ADD, REG, EPOLLIN)),
                    row("ADD, epfd 6 an eventfd, fd 5 /etc/hosts (EPERM before not-an-epoll EINVAL)", "EPERM",
                            () -> ctl(NOT_EPOLL, EPOLL_CTL_ADD, REG, EPOLLIN)),
                    row("ADD, epfd 5 = fd 5 /etc/hosts (EPERM before same-file EINVAL)", "EPERM",
                            () -> ctl(REG, EPOLL_CTL_ADD, REG, EPOLLIN)),
                    row("DEL, epoll 3, fd 5 /etc/hosts, event NULL", "EPERM",
                            () -> Epoll.epollCtl(EPFD, EPOLL_CTL_DEL, REG, null)),
                    row("op 0 (unknown), epoll 3, fd 5 /etc/hosts (the op is checked after EPERM)", "EPERM",
                            () -> ctl(EPFD, 0, REG, EPOLLIN)),
                    // 6. same file, or epfd not an epoll.
                    row("ADD, epoll 3 into itself (epfd == fd)", "EINVAL",
                            () -> ctl(EPFD, EPOLL_CTL_ADD, EPFD, EPOLLIN)),
                    row("ADD, epfd 6 an eventfd (not an epoll), fd 4 eventfd", "EINVAL",
                            () -> ctl(NOT_EPOLL, EPOLL_CTL_ADD, EFD, EPOLLIN)),
                    row("ADD, epfd 4 = fd 4 eventfd (same file, not an epoll)", "EINVAL",
                            () -> ctl(EFD, EPOLL_CTL_ADD, EFD, EPOLLIN)),
                    row("DEL, epfd 6 an eventfd, fd 4, event NULL", "EINVAL",
                            () -> Epoll.epollCtl(NOT_EPOLL, EPOLL_CTL_DEL, EFD, null)),
                    row("ADD, epfd 6 an eventfd, fd 3 an epoll", "EINVAL",
                            () -> ctl(NOT_EPOLL, EPOLL_CTL_ADD, EPFD, EPOLLIN)),
                    // 10. the op, after ep_find.
                    row("op 0 (unknown), epoll 3, eventfd 4 (not in it)", "EINVAL",
                            () -> ctl(EPFD, 0, EFD, EPOLLIN)),
                    row("op 4 (unknown), epoll 3, eventfd 4 (not in it)", "EINVAL",
                            () -> ctl(EPFD, 4, EFD, EPOLLIN)),
                    row("DEL, epoll 3, eventfd 4 not in it, event NULL", "ENOENT",
                            () -> Epoll.epollCtl(EPFD, EPOLL_CTL_DEL, EFD, null)),
                    row("MOD, epoll 3, eventfd 4 not in it", "ENOENT",
                            () -> ctl(EPFD, EPOLL_CTL_MOD, EFD, EPOLLIN)),
                    row("ADD, epoll 3, eventfd 4", "0",
                            () -> ctl(EPFD, EPOLL_CTL_ADD, EFD, EPOLLIN)),
                    row("ADD, epoll 3, eventfd 4 again", "EEXIST",
                            () -> ctl(EPFD, EPOLL_CTL_ADD, EFD, EPOLLOUT)),
                    row("MOD, epoll 3, eventfd 4, event NULL (EFAULT even for an existing item)", "EFAULT",
                            () -> Epoll.epollCtl(EPFD, EPOLL_CTL_MOD, EFD, null)),
                    row("MOD, epoll 3, eventfd 4", "0",
                            () -> ctl(EPFD, EPOLL_CTL_MOD, EFD, EPOLLOUT)),
                    row("op 0 (unknown), epoll 3, eventfd 4 (in it: still EINVAL)", "EINVAL",
                            () -> ctl(EPFD, 0, EFD, EPOLLIN)),
                    row("DEL, epoll 3, eventfd 4, with an event (ignored for DEL)", "0",
                            () -> Epoll.epollCtl(EPFD, EPOLL_CTL_DEL, EFD, ev)),
                    row("DEL, epoll 3, eventfd 4 again, event NULL", "ENOENT",
                            () -> Epoll.epollCtl(EPFD, EPOLL_CTL_DEL, EFD, null)),
                    // 8. the loop check, for an ADD of an epoll.
                    row("ADD, epoll 7 into epoll 3", "0",
                            () -> ctl(EPFD, EPOLL_CTL_ADD, EPFD2, EPOLLIN)),
                    row("ADD, epoll 3 into epoll 7 (7 is already in 3: a cycle)", "ELOOP",
                            () -> ctl(EPFD2, EPOLL_CTL_ADD, EPFD, EPOLLIN)),
                    row("ADD, epoll 7 into epoll 3 again (no cycle, the item exists)", "EEXIST",
                            () -> ctl(EPFD, EPOLL_CTL_ADD, EPFD2, EPOLLIN)),
                    row("ADD, eventfd 4 into epoll 3 at max_user_watches = the user's watches (1)", "ENOSPC",
                            () -> {
                                long saved = EpollCtl.maxUserWatches;
                                EpollCtl.maxUserWatches = Epolls.ep(EPFD).user.epollWatches.get();
                                try {
                                    return ctl(EPFD, EPOLL_CTL_ADD, EFD, EPOLLIN);
                                } finally {
                                    EpollCtl.maxUserWatches = saved;
                                }
                            })));
            assertThat(Epolls.ep(EPFD).items())
                    .as("after the table, epoll 3 holds only epoll 7: no failed call left an item")
                    .extracting(epi -> epi.ffd.fd()).containsExactly(EPFD2);
            assertThat(Epolls.ep(EPFD2).items()).as("the ELOOP ADD of epoll 3 into epoll 7 left no item").isEmpty();
            assertThat(file(EFD).fEp.isEmpty()).as("the ENOSPC ADD left no item on the eventfd's f_ep").isTrue();
        });
    }

    @Test
    @DisplayName("ENOSPC once the user's watches reach max_user_watches, counted per user over all its epolls; "
            + "DEL uncounts")
    void enospcAtMaxUserWatches() {
        long saved = EpollCtl.maxUserWatches;
        try {
            EpollCtl.maxUserWatches = 2;
            inProcess(() -> {
                int epfd = newEpoll();
                int a = eventfd();
                int b = eventfd();
                int c = eventfd();
                int epfd2 = newEpoll();
                assertThat(errno(ctl(epfd, EPOLL_CTL_ADD, a, EPOLLIN))).as("1st watch of 2").isEqualTo("0");
                assertThat(errno(ctl(epfd, EPOLL_CTL_ADD, b, EPOLLIN))).as("2nd watch of 2").isEqualTo("0");
                assertThat(errno(ctl(epfd, EPOLL_CTL_ADD, c, EPOLLIN)))
                        .as("3rd ADD with max_user_watches 2: ep_insert refuses at watches >= max").isEqualTo("ENOSPC");
                assertThat(errno(ctl(epfd2, EPOLL_CTL_ADD, c, EPOLLIN)))
                        .as("ADD into a second epoll of the same user: the limit counts the user's watches in all "
                                + "its epolls").isEqualTo("ENOSPC");
                assertThat(Epolls.ep(epfd).user.epollWatches.get()).as("the user's watches after the refused ADDs")
                        .isEqualTo(2);
                assertThat(Epolls.ep(epfd).items()).as("the refused ADD made no item").hasSize(2);
                assertThat(errno(Epoll.epollCtl(epfd, EPOLL_CTL_DEL, a, null))).as("DEL of a").isEqualTo("0");
                assertThat(Epolls.ep(epfd).user.epollWatches.get()).as("ep_remove uncounts the watch").isEqualTo(1);
                assertThat(errno(ctl(epfd2, EPOLL_CTL_ADD, c, EPOLLIN)))
                        .as("after the DEL there is room for one more watch").isEqualTo("0");
                assertThat(errno(ctl(epfd, EPOLL_CTL_ADD, a, EPOLLIN))).as("and then the limit is reached again")
                        .isEqualTo("ENOSPC");
            });
        } finally {
            EpollCtl.maxUserWatches = saved;
        }
    }

    @Test
    @DisplayName("EPOLLWAKEUP is silently dropped (no CAP_BLOCK_SUSPEND); ADD and MOD always OR in EPOLLERR|EPOLLHUP; "
            + "MOD changes mask and data")
    void wakeupDroppedErrHupAdded() {
        inProcess(() -> {
            int epfd = newEpoll();
            int efd = eventfd();
            EpollEvent ev = new EpollEvent(EPOLLIN | EPOLLWAKEUP, 42);
            assertThat(errno(Epoll.epollCtl(epfd, EPOLL_CTL_ADD, efd, ev)))
                    .as("ADD with EPOLLIN|EPOLLWAKEUP succeeds: the flag is dropped, not refused").isEqualTo("0");
            EpItem epi = onlyItem(epfd);
            assertThat(Epoll.names(epi.event.events)).as("the item's mask after ADD of EPOLLIN|EPOLLWAKEUP: "
                    + "EPOLLWAKEUP cleared, EPOLLERR|EPOLLHUP added").isEqualTo(Epoll.names(EPOLLIN | EPOLLERR | EPOLLHUP));
            assertThat(epi.event.data).as("the item's data").isEqualTo(42);
            assertThat(ev.events).as("the caller's event is copied, never written back").isEqualTo(EPOLLIN | EPOLLWAKEUP);

            check(Epoll.epollCtl(epfd, EPOLL_CTL_MOD, efd, new EpollEvent(EPOLLOUT | EPOLLET | EPOLLWAKEUP, 43)));
            assertThat(Epoll.names(epi.event.events)).as("the item's mask after MOD of EPOLLOUT|EPOLLET|EPOLLWAKEUP")
                    .isEqualTo(Epoll.names(EPOLLOUT | EPOLLET | EPOLLERR | EPOLLHUP));
            assertThat(epi.event.data).as("MOD replaces the data").isEqualTo(43);
            assertThat(onlyItem(epfd)).as("MOD changes the item in place").isSameAs(epi);

            check(Epoll.epollCtl(epfd, EPOLL_CTL_MOD, efd, new EpollEvent(0, 44)));
            assertThat(Epoll.names(epi.event.events)).as("MOD with mask 0 still watches EPOLLERR|EPOLLHUP")
                    .isEqualTo(Epoll.names(EPOLLERR | EPOLLHUP));
        });
    }

    @Test
    @DisplayName("MOD changes what is reported: the new mask decides readiness, the new data is returned")
    void modChangesMaskAndData() {
        inProcess(() -> {
            int epfd = newEpoll();
            int efd = eventfd();
            EpollEvent[] events = slots(4);
            check(Epoll.epollCtl(epfd, EPOLL_CTL_ADD, efd, new EpollEvent(EPOLLOUT, 1)));
            assertThat(Epoll.epollWait(epfd, events, 4, 0)).as("an empty eventfd is writable: EPOLLOUT is ready")
                    .isEqualTo(1);
            assertThat(List.of(Epoll.names(events[0].events), events[0].data)).as("(events, data) before MOD")
                    .containsExactly("EPOLLOUT", 1L);
            check(Epoll.epollCtl(epfd, EPOLL_CTL_MOD, efd, new EpollEvent(EPOLLIN, 2)));
            assertThat(Epoll.epollWait(epfd, events, 4, 0))
                    .as("after MOD to EPOLLIN the empty eventfd is not ready (EPOLLOUT is no longer watched)")
                    .isZero();
            signal(efd, 1);
            assertThat(Epoll.epollWait(epfd, events, 4, 0)).as("after a write the eventfd is readable").isEqualTo(1);
            assertThat(List.of(Epoll.names(events[0].events), events[0].data)).as("(events, data) after MOD")
                    .containsExactly("EPOLLIN", 2L);
        });
    }

    @Test
    @DisplayName("MOD re-arms: an ET item delivered once leaves the next epoll_wait asleep; a MOD with the same mask "
            + "while the fd is still readable queues it again and wakes the sleeper")
    void modOfAReadyEtItemWakesASleeper() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            List<String> got = new CopyOnWriteArrayList<>();
            File[] efile = new File[1];
            Process p = new Process(sched, "test");
            Task waiter = p.spawn("waiter", () -> {
                assertThat(newEpoll()).isEqualTo(EPFD);
                assertThat(eventfd()).isEqualTo(EFD);
                efile[0] = file(EFD);
                check(Epoll.epollCtl(EPFD, EPOLL_CTL_ADD, EFD, new EpollEvent(EPOLLIN | EPOLLET, 42)));
                signal(EFD, 1);
                EpollEvent[] events = slots(1);
                for (int i = 0; i < 2; i++) {
                    long n = Epoll.epollWait(EPFD, events, 1, -1);
                    got.add(n + " " + Epoll.names(events[0].events) + " " + events[0].data);
                }
            });
            sched.runUntilIdle();
            assertThat(got).as("the ET item is delivered once; the second epoll_wait(-1) finds nothing to report "
                    + "although the eventfd is still readable").containsExactly("1 EPOLLIN 42");
            assertThat(waiter.state()).as("the waiter sleeps in its second epoll_wait")
                    .isEqualTo(Task.TASK_INTERRUPTIBLE);
            assertThat(ep3Ready(p)).as("nothing is on the ready list while the waiter sleeps").isEmpty();

            p.spawn("modder", () -> check(Epoll.epollCtl(EPFD, EPOLL_CTL_MOD, EFD,
                    new EpollEvent(EPOLLIN | EPOLLET, 42))));
            sched.run();
            assertThat(got).as("ep_modify re-polls the readable eventfd, queues the item and wakes the sleeper, "
                    + "whose epoll_wait returns it").containsExactly("1 EPOLLIN 42", "1 EPOLLIN 42");
            assertThat(((EventFd.Ctx) efile[0].privateData).count())
                    .as("nobody read the eventfd: its count is still the 1 written").isEqualTo(1);
        }
    }

    /** The ready list of the epoll {@code EPFD} of {@code p}, read through a task of p's files (from the test thread). */
    private static List<EpItem> ep3Ready(Process p) {
        File f = p.files.fget(EPFD);
        try {
            return ((EventPoll) f.privateData).readyList();
        } finally {
            f.fput();
        }
    }

    @Test
    @DisplayName("EPOLLONESHOT: delivered once, then disabled (only the flag bits left) until MOD re-arms it")
    void modRearmsAOneshotItem() {
        inProcess(() -> {
            int epfd = newEpoll();
            int efd = eventfd();
            EpollEvent[] events = slots(2);
            check(Epoll.epollCtl(epfd, EPOLL_CTL_ADD, efd, new EpollEvent(EPOLLIN | EPOLLONESHOT, 7)));
            signal(efd, 1);
            assertThat(Epoll.epollWait(epfd, events, 2, 0)).as("first epoll_wait: the ONESHOT item fires").isEqualTo(1);
            assertThat(Epoll.names(onlyItem(epfd).event.events))
                    .as("after delivery the item keeps only its flag bits (disabled)").isEqualTo("EPOLLONESHOT");
            signal(efd, 1);
            assertThat(Epoll.epollWait(epfd, events, 2, 0)).as("a disabled item is not reported, even after a new write")
                    .isZero();
            check(Epoll.epollCtl(epfd, EPOLL_CTL_MOD, efd, new EpollEvent(EPOLLIN | EPOLLONESHOT, 8)));
            assertThat(Epoll.epollWait(epfd, events, 2, 0)).as("MOD re-arms it and the eventfd is readable: reported")
                    .isEqualTo(1);
            assertThat(events[0].data).as("with MOD's data").isEqualTo(8);
        });
    }

    @Test
    @DisplayName("DEL takes the item off the file's wait queue, the tree, the ready list and the file's f_ep, "
            + "and uncounts the watch")
    void delRemovesTheItemEverywhere() {
        inProcess(() -> {
            int epfd = newEpoll();
            int efd = eventfd();
            EventPoll ep = Epolls.ep(epfd);
            File efile = file(efd);
            WaitQueueHead wqh = ((EventFd.Ctx) efile.privateData).wqh;
            check(Epoll.epollCtl(epfd, EPOLL_CTL_ADD, efd, new EpollEvent(EPOLLIN, 4)));
            signal(efd, 1);
            EpItem epi = onlyItem(epfd);
            assertThat(epi.pwqlist()).as("one eppoll_entry, on the eventfd's queue")
                    .extracting(EppollEntry::whead).containsExactly(wqh);
            assertThat(wqh.head.size()).as("entries on the eventfd's wait queue before DEL").isEqualTo(1);
            assertThat(readyFds(ep)).as("the written eventfd is on the ready list before DEL").containsExactly(efd);
            assertThat(ep.user.epollWatches.get()).as("watches before DEL").isEqualTo(1);
            assertThat(efile.fEp.size()).as("items on the eventfd's f_ep before DEL").isEqualTo(1);

            assertThat(errno(Epoll.epollCtl(epfd, EPOLL_CTL_DEL, efd, null))).as("DEL").isEqualTo("0");
            assertThat(wqh.waitqueueActive()).as("ep_unregister_pollwait took the entry off the eventfd's queue")
                    .isFalse();
            assertThat(ep.items()).as("the item is out of the tree").isEmpty();
            assertThat(ep.readyList()).as("the item is off the ready list").isEmpty();
            assertThat(ep.user.epollWatches.get()).as("the watch is uncounted").isZero();
            assertThat(efile.fEp.isEmpty()).as("the item is off the eventfd's f_ep").isTrue();
            signal(efd, 1);
            assertThat(ep.readyList()).as("a write after DEL queues nothing: no callback is left").isEmpty();
            assertThat(Epoll.epollWait(epfd, slots(1), 1, 0)).as("epoll_wait after DEL").isZero();
        });
    }

    @Test
    @DisplayName("the key is (file, fd): one file under two dup'd fds is two items; closing one fd keeps both "
            + "(the file is still open); closing the last fd removes them (eventpoll_release)")
    void dupAndClose() {
        inProcess(() -> {
            int epfd = newEpoll();
            int efd = eventfd();
            int dupfd = (int) check(Vfs.dup(efd));
            EventPoll ep = Epolls.ep(epfd);
            File efile = file(efd);
            assertThat(errno(ctl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN))).as("ADD of fd %d", efd).isEqualTo("0");
            assertThat(errno(ctl(epfd, EPOLL_CTL_ADD, dupfd, EPOLLIN)))
                    .as("ADD of its dup %d: same file, other fd, another key", dupfd).isEqualTo("0");
            assertThat(errno(ctl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN))).as("ADD of fd %d again", efd)
                    .isEqualTo("EEXIST");
            assertThat(ep.items()).as("two items, one per (file, fd)").extracting(epi -> epi.ffd.fd())
                    .containsExactly(efd, dupfd);
            assertThat(efile.fEp.size()).as("both items are on the file's f_ep").isEqualTo(2);

            assertThat(Vfs.close(efd)).as("close(%d)", efd).isZero();
            assertThat(ep.items()).as("after close(%d) the file is still open through %d: both items stay, "
                    + "including the one keyed by the closed fd", efd, dupfd).extracting(epi -> epi.ffd.fd())
                    .containsExactly(efd, dupfd);
            signal(dupfd, 1);
            EpollEvent[] events = slots(4);
            assertThat(Epoll.epollWait(epfd, events, 4, 0)).as("a write through the dup wakes both items").isEqualTo(2);
            assertThat(data(events, 2)).as("the data of both items, the closed fd's one included")
                    .containsExactlyInAnyOrder((long) efd, (long) dupfd);
            assertThat(errno(Epoll.epollCtl(epfd, EPOLL_CTL_DEL, efd, null)))
                    .as("DEL by the closed fd: fget fails before the item is looked up").isEqualTo("EBADF");

            assertThat(Vfs.close(dupfd)).as("close(%d), the last fd of the file", dupfd).isZero();
            assertThat(ep.items()).as("the last fput runs eventpoll_release: every item of the file is gone")
                    .isEmpty();
            assertThat(ep.readyList()).as("and off the ready list").isEmpty();
            assertThat(ep.user.epollWatches.get()).as("and uncounted").isZero();
            assertThat(Epoll.epollWait(epfd, events, 4, 0)).as("epoll_wait after the file is gone").isZero();
        });
    }

    @Test
    @DisplayName("loop check: a cycle is ELOOP (A in B, then B in A; and C->B->A, then C in A); "
            + "watching one epoll by two paths is allowed")
    void cyclesAreEloop() {
        inProcess(() -> {
            int a = newEpoll();
            int b = newEpoll();
            int c = newEpoll();
            runTable("cycles (fds: A " + a + ", B " + b + ", C " + c + "; \"X in Y\" = epoll_ctl(Y, ADD, X))", List.of(
                    row("A in A", "EINVAL", () -> ctl(a, EPOLL_CTL_ADD, a, EPOLLIN)),
                    row("A in B", "0", () -> ctl(b, EPOLL_CTL_ADD, a, EPOLLIN)),
                    row("B in A (A is below B: a cycle of 2)", "ELOOP", () -> ctl(a, EPOLL_CTL_ADD, b, EPOLLIN)),
                    row("B in C", "0", () -> ctl(c, EPOLL_CTL_ADD, b, EPOLLIN)),
                    row("C in A (C -> B -> A -> C: a cycle of 3)", "ELOOP", () -> ctl(a, EPOLL_CTL_ADD, c, EPOLLIN)),
                    row("A in C (C sees A directly and through B: no cycle)", "0",
                            () -> ctl(c, EPOLL_CTL_ADD, a, EPOLLIN)),
                    row("C in B (B -> A, C -> B: a cycle of 2)", "ELOOP", () -> ctl(b, EPOLL_CTL_ADD, c, EPOLLIN))));
            assertThat(Epolls.ep(a).items()).as("the refused ADDs left A empty").isEmpty();
            assertThat(Epolls.ep(b).items()).as("B holds only A").extracting(epi -> epi.ffd.fd()).containsExactly(a);
        });
    }

    @Test
    @DisplayName("nesting: at most 5 epolls on a chain (EP_MAX_NESTS = 4 links); the 5th link is ELOOP, built "
            + "from the bottom up (height below) and from the top down (depth above)")
    void chainOfFiveEpollsIsTheLimit() {
        inProcess(() -> {
            int[] e = new int[6];
            for (int i = 0; i < e.length; i++) {
                e[i] = newEpoll();
            }
            List<Row> rows = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                int below = e[i - 1];
                int above = e[i];
                rows.add(row("bottom up: e" + (i - 1) + " in e" + i + " (link " + i + ", height below e" + (i - 1)
                        + " = " + (i - 1) + ")", i <= 4 ? "0" : "ELOOP", () -> ctl(above, EPOLL_CTL_ADD, below, EPOLLIN)));
            }
            runTable("a chain built from the bottom up: e(i) watches e(i-1)", rows);
            assertThat(Epolls.ep(e[5]).items()).as("the refused 5th link left e5 empty").isEmpty();
        });
        inProcess(() -> {
            int[] e = new int[6];
            for (int i = 0; i < e.length; i++) {
                e[i] = newEpoll();
            }
            List<Row> rows = new ArrayList<>();
            for (int i = 5; i >= 1; i--) {
                int below = e[i - 1];
                int above = e[i];
                rows.add(row("top down: e" + (i - 1) + " in e" + i + " (link " + (6 - i) + ", depth above e" + i
                        + " = " + (5 - i) + ")", i >= 2 ? "0" : "ELOOP", () -> ctl(above, EPOLL_CTL_ADD, below, EPOLLIN)));
            }
            runTable("a chain built from the top down: e(i) watches e(i-1)", rows);
            assertThat(Epolls.ep(e[1]).items()).as("the refused 5th link left e1 empty").isEmpty();
            assertThat(file(e[0]).fEp.isEmpty()).as("and e0 watched by nobody").isTrue();
        });
    }

    @Test
    @DisplayName("nesting: joining two chains counts height below + 1 + depth above; more than 4 links is ELOOP")
    void joiningTwoChainsCountsBothEnds() {
        inProcess(() -> {
            int x0 = newEpoll();
            int x1 = newEpoll();
            int x2 = newEpoll();
            int y0 = newEpoll();
            int y1 = newEpoll();
            int y2 = newEpoll();
            int z = newEpoll();
            int efd = eventfd();
            runTable("two chains: x2 -> x1 -> x0 and y2 -> y1 -> y0 (\"->\" = watches)", List.of(
                    row("x0 in x1", "0", () -> ctl(x1, EPOLL_CTL_ADD, x0, EPOLLIN)),
                    row("x1 in x2", "0", () -> ctl(x2, EPOLL_CTL_ADD, x1, EPOLLIN)),
                    row("y0 in y1", "0", () -> ctl(y1, EPOLL_CTL_ADD, y0, EPOLLIN)),
                    row("y1 in y2", "0", () -> ctl(y2, EPOLL_CTL_ADD, y1, EPOLLIN)),
                    row("x2 in y0: height(x2) 2 + 1 + depth above y0 2 = 5 links > 4", "ELOOP",
                            () -> ctl(y0, EPOLL_CTL_ADD, x2, EPOLLIN)),
                    row("x1 in y0: height(x1) 1 + 1 + 2 = 4 links, 5 epolls y2 y1 y0 x1 x0", "0",
                            () -> ctl(y0, EPOLL_CTL_ADD, x1, EPOLLIN)),
                    row("z (an empty epoll) in x0: 0 + 1 + depth above x0 4 = 5 links", "ELOOP",
                            () -> ctl(x0, EPOLL_CTL_ADD, z, EPOLLIN)),
                    row("an eventfd in x0, at the bottom of the full chain (only epolls count)", "0",
                            () -> ctl(x0, EPOLL_CTL_ADD, efd, EPOLLIN)),
                    row("z in y2 (z empty, y2 on top: 0 + 1 + 0)", "0", () -> ctl(y2, EPOLL_CTL_ADD, z, EPOLLIN))));
            assertThat(Epolls.ep(y0).items()).as("y0 holds only x1").extracting(epi -> epi.ffd.fd())
                    .containsExactly(x1);
            assertThat(Epolls.ep(x0).items()).as("x0 holds only the eventfd").extracting(epi -> epi.ffd.fd())
                    .containsExactly(efd);
        });
    }
}
