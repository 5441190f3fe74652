package herd.fs;

import herd.sched.Scheduler;
import herd.sched.Task;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A process: one or more tasks sharing a file descriptor table and a user, as threads
 * of a process share {@code current->files}. {@link #fork} makes a child whose table
 * is a copy pointing to the same open files ({@code copy_files} in kernel/fork.c).
 * When the last task of a process exits, its descriptors are closed ({@code exit_files}).
 */
public final class Process {
    private static final ThreadLocal<Process> CURRENT = new ThreadLocal<>();

    /** {@code current->files}. */
    public final FilesStruct files;
    /** {@code current_user()}. */
    public final UserStruct user;
    private final Scheduler scheduler;
    private final String comm;
    private final List<Task> threads = new CopyOnWriteArrayList<>();
    private final AtomicInteger live = new AtomicInteger();

    /**
     * A process run by {@code scheduler}, for user 1000, whose descriptors 0, 1 and 2
     * (standard input, output and error) are open on {@code /dev/null}, so that its own
     * files start at 3 as in a real process.
     */
    public Process(Scheduler scheduler, String comm) {
        this(scheduler, comm, new FilesStruct(FilesStruct.NR_OPEN_DEFAULT), new UserStruct(1000));
        File devNull = RegularFile.file("/dev/null");
        for (int fd = 0; fd < 3; fd++) {
            files.installNew(fd == 0 ? devNull : devNull.getFile());
        }
    }

    private Process(Scheduler scheduler, String comm, FilesStruct files, UserStruct user) {
        this.scheduler = scheduler;
        this.comm = comm;
        this.files = files;
        this.user = user;
    }

    /** The process of the current task; syscalls act on it. */
    public static Process current() {
        Process p = CURRENT.get();
        if (p == null) {
            throw new IllegalStateException("a syscall needs a process: run this code in a task made by "
                    + "Process.spawn or Process.fork");
        }
        return p;
    }

    /**
     * A new task of this process running {@code body} (a thread: {@code clone(CLONE_FILES)}).
     * The task is one of the process's threads before it can run, as {@code copy_process}
     * links it into its thread group before {@code wake_up_new_task}: on real threads the
     * child may run before this returns, and its {@code getpid()} must already be its own.
     */
    public Task spawn(String taskComm, Runnable body) {
        live.incrementAndGet();
        return scheduler.spawn(taskComm, threads::add, () -> {
            CURRENT.set(this);
            body.run();
            if (live.decrementAndGet() == 0) {
                files.closeFiles();
            }
        });
    }

    /**
     * {@code fork()}: a child process named {@code childComm} whose descriptors share this
     * process's open files, running {@code body} in its first task.
     */
    public Process fork(String childComm, Runnable body) {
        Process child = new Process(scheduler, childComm, files.dupFd(), user);
        child.spawn(childComm, body);
        return child;
    }

    /** {@code getpid()}: the pid of the process's first task. */
    public int pid() {
        return threads.isEmpty() ? -1 : threads.get(0).pid();
    }

    /** The tasks of this process, in the order they were made. */
    public List<Task> tasks() {
        return List.copyOf(threads);
    }

    @Override
    public String toString() {
        return comm + "[" + pid() + "]";
    }
}
