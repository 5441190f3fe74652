package herd.course.kit;

import static org.assertj.core.api.Assertions.assertThat;

import herd.fs.File;
import herd.fs.PollFd;
import herd.fs.Process;
import herd.fs.Select;
import herd.sched.DeterministicScheduler;
import java.util.ArrayList;
import java.util.List;

/** For the tests of lesson 2 and later: syscalls run in a task of a process, and its descriptors. */
public final class Processes {
    private Processes() {
    }

    /** Runs {@code body} in one task of a fresh process on a fresh scheduler (seed 1), to the end. */
    public static void inProcess(Runnable body) {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            inProcess(sched, body);
        }
    }

    /** Runs {@code body} in one task of a fresh process on {@code sched}, to the end; the scheduler stays open. */
    public static void inProcess(DeterministicScheduler sched, Runnable body) {
        new Process(sched, "test").spawn("test", body);
        sched.run();
    }

    /** The open file behind {@code fd} of the current process (no reference kept); fails if it is not open. */
    public static File file(int fd) {
        return file(Process.current(), fd);
    }

    /** The open file behind {@code fd} of {@code p} (no reference kept); fails if {@code fd} is not open. */
    public static File file(Process p, int fd) {
        File file = fileOf(p, fd);
        assertThat(file).as("fd %d is open", fd).isNotNull();
        return file;
    }

    /** The open file behind {@code fd} of {@code p} (no reference kept), or null. */
    public static File fileOf(Process p, int fd) {
        File file = p.files.fget(fd);
        if (file != null) {
            file.fput();
        }
        return file;
    }

    /** The descriptors of {@code p} that are open now. */
    public static List<Integer> openFds(Process p) {
        List<Integer> fds = new ArrayList<>();
        for (int fd : p.files.openFds()) {
            fds.add(fd);
        }
        return fds;
    }

    /** {@code poll(NULL, 0, -1)}: sleeps until the test ends, so that the process keeps its descriptors. */
    public static void pause() {
        Select.poll(new PollFd[0], -1);
    }
}
