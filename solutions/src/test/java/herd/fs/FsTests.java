package herd.fs;

import static org.assertj.core.api.Assertions.assertThat;

import herd.sched.DeterministicScheduler;
import herd.uapi.Errno;

/** What the tests of the given file code share: a process to run syscalls in, errno names, open files by fd. */
public final class FsTests {
    private FsTests() {
    }

    /** Runs {@code body} in one task of a fresh process on {@code sched}, to the end. */
    public static void inProcess(DeterministicScheduler sched, Runnable body) {
        new Process(sched, "test").spawn("test", body);
        sched.run();
    }

    /** The errno of a result by name, or the number for a success: for messages and tables. */
    public static String errno(long ret) {
        return Errno.isError(ret) ? Errno.of(ret).name() : Long.toString(ret);
    }

    /** The open file behind {@code fd} of {@code p} (no reference kept); fails if {@code fd} is not open. */
    public static File file(Process p, int fd) {
        File f = p.files.fget(fd);
        assertThat(f).as("fd %d is open", fd).isNotNull();
        f.fput();
        return f;
    }

    /** The open file behind {@code fd} of the current process. */
    public static File file(int fd) {
        return file(Process.current(), fd);
    }
}
