package herd.epoll;

import static herd.course.kit.Epolls.ep;
import static herd.course.kit.Epolls.mask;
import static herd.course.kit.Io.eventfd;
import static herd.course.kit.Io.eventfdQueue;
import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Syscalls.errno;
import static herd.course.kit.WaitQueues.entriesOf;
import static herd.epoll.Epoll.EPOLLEXCLUSIVE;
import static herd.epoll.Epoll.EPOLL_CTL_ADD;
import static herd.epoll.Epoll.EPOLL_CTL_DEL;
import static herd.epoll.Epoll.EPOLL_CTL_MOD;
import static herd.epoll.EpollTests.newEpoll;
import static herd.fs.Poll.EPOLLERR;
import static herd.fs.Poll.EPOLLHUP;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLOUT;
import static org.assertj.core.api.Assertions.assertThat;

import herd.fs.Process;
import herd.fs.RegularFile;
import herd.wait.WaitQueueEntry;
import herd.wait.WaitQueueHead;
import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * L05-E3: the {@code EPOLLEXCLUSIVE} rules of {@code epoll_ctl} ({@code do_epoll_ctl},
 * kernel-spec 2.4 step 7 and step 10). With the flag in the mask: {@code EINVAL} for
 * {@code EPOLL_CTL_MOD}, and for an ADD whose target is an epoll or whose mask has any bit
 * outside {@code EPOLLEXCLUSIVE_OK_BITS} (IN, OUT, ERR, HUP, WAKEUP, ET, EXCLUSIVE); and
 * {@code EINVAL} for a MOD (with or without the flag) of an item that was added with it.
 * These checks come after {@code EFAULT}, {@code EBADF}, {@code EPERM} and the other
 * {@code EINVAL}s, but before the loop check ({@code ELOOP}) and the tree
 * ({@code EEXIST}, {@code ENOENT}).
 */
@Tag("lesson05")
@Tag("L05-E3")
@DisplayName("L05-E3: EPOLLEXCLUSIVE in epoll_ctl")
class ExclusiveCtlTest {
    /** {@code epoll_ctl(epfd, op, fd, {events, data = fd})}. */
    private static long ctl(int epfd, int op, int fd, int events) {
        return Epoll.epollCtl(epfd, op, fd, new EpollEvent(events, fd));
    }

    /** One row of an errno table: what is tried, the call, and the errno the kernel gives ("0" for success). */
    private record Row(String what, String expected, LongSupplier call) {
    }

    /** Runs the rows in order and checks each against its errno. */
    private static void runTable(List<Row> rows) {
        for (Row r : rows) {
            assertThat(errno(r.call().getAsLong())).as("%s: the kernel's checks, in their order, give %s", r.what(),
                    r.expected()).isEqualTo(r.expected());
        }
    }

    // ---- ADD: the companions ------------------------------------------------------------------

    @ParameterizedTest(name = "[{index}] ADD {0}|EXCLUSIVE: 0, item {1}")
    @CsvSource(delimiter = ';', textBlock = """
            # mask with EPOLLEXCLUSIVE ; the item's mask afterwards
            IN                         ; IN|ERR|HUP|EXCLUSIVE
            OUT                        ; OUT|ERR|HUP|EXCLUSIVE
            IN|OUT|ERR|HUP             ; IN|OUT|ERR|HUP|EXCLUSIVE
            IN|ET                      ; IN|ET|ERR|HUP|EXCLUSIVE
            IN|WAKEUP                  ; IN|ERR|HUP|EXCLUSIVE
            0                          ; ERR|HUP|EXCLUSIVE
            """)
    @DisplayName("ADD with EPOLLEXCLUSIVE and only EPOLLEXCLUSIVE_OK_BITS (IN OUT ERR HUP WAKEUP ET) succeeds; the item "
            + "keeps the flag, ERR|HUP are added, WAKEUP is dropped")
    void allowedCompanions(String events, String itemEvents) {
        inProcess(() -> {
            int epfd = newEpoll();
            int efd = eventfd();

            assertThat(errno(ctl(epfd, EPOLL_CTL_ADD, efd, mask(events) | EPOLLEXCLUSIVE)))
                    .as("epoll_ctl(ADD, %s|EPOLLEXCLUSIVE): every bit is in EPOLLEXCLUSIVE_OK_BITS", events)
                    .isEqualTo("0");
            List<EpItem> items = ep(epfd).items();
            assertThat(items).as("one item added").hasSize(1);
            assertThat(Epoll.names(items.get(0).event.events))
                    .as("the item's mask: EPOLLEXCLUSIVE kept, EPOLLERR|EPOLLHUP always added, EPOLLWAKEUP silently "
                            + "dropped (no CAP_BLOCK_SUSPEND)")
                    .isEqualTo(Epoll.names(mask(itemEvents)));
            assertThat(entriesOf(eventfdQueue(file(efd)))).as("its entry on the eventfd's queue is exclusive")
                    .singleElement().matches(WaitQueueEntry::isExclusive, "exclusive");
        });
    }

