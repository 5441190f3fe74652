package herd.fs;

import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Syscalls.errno;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import herd.course.kit.Schedulers;
import herd.net.UnixStream;
import herd.sched.DeterministicScheduler;
import herd.sched.Task;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The descriptor table (fs/file.c): lowest free number, close, dup, the open file a
 * descriptor shares, EMFILE, fork's copy and exit_files.
 */
class FilesStructTest {
    @AutoClose
    private final Schedulers schedulers = new Schedulers();
    private final DeterministicScheduler sched = schedulers.deterministic(1);

    /** A file type that counts how often {@code ->release} ran: the open file was freed. */
    private static final class Counting implements FileOperations {
        final AtomicInteger releases = new AtomicInteger();

        @Override
        public int poll(File file, PollTable wait) {
            return 0;
        }

        @Override
        public void release(File file) {
            releases.incrementAndGet();
        }
    }

    /** A new eventfd of the current process ({@code flags} 0 blocks on read). */
    private static int eventfd(int flags) {
        long fd = EventFd.eventfd2(0, flags);
        assertThat(fd).as("eventfd2").isNotNegative();
        return (int) fd;
    }

    /** Installs a new open file of {@code fops} in the current process. */
    private static int install(Counting fops) {
        return Process.current().files.installNew(new File("test:[counting]", fops, null, 0));
    }

