package herd.course.kit;

import static herd.course.kit.Syscalls.check;

import herd.fs.Vfs;
import herd.nginx.NgxConf;
import herd.nginx.NgxMaster;
import herd.nginx.WorkerCounters;
import herd.sched.DeterministicScheduler;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * nginx in tests, from lesson 4 on: a master and its workers started and idle, nginx's
 * listening socket made by hand, the strace lines of a worker, and sums over the workers'
 * counters. Nothing here calls an exercise by itself; for a worker made by hand, see
 * {@code herd.nginx.NgxTests}.
 */
public final class Nginx {
    /** Where the nginx tests number their tasks: the master is 100, its workers 101, 102... */
    public static final int FIRST_PID = 100;

    private Nginx() {
    }

    /** nginx with {@code n} workers on {@code sched}, run until every worker sleeps in epoll_wait. */
    public static NgxMaster startIdle(DeterministicScheduler sched, int n, boolean multiAccept) {
        return startIdle(sched, NgxConf.herd(n).withMultiAccept(multiAccept));
    }

    /** nginx with the configuration {@code conf} on {@code sched}, run until every task sleeps. */
    public static NgxMaster startIdle(DeterministicScheduler sched, NgxConf conf) {
        sched.pidsFrom(FIRST_PID);
        NgxMaster master = NgxMaster.start(sched, conf);
        sched.runUntilIdle();
        return master;
    }

    /** nginx's listening socket made by hand: socket, FIONBIO, bind 0.0.0.0:80, listen 511. */
    public static int listener() {
        int fd = (int) check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0));
        check(Vfs.ioctlFionbio(fd, 1));
        check(SocketCalls.bind(fd, NgxMaster.LISTEN, SockaddrIn.SIZE));
        check(SocketCalls.listen(fd, NgxMaster.NGX_LISTEN_BACKLOG));
        return fd;
    }

    /** The strace line of a worker on epoll {@code ep} asleep in {@code epoll_wait}. */
    public static String asleep(int ep) {
        return "epoll_wait(" + ep + ",  <unfinished ...>";
    }

    /** The strace line of {@code epoll_wait(ep, ...)} returning the listening socket 6, readable. */
    public static String listenerReported(int ep) {
        return "epoll_wait(" + ep + ", [{events=EPOLLIN, data={u32=6, u64=6}}], 512, -1) = 1";
    }

    /** Sums one counter over the workers. */
    public static long sum(List<WorkerCounters> counters, ToLongFunction<WorkerCounters> counter) {
        return counters.stream().mapToLong(counter).sum();
    }
}