    @ParameterizedTest(name = "[{index}] ADD {0}|EXCLUSIVE: EINVAL")
    @CsvSource({"ONESHOT", "IN|ONESHOT", "IN|RDHUP", "RDHUP", "PRI", "IN|RDNORM", "RDBAND", "OUT|WRNORM", "WRBAND",
        "MSG", "IN|OUT|RDHUP|ET", "IN|ET|ONESHOT|WAKEUP"})
    @DisplayName("ADD with EPOLLEXCLUSIVE and any bit outside EPOLLEXCLUSIVE_OK_BITS is EINVAL and adds nothing; "
            + "the same mask without the flag is fine")
    void forbiddenCompanions(String events) {
        inProcess(() -> {
            int epfd = newEpoll();
            int efd = eventfd();
            long watches = Process.current().user.epollWatches.get();

            assertThat(errno(ctl(epfd, EPOLL_CTL_ADD, efd, mask(events) | EPOLLEXCLUSIVE)))
                    .as("epoll_ctl(ADD, %s|EPOLLEXCLUSIVE): a bit outside EPOLLEXCLUSIVE_OK_BITS (ONESHOT, RDHUP, PRI, "
                            + "RDNORM, RDBAND, WRNORM, WRBAND, MSG are not allowed; nginx strips EPOLLRDHUP for this "
                            + "reason)", events)
                    .isEqualTo("EINVAL");
            assertThat(ep(epfd).items()).as("the failed ADD left no item").isEmpty();
            assertThat(eventfdQueue(file(efd)).waitqueueActive()).as("and no entry on the eventfd's queue").isFalse();
            assertThat(Process.current().user.epollWatches.get()).as("and counted no watch").isEqualTo(watches);

            assertThat(errno(ctl(epfd, EPOLL_CTL_ADD, efd, mask(events))))
                    .as("epoll_ctl(ADD, %s) without EPOLLEXCLUSIVE: the bits are fine on their own", events)
                    .isEqualTo("0");
        });
    }

    // ---- MOD ------------------------------------------------------------------------------------

    @Test
    @DisplayName("MOD with EPOLLEXCLUSIVE is always EINVAL: on a plain item, on an exclusive item, and on an fd that "
            + "is not in the epoll (EINVAL before ENOENT)")
    void modWithTheFlagIsAlwaysEinval() {
        inProcess(() -> {
            int epfd = newEpoll();
            int plain = eventfd();
            int notThere = eventfd();
            assertThat(errno(ctl(epfd, EPOLL_CTL_ADD, plain, EPOLLIN))).as("ADD plain eventfd").isEqualTo("0");

            runTable(List.of(
                    new Row("MOD of a plain item to IN|EXCLUSIVE (exclusivity is decided at ADD, where the entry is "
                            + "queued; MOD cannot move it)", "EINVAL",
                            () -> ctl(epfd, EPOLL_CTL_MOD, plain, EPOLLIN | EPOLLEXCLUSIVE)),
                    new Row("MOD of a plain item to EXCLUSIVE alone", "EINVAL",
                            () -> ctl(epfd, EPOLL_CTL_MOD, plain, EPOLLEXCLUSIVE)),
                    new Row("MOD with IN|EXCLUSIVE of an fd not in the epoll (the flag check comes before the tree "
                            + "lookup: EINVAL, not ENOENT)", "EINVAL",
                            () -> ctl(epfd, EPOLL_CTL_MOD, notThere, EPOLLIN | EPOLLEXCLUSIVE)),
                    new Row("MOD with IN of an fd not in the epoll, no flag", "ENOENT",
                            () -> ctl(epfd, EPOLL_CTL_MOD, notThere, EPOLLIN))));
            EpItem epi = ep(epfd).items().get(0);
            assertThat(Epoll.names(epi.event.events)).as("the plain item's mask is untouched by the failed MODs")
                    .isEqualTo(Epoll.names(EPOLLIN | EPOLLERR | EPOLLHUP));
            assertThat(entriesOf(eventfdQueue(file(plain)))).as("its entry is still non-exclusive")
                    .singleElement().matches(e -> !e.isExclusive(), "non-exclusive");
        });
    }

