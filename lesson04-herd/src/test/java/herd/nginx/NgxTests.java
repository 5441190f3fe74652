package herd.nginx;

import static herd.course.Syscalls.check;
import static org.assertj.core.api.Assertions.assertThat;

import herd.epoll.EpItem;
import herd.epoll.Epoll;
import herd.epoll.EventPoll;
import herd.fs.File;
import herd.fs.Process;
import herd.fs.ProcessTests;
import herd.fs.Vfs;
import herd.sched.DeterministicScheduler;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import herd.trace.StraceFormat;
import herd.trace.TraceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the lesson-4 tests share: strace lines per task, a worker made by hand in a test
 * process (no master, no fork: the exercise under test is called directly), listeners and
 * clients on port 80, and a look at a worker's epoll. Nothing here calls an exercise.
 */
final class NgxTests {
    /** Where the lesson-4 tests number their tasks: the master is 100, its workers 101, 102... */
    static final int FIRST_PID = 100;

    private NgxTests() {
    }

    // ---- strace ---------------------------------------------------------------------------

    /**
     * The syscalls of task {@code pid} in {@code events} as {@code strace -p pid} shows them,
     * one whole line per call (no {@code [pid N]} prefix, no resumption): the call still in
     * progress ends with {@code <unfinished ...>}.
     */
    static List<String> strace(List<TraceEvent> events, int pid) {
        String rendered = StraceFormat.render(events.stream().filter(e -> e.pid() == pid).toList());
        return rendered.lines().map(line -> line.substring(line.indexOf("] ") + 2)).toList();
    }

    /** {@link #strace(List, int)} of the whole run of {@code sched}. */
    static List<String> strace(DeterministicScheduler sched, int pid) {
        return strace(sched.trace().events(), pid);
    }

    /** The lines of {@code lines} that start with {@code prefix}. */
    static List<String> starting(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).toList();
    }

    /**
     * What task {@code pid} did since {@code before} (its strace lines then): the call it was
     * in, now complete, and every call after it.
     */
    static List<String> since(List<String> before, DeterministicScheduler sched, int pid) {
        List<String> now = strace(sched, pid);
        return now.subList(before.size() - 1, now.size());
    }

    /** The line of a worker on epoll {@code ep} asleep in {@code epoll_wait}. */
    static String asleep(int ep) {
        return "epoll_wait(" + ep + ",  <unfinished ...>";
    }

    /** The line of {@code epoll_wait(ep, ...)} returning the listening socket 6, readable. */
    static String listenerReported(int ep) {
        return "epoll_wait(" + ep + ", [{events=EPOLLIN, data={u32=6, u64=6}}], 512, -1) = 1";
    }

    // ---- nginx on a scheduler ------------------------------------------------------------------

    /** nginx with {@code n} workers on {@code sched}, run until every worker sleeps in epoll_wait. */
    static NgxMaster startIdle(DeterministicScheduler sched, int n, boolean multiAccept) {
        sched.pidsFrom(FIRST_PID);
        NgxMaster master = NgxMaster.start(sched, n, multiAccept);
        sched.runUntilIdle();
        return master;
    }

    /** The open file behind {@code fd} of {@code process} (no reference kept), or null. */
    static File fileOf(Process process, int fd) {
        File file = process.files.fget(fd);
        if (file != null) {
            file.fput();
        }
        return file;
    }

    /** The item of {@code ep} watching descriptor {@code fd}, or null. */
    static EpItem item(EventPoll ep, int fd) {
        return ep.items().stream().filter(epi -> epi.ffd.fd() == fd).findFirst().orElse(null);
    }

    /** The descriptors {@code ep} watches, in tree order. */
    static List<Integer> watched(EventPoll ep) {
        return ep.items().stream().map(epi -> epi.ffd.fd()).toList();
    }

    /** Sums one counter over the workers. */
    static long sum(List<WorkerCounters> counters, java.util.function.ToLongFunction<WorkerCounters> counter) {
        return counters.stream().mapToLong(counter).sum();
    }

    // ---- a worker made by hand -----------------------------------------------------------------

    /**
     * Runs {@code body} in one task of a fresh test process (seed 1), to the end, with a
     * worker made by hand: not forked by a master, its epoll made with {@code epoll_create1}
     * (not the exercise's {@code epoll_create}), current for the task.
     */
    static void inWorker(boolean multiAccept, Consumer<NgxWorker> body) {
        ProcessTests.inProcess(1, () -> {
            NgxWorker worker = new NgxWorker(null, 0, NgxConf.herd(1).withMultiAccept(multiAccept));
            worker.ep = (int) check(Epoll.epollCreate1(0));
            worker.attach(Process.current());
            body.accept(worker);
        });
    }

    /** nginx's listening socket made by hand: socket, FIONBIO, bind 0.0.0.0:80, listen 511. */
    static int listener() {
        int fd = (int) check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0));
        check(Vfs.ioctlFionbio(fd, 1));
        check(SocketCalls.bind(fd, NgxMaster.LISTEN, SockaddrIn.SIZE));
        check(SocketCalls.listen(fd, NgxMaster.NGX_LISTEN_BACKLOG));
        return fd;
    }

    /** A listening connection for {@code fd}, as {@code ngx_event_process_init} makes it (not registered). */
    static NgxConnection listening(int fd) {
        return new NgxConnection(fd, true);
    }

    /**
     * A non-blocking connect to 127.0.0.1:80 from a new socket: the handshake runs on the
     * loopback before connect() returns, so the connection is in the accept queue. Returns the fd.
     */
    static int connectNonBlocking() {
        int fd = (int) check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM | Socket.SOCK_NONBLOCK, 0));
        SocketCalls.connect(fd, Telnet.SERVER, SockaddrIn.SIZE);
        return fd;
    }

    /** The local port of the client socket {@code fd}: what the server sees as the peer's port. */
    static int portOf(int fd) {
        return Socket.sockFromFile(fileOf(Process.current(), fd)).sk.num;
    }

    /** The descriptors of the current process that are open now. */
    static List<Integer> openFds() {
        List<Integer> fds = new ArrayList<>();
        for (int fd : Process.current().files.openFds()) {
            fds.add(fd);
        }
        return fds;
    }

    /** The test task's successful and EAGAIN accept4 calls so far: [successes, EAGAIN]. */
    static List<Long> accept4Calls() {
        var stats = herd.sched.Task.current().syscallStats();
        long eagain = stats.errors("accept4", herd.uapi.Errno.EAGAIN);
        return List.of(stats.returned("accept4") - eagain, eagain);
    }

    /** Fails unless {@code fd} of the current process is open. */
    static File openFile(int fd) {
        File file = fileOf(Process.current(), fd);
        assertThat(file).as("fd %d is open", fd).isNotNull();
        return file;
    }
}
