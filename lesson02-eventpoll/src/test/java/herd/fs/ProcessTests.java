package herd.fs;

import static org.assertj.core.api.Assertions.assertThat;

import herd.sched.DeterministicScheduler;

/** For the tests of lesson 2 and later: syscalls run in a task of a process. */
public final class ProcessTests {
    private ProcessTests() {
    }

    /** Runs {@code body} in one task of a fresh process on a scheduler with {@code seed}, to the end. */
    public static void inProcess(long seed, Runnable body) {
        try (DeterministicScheduler sched = new DeterministicScheduler(seed)) {
            new Process(sched, "test").spawn("test", body);
            sched.run();
        }
    }

    /** The open file behind {@code fd} of the current process (no reference kept); fails if it is not open. */
    public static File file(int fd) {
        File file = Process.current().files.fget(fd);
        assertThat(file).as("fd %d is open", fd).isNotNull();
        file.fput();
        return file;
    }
}