    private static long readCount(int fd) {
        byte[] buf = new byte[Long.BYTES];
        long ret = Vfs.read(fd, buf, Long.BYTES);
        return ret < 0 ? ret : ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder()).getLong();
    }

    @Test
    void aNewProcessHasItsStandardFdsOpenOnOneDevNull() {
        Process p = new Process(sched, "test");

        assertThat(p.files.openFds()).as("fds 0, 1 and 2 are open").containsExactly(0, 1, 2);
        File devNull = file(p, 0);
        assertThat(devNull).hasToString("/dev/null");
        assertThat(file(p, 1)).as("fd 1 shares fd 0's open file").isSameAs(devNull);
        assertThat(file(p, 2)).as("fd 2 shares fd 0's open file").isSameAs(devNull);
        assertThat(devNull.fileCount()).as("one reference per descriptor").isEqualTo(3);
    }

    @Test
    void aReservedFdIsNotOpenUntilFdInstall() {
        inProcess(sched, () -> {
            FilesStruct files = Process.current().files;
            int reserved = files.getUnusedFd();
            assertThat(reserved).as("get_unused_fd_flags reserves the lowest free fd").isEqualTo(3);
            assertThat(files.openFds()).as("a reserved fd has no file yet: it is not listed as open")
                    .containsExactly(0, 1, 2);
            assertThat(eventfd(0)).as("but no other file can take it").isEqualTo(4);
            Counting fops = new Counting();
            files.fdInstall(reserved, new File("test:[counting]", fops, null, 0));
            assertThat(files.openFds()).as("fd_install makes it open").containsExactly(0, 1, 2, 3, 4);
        });
    }

    @Test
    void getFileOnAReleasedFileIsABug() {
        Counting fops = new Counting();
        File f = new File("test:[counting]", fops, null, 0);
        f.fput();
        assertThat(fops.releases.get()).as("the last fput released the file").isEqualTo(1);
        assertThatThrownBy(f::getFile).as("get_file on a file whose count reached 0: a use after free")
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("BUG: get_file on a released file");
    }

    @Test
    void newFdsTakeTheLowestFreeNumber() {
        inProcess(sched, () -> {
            assertThat(eventfd(0)).as("fds 0-2 are taken: the first new fd is 3").isEqualTo(3);
            assertThat(eventfd(0)).isEqualTo(4);
            assertThat(eventfd(0)).isEqualTo(5);
            assertThat(Vfs.close(4)).isZero();
            assertThat(eventfd(0)).as("4 is the lowest free fd again").isEqualTo(4);
            assertThat(eventfd(0)).isEqualTo(6);
            assertThat(Vfs.close(3)).isZero();
            assertThat(Vfs.close(5)).isZero();
            assertThat(Vfs.dup(6)).as("dup takes the lowest free fd too").isEqualTo(3);
            assertThat(Vfs.close(0)).as("closing stdin frees fd 0").isZero();
            assertThat(eventfd(0)).as("nothing reserves 0-2: a closed stdin is reused").isZero();
            assertThat(Process.current().files.openFds()).containsExactly(0, 1, 2, 3, 4, 6);
        });
    }

    @Test
    void closeOfAnFdThatIsNotOpenIsEbadf() {
        inProcess(sched, () -> {
            int fd = eventfd(0);
            assertThat(errno(Vfs.close(fd + 1))).as("an fd never opened").isEqualTo("EBADF");
            assertThat(errno(Vfs.close(-1))).as("a negative fd").isEqualTo("EBADF");
            assertThat(errno(Vfs.close(FilesStruct.NR_OPEN_DEFAULT))).as("an fd past the table").isEqualTo("EBADF");
            assertThat(errno(Vfs.close(Integer.MAX_VALUE))).as("a huge fd").isEqualTo("EBADF");
            assertThat(Vfs.close(fd)).isZero();
            assertThat(errno(Vfs.close(fd))).as("closing twice: the second close finds nothing").isEqualTo("EBADF");
            assertThat(errno(Vfs.dup(fd))).as("dup of a closed fd").isEqualTo("EBADF");
            assertThat(errno(Vfs.dup(-1))).as("dup of a negative fd").isEqualTo("EBADF");
            assertThat(errno(Vfs.read(fd, new byte[8], 8))).as("read of a closed fd").isEqualTo("EBADF");
            assertThat(errno(Vfs.write(fd, EventFd.value(1), 8))).as("write to a closed fd").isEqualTo("EBADF");
        });
    }

    @Test
    void dupGivesTheLowestFreeFdSharingTheOpenFile() {
        inProcess(sched, () -> {
            int a = eventfd(EventFd.EFD_NONBLOCK);
            int spare = eventfd(0);
            assertThat(Vfs.close(spare)).isZero();
            File open = file(a);
            assertThat(open.fileCount()).as("one descriptor, one reference").isEqualTo(1);

            long b = Vfs.dup(a);

            assertThat(b).as("dup takes the lowest free fd").isEqualTo(spare);
            assertThat(file((int) b)).as("both fds point to the same open file").isSameAs(open);
            assertThat(open.fileCount()).as("a reference per descriptor").isEqualTo(2);
            assertThat(Vfs.write(a, EventFd.value(5), 8)).isEqualTo(8);
            assertThat(readCount((int) b)).as("a write through one fd is read through the other").isEqualTo(5);
            assertThat(errno(Vfs.read((int) b, new byte[8], 8)))
                    .as("the file's flags are shared too: the dup is non-blocking").isEqualTo("EAGAIN");
        });
    }

    @Test
    void closingOneDupKeepsTheFileOpenTheLastCloseReleasesIt() {
        Counting fops = new Counting();
        inProcess(sched, () -> {
            int a = install(fops);
            int b = (int) Vfs.dup(a);
            int c = (int) Vfs.dup(b);
            File open = file(a);
            assertThat(open.fileCount()).isEqualTo(3);

            assertThat(Vfs.close(a)).isZero();
            assertThat(open.fileCount()).isEqualTo(2);
            assertThat(Vfs.close(c)).isZero();
            assertThat(fops.releases).as("another fd still refers to the file: no ->release yet").hasValue(0);
            assertThat(open.fileCount()).isEqualTo(1);

            assertThat(Vfs.close(b)).isZero();
            assertThat(fops.releases).as("the last reference is gone: ->release, once").hasValue(1);
            assertThat(open.fileCount()).isZero();
        });
        assertThat(fops.releases).as("exit_files does not release it again").hasValue(1);
    }

    @Test
    void aSocketsPeerSeesEofOnlyWhenTheLastDupIsClosed() {
        inProcess(sched, () -> {
            int[] sv = new int[2];
            assertThat(UnixStream.socketpair(UnixStream.AF_UNIX,
                    UnixStream.SOCK_STREAM | UnixStream.SOCK_NONBLOCK, 0, sv)).isZero();
            int dup = (int) Vfs.dup(sv[0]);
            byte[] buf = new byte[4];

            assertThat(Vfs.close(sv[0])).isZero();
            assertThat(errno(Vfs.read(sv[1], buf, 4)))
                    .as("the dup keeps the socket open: the peer has no data but no EOF either").isEqualTo("EAGAIN");

            assertThat(Vfs.close(dup)).isZero();
            assertThat(Vfs.read(sv[1], buf, 4)).as("the socket was released: the peer reads EOF").isZero();
        });
    }

    @Test
    void aFullTableGivesEmfile() {
        Counting fops = new Counting();
        inProcess(sched, () -> {
            int first = eventfd(EventFd.EFD_NONBLOCK);
            int last = first;
            int made = 1;
            for (long fd = EventFd.eventfd2(0, 0); fd >= 0; fd = EventFd.eventfd2(0, 0)) {
                last = (int) fd;
                made++;
            }
            assertThat(last).as("descriptors go up to RLIMIT_NOFILE - 1").isEqualTo(FilesStruct.NR_OPEN_DEFAULT - 1);
            assertThat(made).as("1024 slots minus stdin, stdout and stderr").isEqualTo(1021);
            assertThat(errno(EventFd.eventfd2(0, 0))).as("eventfd2 in a full table").isEqualTo("EMFILE");

            File open = file(first);
            assertThat(errno(Vfs.dup(first))).as("dup in a full table").isEqualTo("EMFILE");
            assertThat(open.fileCount()).as("a failed dup gives its reference back").isEqualTo(1);

            assertThat(errno(install(fops))).as("installing a new file in a full table").isEqualTo("EMFILE");
            assertThat(fops.releases).as("the new file's only reference is put: it is released").hasValue(1);

            assertThat(Vfs.close(500)).isZero();
            assertThat(Vfs.dup(first)).as("one free slot: 500").isEqualTo(500);
            assertThat(errno(Vfs.dup(first))).as("and full again").isEqualTo("EMFILE");
        });
    }

    @Test
    void forkCopiesTheTableAndSharesTheOpenFiles() {
        Process parent = new Process(sched, "parent");
        File devNull = file(parent, 0);
        long[] parentRead = {0};
        parent.spawn("parent", () -> {
            int efd = eventfd(EventFd.EFD_NONBLOCK);
            int gate = eventfd(0);
            File open = file(efd);
            Process me = Process.current();
            me.fork("child", () -> {
                Process child = Process.current();
                assertThat(child).as("the child is a new process").isNotSameAs(me);
                assertThat(child.files).as("with its own table").isNotSameAs(me.files);
                assertThat(child.files.openFds()).as("a copy of the parent's fds").containsExactly(0, 1, 2, 3, 4);
                assertThat(file(efd)).as("the child's fd 3 is the parent's open file").isSameAs(open);
                assertThat(file(0)).isSameAs(devNull);
                assertThat(open.fileCount()).as("one reference from each table").isEqualTo(2);
                assertThat(devNull.fileCount()).as("3 fds in each table").isEqualTo(6);

                assertThat(Vfs.write(efd, EventFd.value(7), 8)).isEqualTo(8);
                assertThat(Vfs.close(efd)).isZero();
                assertThat(open.fileCount()).as("the child's close drops only its reference").isEqualTo(1);
                assertThat(me.files.openFds()).as("the parent's fd 3 is still open").containsExactly(0, 1, 2, 3, 4);
                assertThat(eventfd(0)).as("the child's new fd takes its free 3").isEqualTo(3);
                assertThat(file(3)).as("a new open file, not the parent's").isNotSameAs(open);
                assertThat(Vfs.write(gate, EventFd.value(1), 8)).isEqualTo(8);
            });
            assertThat(readCount(gate)).as("the child opens the gate").isEqualTo(1);
            parentRead[0] = readCount(efd);
            assertThat(open.fileCount()).as("only the parent's reference is left").isEqualTo(1);
        });

        sched.run();

        assertThat(parentRead[0]).as("the parent reads what the child wrote: one open file").isEqualTo(7);
        assertThat(devNull.fileCount()).as("both processes exited: /dev/null is closed everywhere").isZero();
    }

    @Test
    void aProcessClosesItsFilesWhenItsLastTaskExitsNotBefore() {
        Counting fops = new Counting();
        Process p = new Process(sched, "test");
        File devNull = file(p, 0);
        long[] got = {0};
        Task first = p.spawn("first", () -> {
            assertThat(install(fops)).isEqualTo(3);
            assertThat(eventfd(0)).isEqualTo(4);
            got[0] = readCount(4);
        });
        sched.runUntilIdle();

        Task second = p.spawn("second", () -> assertThat(Process.current()).isSameAs(p));
        sched.runUntilIdle();

        assertThat(second.state()).isEqualTo(Task.TASK_DEAD);
        assertThat(first.state()).as("the first task sleeps in read").isEqualTo(Task.TASK_INTERRUPTIBLE);
        assertThat(fops.releases).as("a task exited but another is alive: the files stay open").hasValue(0);
        assertThat(p.files.openFds()).containsExactly(0, 1, 2, 3, 4);

        p.spawn("third", () -> assertThat(Vfs.write(4, EventFd.value(1), 8)).isEqualTo(8));
        sched.run();

        assertThat(got[0]).as("the first task read the third's write").isEqualTo(1);
        assertThat(fops.releases).as("the last task exited: exit_files closed fd 3, its file is released")
                .hasValue(1);
        assertThat(p.files.openFds()).as("every fd is closed").isEmpty();
        assertThat(devNull.fileCount()).as("fds 0-2 too").isZero();
    }
}