    @Test
    @DisplayName("MOD of an item added with EPOLLEXCLUSIVE is EINVAL even without the flag; its mask and its exclusive "
            + "entry stay as they were")
    void modOfAnExclusiveItemIsEinval() {
        inProcess(() -> {
            int epfd = newEpoll();
            int efd = eventfd();
            assertThat(errno(ctl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLEXCLUSIVE))).as("ADD IN|EXCLUSIVE")
                    .isEqualTo("0");

            runTable(List.of(
                    new Row("MOD of the exclusive item to OUT (a valid mask, no flag): the EXISTING item has "
                            + "EPOLLEXCLUSIVE", "EINVAL", () -> ctl(epfd, EPOLL_CTL_MOD, efd, EPOLLOUT)),
                    new Row("MOD of the exclusive item to IN (the same events)", "EINVAL",
                            () -> ctl(epfd, EPOLL_CTL_MOD, efd, EPOLLIN)),
                    new Row("MOD of the exclusive item to IN|EXCLUSIVE", "EINVAL",
                            () -> ctl(epfd, EPOLL_CTL_MOD, efd, EPOLLIN | EPOLLEXCLUSIVE)),
                    new Row("MOD of the exclusive item, event NULL (copied first)", "EFAULT",
                            () -> Epoll.epollCtl(epfd, EPOLL_CTL_MOD, efd, null))));
            EpItem epi = ep(epfd).items().get(0);
            assertThat(Epoll.names(epi.event.events)).as("the item's mask after the refused MODs")
                    .isEqualTo(Epoll.names(EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLEXCLUSIVE));
            assertThat(entriesOf(eventfdQueue(file(efd)))).as("its entry is still exclusive")
                    .singleElement().matches(WaitQueueEntry::isExclusive, "exclusive");
        });
    }

    @Test
    @DisplayName("to change an exclusive item: DEL (allowed, takes its entry off the queue), then ADD again; a plain "
            + "item can then be MODified")
    void delThenAddIsTheWayToChangeIt() {
        inProcess(() -> {
            int epfd = newEpoll();
            int efd = eventfd();
            WaitQueueHead wqh = eventfdQueue(file(efd));
            runTable(List.of(
                    new Row("ADD IN|EXCLUSIVE", "0", () -> ctl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLEXCLUSIVE)),
                    new Row("DEL of the exclusive item, with an event carrying EXCLUSIVE|ONESHOT (DEL looks at no "
                            + "event)", "0", () -> ctl(epfd, EPOLL_CTL_DEL, efd, EPOLLEXCLUSIVE | mask("ONESHOT"))),
                    new Row("ADD IN (plain) again", "0", () -> ctl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN)),
                    new Row("MOD the plain item to IN|OUT", "0", () -> ctl(epfd, EPOLL_CTL_MOD, efd, EPOLLIN | EPOLLOUT))));
            assertThat(entriesOf(wqh)).as("one entry on the eventfd's queue, non-exclusive now")
                    .singleElement().matches(e -> !e.isExclusive(), "non-exclusive");
            assertThat(Epoll.names(ep(epfd).items().get(0).event.events)).as("the item's mask after the MOD")
                    .isEqualTo(Epoll.names(EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP));
        });
    }

    // ---- epoll targets and the order of checks ----------------------------------------------------

    @Test
    @DisplayName("EPOLLEXCLUSIVE on an epoll target is EINVAL, before the loop check (EINVAL, not ELOOP); without "
            + "the flag the same ADD works")
    void anEpollTargetIsEinval() {
        inProcess(() -> {
            int outer = newEpoll();
            int inner = newEpoll();
            runTable(List.of(
                    new Row("ADD IN|EXCLUSIVE of epoll 4 into epoll 3 (no nested exclusive wake-ups)", "EINVAL",
                            () -> ctl(outer, EPOLL_CTL_ADD, inner, EPOLLIN | EPOLLEXCLUSIVE)),
                    new Row("ADD IN of epoll 4 into epoll 3, no flag", "0",
                            () -> ctl(outer, EPOLL_CTL_ADD, inner, EPOLLIN)),
                    new Row("ADD IN|EXCLUSIVE of epoll 3 into epoll 4 (a cycle: the flag check comes first)", "EINVAL",
                            () -> ctl(inner, EPOLL_CTL_ADD, outer, EPOLLIN | EPOLLEXCLUSIVE)),
                    new Row("ADD IN of epoll 3 into epoll 4, no flag (a cycle)", "ELOOP",
                            () -> ctl(inner, EPOLL_CTL_ADD, outer, EPOLLIN))));
            assertThat(ep(outer).items()).as("epoll 3 holds only the plain item of epoll 4").hasSize(1);
            assertThat(ep(inner).items()).as("epoll 4 holds nothing").isEmpty();
        });
    }

    @Test
    @DisplayName("the order: EFAULT, EBADF (epfd, fd), EPERM, EINVAL (same file / not an epoll) come first; then the "
            + "EXCLUSIVE rules; then EEXIST and ENOENT; an unknown op is EINVAL")
    void theOrderOfTheChecks() {
        inProcess(() -> {
            int epfd = newEpoll();
            int efd = eventfd();
            int reg = (int) RegularFile.open("/etc/hosts");
            assertThat(reg).as("open(/etc/hosts)").isPositive();
            int notEpoll = eventfd();
            int bad = 99;
            int oneshot = mask("IN|ONESHOT") | EPOLLEXCLUSIVE;
            runTable(List.of(
                    new Row("ADD IN|ONESHOT|EXCLUSIVE, event NULL: copy_from_user fails first", "EFAULT",
                            () -> Epoll.epollCtl(epfd, EPOLL_CTL_ADD, efd, null)),
                    new Row("ADD IN|ONESHOT|EXCLUSIVE, epfd 99 not open", "EBADF",
                            () -> ctl(bad, EPOLL_CTL_ADD, efd, oneshot)),
                    new Row("ADD IN|ONESHOT|EXCLUSIVE, fd 99 not open", "EBADF",
                            () -> ctl(epfd, EPOLL_CTL_ADD, bad, oneshot)),
                    new Row("MOD IN|EXCLUSIVE, fd 99 not open", "EBADF",
                            () -> ctl(epfd, EPOLL_CTL_MOD, bad, EPOLLIN | EPOLLEXCLUSIVE)),
                    new Row("ADD IN|ONESHOT|EXCLUSIVE of /etc/hosts (no ->poll)", "EPERM",
                            () -> ctl(epfd, EPOLL_CTL_ADD, reg, oneshot)),
                    new Row("MOD IN|EXCLUSIVE of /etc/hosts", "EPERM",
                            () -> ctl(epfd, EPOLL_CTL_MOD, reg, EPOLLIN | EPOLLEXCLUSIVE)),
                    new Row("ADD IN|ONESHOT|EXCLUSIVE into an eventfd (not an epoll)", "EINVAL",
                            () -> ctl(notEpoll, EPOLL_CTL_ADD, efd, oneshot)),
                    new Row("ADD IN|ONESHOT|EXCLUSIVE of the eventfd", "EINVAL",
                            () -> ctl(epfd, EPOLL_CTL_ADD, efd, oneshot)),
                    new Row("ADD IN|EXCLUSIVE of the eventfd", "0",
                            () -> ctl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLEXCLUSIVE)),
                    new Row("ADD IN|EXCLUSIVE of the eventfd again: the flag is fine, the item exists", "EEXIST",
                            () -> ctl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLEXCLUSIVE)),
                    new Row("ADD IN|ONESHOT|EXCLUSIVE of the eventfd again: the flag check comes before the tree",
                            "EINVAL", () -> ctl(epfd, EPOLL_CTL_ADD, efd, oneshot)),
                    new Row("ADD IN (plain) of the eventfd again", "EEXIST",
                            () -> ctl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN)),
                    new Row("op 4 (unknown) with IN|EXCLUSIVE", "EINVAL",
                            () -> ctl(epfd, 4, efd, EPOLLIN | EPOLLEXCLUSIVE)),
                    new Row("DEL of the exclusive item", "0", () -> Epoll.epollCtl(epfd, EPOLL_CTL_DEL, efd, null)),
                    new Row("DEL again", "ENOENT", () -> Epoll.epollCtl(epfd, EPOLL_CTL_DEL, efd, null))));
            assertThat(ep(epfd).items()).as("after the table the epoll is empty").isEmpty();
        });
    }
}
