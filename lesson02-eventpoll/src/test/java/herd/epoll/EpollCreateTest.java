package herd.epoll;

import static herd.course.kit.Io.eventfd;
import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Syscalls.errno;
import static herd.epoll.Epoll.EPOLL_CLOEXEC;
import static herd.epoll.EpollTests.newEpoll;
import static herd.fs.Poll.EPOLLIN;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Epolls;
import herd.fs.File;
import herd.fs.FileOperations;
import herd.fs.FilesStruct;
import herd.fs.Process;
import herd.fs.RegularFile;
import herd.fs.Vfs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * L02-E1: {@code do_epoll_create} behind {@code epoll_create1} and {@code epoll_create},
 * and the tree of items: {@code ep_cmp_ffd}, {@code ep_find}, {@code ep_rbtree_insert}.
 *
 * <p>A new process has 0, 1 and 2 open, so its first new descriptor is 3. The tree tests
 * make their epoll with {@link EpollTests#newEpoll} and their items by hand, so they need
 * nothing but L02-E1.
 */
@Tag("lesson02")
@Tag("L02-E1")
@DisplayName("L02-E1: epoll_create and the tree of items")
class EpollCreateTest {
    /** A file with a poll method that reports nothing: something to put in the tree. */
    private static final FileOperations NOTHING = (file, pt) -> 0;

    // ---- epoll_create1 / epoll_create ---------------------------------------------------------

    @Test
    @DisplayName("epoll_create1(0) returns the lowest free descriptor: 3 in a new process, then 4, then a freed 3")
    void returnsTheLowestFreeDescriptor() {
        inProcess(() -> {
            assertThat(Epoll.epollCreate1(0))
                    .as("epoll_create1(0) in a new process (0, 1, 2 are open): the lowest free fd, 3").isEqualTo(3);
            assertThat(Epoll.epollCreate1(0)).as("a second epoll_create1(0): the next free fd, 4").isEqualTo(4);
            assertThat(Vfs.close(3)).as("close(3)").isZero();
            assertThat(Epoll.epollCreate1(0))
                    .as("epoll_create1(0) after close(3): fd 3 is the lowest free one again, not 5").isEqualTo(3);
        });
    }

    @ParameterizedTest(name = "epoll_create1({0}) is EINVAL")
    @CsvSource(delimiter = '|', textBlock = """
            # flags (hex) | what it is
            1             | a bit that is no flag at all
            800           | O_NONBLOCK: epoll_create1 knows only EPOLL_CLOEXEC
            80001         | EPOLL_CLOEXEC with an unknown bit: any other bit spoils the call
            80800         | EPOLL_CLOEXEC|O_NONBLOCK
            ffffffff      | every bit
            80000000      | the sign bit
            """)
    @DisplayName("epoll_create1: any flag other than EPOLL_CLOEXEC is EINVAL, and no descriptor is used")
    void unknownFlagsAreEinval(String hex, String what) {
        int flags = Integer.parseUnsignedInt(hex, 16);
        inProcess(() -> {
            assertThat(errno(Epoll.epollCreate1(flags)))
                    .as("epoll_create1(0x%s), %s: do_epoll_create checks (flags & ~EPOLL_CLOEXEC) first and "
                            + "returns EINVAL", hex, what)
                    .isEqualTo("EINVAL");
            assertThat(Epoll.epollCreate1(0))
                    .as("after a failed epoll_create1(0x%s), epoll_create1(0) must still get fd 3: the failed call "
                            + "must not have reserved or installed a descriptor", hex)
                    .isEqualTo(3);
        });
    }

    @Test
    @DisplayName("epoll_create1(EPOLL_CLOEXEC) is accepted and makes an epoll like epoll_create1(0)")
    void cloexecIsAccepted() {
        inProcess(() -> {
            long fd = Epoll.epollCreate1(EPOLL_CLOEXEC);
            assertThat(errno(fd)).as("epoll_create1(EPOLL_CLOEXEC): the one flag epoll_create1 accepts; "
                    + "it must return fd 3, not an error").isEqualTo("3");
            assertThat(EventPoll.isFileEpoll(file(3)))
                    .as("the file behind the fd of epoll_create1(EPOLL_CLOEXEC) must be an epoll file "
                            + "(f_op == eventpoll_fops, EventPollFile.FOPS)").isTrue();
        });
    }

    @Test
    @DisplayName("the new epoll: an epoll file whose eventpoll points back to it, empty, no scan running, the caller's user")
    void theNewInstance() {
        inProcess(() -> {
            int epfd = (int) Epoll.epollCreate1(0);
            File file = file(epfd);
            assertThat(EventPoll.isFileEpoll(file))
                    .as("the file of an epoll fd has the epoll file operations (EventPollFile.FOPS), so that "
                            + "is_file_epoll() recognises it").isTrue();
            assertThat(file.toString()).as("the file's name, as /proc/self/fd shows it")
                    .isEqualTo("anon_inode:[eventpoll]");
            assertThat(file.privateData).as("file->private_data is the new struct eventpoll")
                    .isInstanceOf(EventPoll.class);
            EventPoll ep = (EventPoll) file.privateData;
            assertThat(ep.file()).as("ep->file must point back to the epoll's own file").isSameAs(file);
            assertThat(ep.user).as("ep->user: the watches count against the calling process's user")
                    .isSameAs(Process.current().user);
            assertThat(ep.items()).as("a new epoll watches nothing: its tree is empty").isEmpty();
            assertThat(ep.readyList()).as("a new epoll's ready list is empty").isEmpty();
            assertThat(ep.scanning())
                    .as("a new epoll runs no scan: ovflist must be EP_UNACTIVE_PTR (ep_alloc), not null; null "
                            + "would make every wake-up go to the overflow chain").isFalse();
            assertThat(ep.overflowChain()).as("a new epoll's overflow chain is empty").isEmpty();
            assertThat(ep.wq.waitqueueActive()).as("nobody sleeps in epoll_wait on a new epoll").isFalse();
            assertThat(ep.pollWait.waitqueueActive()).as("nobody polls a new epoll").isFalse();
            assertThat(ep.mtx.isLocked()).as("epoll_create must leave ep->mtx unlocked").isFalse();
            assertThat(ep.lock.isLocked()).as("epoll_create must leave ep->lock unlocked").isFalse();
            assertThat(file.fileCount())
                    .as("the file has exactly one reference, the one fd_install gave to the descriptor; an "
                            + "extra get_file would keep the epoll alive after its last close").isEqualTo(1);

            int second = (int) Epoll.epollCreate1(0);
            assertThat(file(second).privateData).as("each epoll_create1 makes a new eventpoll of its own")
                    .isNotSameAs(ep);
        });
    }

    @ParameterizedTest(name = "epoll_create({0}) is EINVAL")
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    @DisplayName("epoll_create(size): EINVAL for a size <= 0, and no descriptor is used")
    void epollCreateNonPositiveSizeIsEinval(int size) {
        inProcess(() -> {
            assertThat(errno(Epoll.epollCreate(size)))
                    .as("epoll_create(%d): the size is ignored since 2.6.8 but must still be positive", size)
                    .isEqualTo("EINVAL");
            assertThat(Epoll.epollCreate(1))
                    .as("epoll_create(1) after the failed epoll_create(%d): fd 3, nothing was used", size)
                    .isEqualTo(3);
        });
    }

    @ParameterizedTest(name = "epoll_create({0}) works")
    @ValueSource(ints = {1, 1000, Integer.MAX_VALUE})
    @DisplayName("epoll_create(size) with a positive size is epoll_create1(0): the size means nothing")
    void epollCreatePositiveSizeWorks(int size) {
        inProcess(() -> {
            assertThat(errno(Epoll.epollCreate(size)))
                    .as("epoll_create(%d): any positive size gives a new epoll at the lowest free fd, 3", size)
                    .isEqualTo("3");
            assertThat(EventPoll.isFileEpoll(file(3))).as("fd 3 after epoll_create(%d) is an epoll file", size)
                    .isTrue();
        });
    }

    @Test
    @DisplayName("EMFILE when the descriptor table is full; EINVAL is checked first; a freed fd is used again")
    void emfileWhenTheTableIsFull() {
        inProcess(() -> {
            int opened = 0;
            while (RegularFile.open("/x") >= 0) {
                opened++;
            }
            assertThat(opened).as("open() calls until EMFILE: fds 3..%d", FilesStruct.NR_OPEN_DEFAULT - 1)
                    .isEqualTo(FilesStruct.NR_OPEN_DEFAULT - 3);
            assertThat(errno(Epoll.epollCreate1(0)))
                    .as("epoll_create1(0) with all %d descriptors open: get_unused_fd_flags fails and its "
                            + "error is returned as is", FilesStruct.NR_OPEN_DEFAULT)
                    .isEqualTo("EMFILE");
            assertThat(errno(Epoll.epollCreate(1))).as("epoll_create(1) with a full table").isEqualTo("EMFILE");
            assertThat(errno(Epoll.epollCreate1(1)))
                    .as("epoll_create1(1) with a full table: the flags are checked before a descriptor is "
                            + "looked for, so EINVAL, not EMFILE")
                    .isEqualTo("EINVAL");
            assertThat(Vfs.close(500)).as("close(500)").isZero();
            assertThat(Epoll.epollCreate1(0))
                    .as("epoll_create1(0) after close(500): the one free descriptor, 500").isEqualTo(500);
            assertThat(errno(Epoll.epollCreate1(0))).as("and then the table is full again").isEqualTo("EMFILE");
        });
    }

    // ---- the tree: ep_cmp_ffd, ep_find, ep_rbtree_insert ----------------------------------------

    @ParameterizedTest(name = "[{index}] ({0}, {1}) vs ({2}, {3}): {4}")
    @CsvSource(delimiter = '|', textBlock = """
            # file 1 | fd 1 | file 2 | fd 2 | sign | the rule
            a        | 5    | b      | 3    | -1   | the file is compared first: a's address is lower, whatever the fds
            b        | 3    | a      | 5    | 1    | the same pair the other way round
            a        | 3    | a      | 5    | -1   | the same file: the fds decide
            a        | 5    | a      | 3    | 1    | the same file, the fds the other way round
            a        | 4    | a      | 4    | 0    | the same file and fd: the same key
            b        | 4    | a      | 4    | 1    | the same fd number, different files: the files decide
            """)
    @DisplayName("ep_cmp_ffd orders by file (its address), then by fd")
    void epCmpFfdOrdersByFileThenFd(String file1, int fd1, String file2, int fd2, int sign, String rule) {
        File a = new File("a", NOTHING, null, 0);
        File b = new File("b", NOTHING, null, 0);
        assertThat(a.address).as("test setup: a file made first has the lower address").isLessThan(b.address);
        File f1 = file1.equals("a") ? a : b;
        File f2 = file2.equals("a") ? a : b;

        int cmp = EventPoll.epCmpFfd(new EpollFileFd(f1, fd1), new EpollFileFd(f2, fd2));

        assertThat(Integer.signum(cmp))
                .as("ep_cmp_ffd((%s, %d), (%s, %d)) must be %s: %s (it returned %d)", file1, fd1, file2, fd2,
                        sign < 0 ? "negative" : sign > 0 ? "positive" : "0", rule, cmp)
                .isEqualTo(sign);
    }

    @Test
    @DisplayName("ep_find tells apart one file under two fds (dup): the key is (file, fd)")
    void epFindTellsApartTwoFdsOfOneFile() {
        inProcess(() -> {
            int epfd = newEpoll();
            int efd = eventfd();
            int dupfd = (int) Vfs.dup(efd);
            assertThat(dupfd).as("test setup: dup(%d)", efd).isEqualTo(efd + 1);
            EventPoll ep = Epolls.ep(epfd);
            File file = file(efd);
            assertThat(file(dupfd)).as("test setup: both fds share one open file").isSameAs(file);
            EpItem viaEfd = item(ep, file, efd);
            EpItem viaDup = item(ep, file, dupfd);

            ep.mtx.lock();
            try {
                assertThat(ep.epFind(file, efd)).as("ep_find in an empty tree finds nothing").isNull();
                ep.epRbtreeInsert(viaEfd);
                assertThat(ep.epFind(file, efd)).as("ep_find(file, %d) after inserting the item (file, %d)", efd,
                        efd).isSameAs(viaEfd);
                assertThat(ep.epFind(file, dupfd))
                        .as("ep_find(file, %d): the same file under another fd is another key, not yet in the "
                                + "tree", dupfd).isNull();
                ep.epRbtreeInsert(viaDup);
                assertThat(ep.epFind(file, efd)).as("ep_find(file, %d) with both items in the tree", efd)
                        .isSameAs(viaEfd);
                assertThat(ep.epFind(file, dupfd)).as("ep_find(file, %d) with both items in the tree", dupfd)
                        .isSameAs(viaDup);
                assertThat(ep.epFind(file, dupfd + 1)).as("ep_find(file, %d): no item has that fd", dupfd + 1)
                        .isNull();
            } finally {
                ep.mtx.unlock();
            }
            assertThat(ep.items()).as("the tree holds both items of the one file, fd %d first", efd)
                    .containsExactly(viaEfd, viaDup);
        });
    }

    @Test
    @DisplayName("ep_find tells apart two files that had the same fd number: the key is (file, fd)")
    void epFindTellsApartTwoFilesUnderOneFd() {
        inProcess(() -> {
            int epfd = newEpoll();
            int fd = eventfd();
            File old = file(fd);
            int keep = (int) Vfs.dup(fd);
            assertThat(Vfs.close(fd)).as("close(%d), the file lives on behind fd %d", fd, keep).isZero();
            assertThat(eventfd()).as("test setup: a new eventfd gets the freed number %d", fd).isEqualTo(fd);
            File young = file(fd);
            EventPoll ep = Epolls.ep(epfd);
            EpItem oldItem = item(ep, old, fd);
            EpItem youngItem = item(ep, young, fd);

            ep.mtx.lock();
            try {
                ep.epRbtreeInsert(oldItem);
                assertThat(ep.epFind(young, fd))
                        .as("ep_find(new file, %d): the item (old file, %d) has the same fd number but another "
                                + "file, so it must not be found", fd, fd).isNull();
                ep.epRbtreeInsert(youngItem);
                assertThat(ep.epFind(old, fd)).as("ep_find(old file, %d)", fd).isSameAs(oldItem);
                assertThat(ep.epFind(young, fd)).as("ep_find(new file, %d)", fd).isSameAs(youngItem);
                assertThat(ep.epFind(old, keep))
                        .as("ep_find(old file, %d): the old file was added with fd %d, not %d", keep, fd, keep)
                        .isNull();
            } finally {
                ep.mtx.unlock();
            }
            assertThat(ep.items()).as("two items with the same fd number; the older file (lower address) first")
                    .containsExactly(oldItem, youngItem);
        });
    }

    @Test
    @DisplayName("ep_rbtree_insert keeps the tree in ep_cmp_ffd order, and ep_find finds every item")
    void insertedItemsAreFoundAndOrdered() {
        inProcess(() -> {
            EventPoll ep = Epolls.ep(newEpoll());
            File a = new File("a", NOTHING, null, 0);
            File b = new File("b", NOTHING, null, 0);
            File c = new File("c", NOTHING, null, 0);
            List<EpItem> sorted = List.of(item(ep, a, 7), item(ep, a, 9), item(ep, b, 3), item(ep, b, 8),
                    item(ep, c, 1));
            List<EpItem> scrambled = List.of(sorted.get(3), sorted.get(0), sorted.get(4), sorted.get(2),
                    sorted.get(1));

            ep.mtx.lock();
            try {
                for (EpItem epi : scrambled) {
                    ep.epRbtreeInsert(epi);
                }
                for (EpItem epi : sorted) {
                    assertThat(ep.epFind(epi.ffd.file(), epi.ffd.fd()))
                            .as("ep_find(%s, %d) after inserting it", epi.ffd.file(), epi.ffd.fd()).isSameAs(epi);
                }
                assertThat(ep.epFind(a, 3)).as("ep_find(a, 3): fd 3 is in the tree, but with file b").isNull();
                assertThat(ep.epFind(c, 7)).as("ep_find(c, 7): fd 7 is in the tree, but with file a").isNull();
            } finally {
                ep.mtx.unlock();
            }
            List<String> order = new ArrayList<>();
            ep.items().forEach(epi -> order.add(epi.ffd.file() + ":" + epi.ffd.fd()));
            assertThat(order)
                    .as("the items in tree order after inserting b:8, a:7, c:1, b:3, a:9: by file, then by fd")
                    .containsExactly("a:7", "a:9", "b:3", "b:8", "c:1");
        });
    }

    /** An item of {@code ep} for ({@code file}, {@code fd}), interested in EPOLLIN, on no list. */
    private static EpItem item(EventPoll ep, File file, int fd) {
        return new EpItem(ep, new EpollFileFd(file, fd), new EpollEvent(EPOLLIN, fd));
    }
}
