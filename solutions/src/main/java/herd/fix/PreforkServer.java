package herd.fix;

import herd.fs.PollFd;
import herd.fs.Process;
import herd.fs.Select;
import herd.fs.Vfs;
import herd.nginx.HttpWork;
import herd.nginx.NgxMaster;
import herd.nginx.WorkerCounters;
import herd.sched.Scheduler;
import herd.sched.Task;
import herd.socket.SockOptions;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import java.util.ArrayList;
import java.util.List;

/**
 * A prefork server with blocking accept: the master opens one listening socket (blocking)
 * and forks the children, and each child loops on {@code accept4}, serves the connection
 * and closes it. This is Apache's prefork with a single {@code Listen}
 * ({@code SINGLE_LISTEN_UNSERIALIZED_ACCEPT}: no accept mutex, the kernel's wake-one is
 * enough). Every sleeping child waits in {@code inet_csk_wait_for_connect}, exclusive at
 * the tail of the socket's wait queue, so one connection wakes one child, the one that has
 * waited longest.
 */
public final class PreforkServer {
    /** The children, in fork order. */
    public final List<Child> children;
    private volatile Process master;

    /** One child process: its name, its task once it runs, the requests it served. */
    public static final class Child {
        /** {@code child1}, {@code child2}... */
        public final String name;
        private volatile Task task;
        private volatile long requests;

        private Child(String name) {
            this.name = name;
        }

        /** The child's task, once it runs. */
        public Task task() {
            return task;
        }

        /** Requests served. */
        public long requests() {
            return requests;
        }

        /** The child's counters now; it sleeps in {@code accept4}. */
        public WorkerCounters counters() {
            return WorkerCounters.of(name, task, null, "accept4");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private PreforkServer(int n) {
        List<Child> list = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            list.add(new Child("child" + i));
        }
        this.children = List.copyOf(list);
    }

    /** Starts the master on {@code sched}; run the scheduler to let it fork {@code n} children. */
    public static PreforkServer start(Scheduler sched, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("a prefork server needs at least one child: " + n);
        }
        PreforkServer server = new PreforkServer(n);
        server.master = new Process(sched, "prefork");
        server.master.spawn("prefork", server::masterMain);
        return server;
    }

    /** Each child's counters now, in fork order. */
    public List<WorkerCounters> counters() {
        return children.stream().map(Child::counters).toList();
    }

    private void masterMain() {
        int lfd = (int) SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0);
        SocketCalls.setsockopt(lfd, SockOptions.SOL_SOCKET, SockOptions.SO_REUSEADDR, 1);
        SocketCalls.bind(lfd, NgxMaster.LISTEN, SockaddrIn.SIZE);
        SocketCalls.listen(lfd, NgxMaster.NGX_LISTEN_BACKLOG);
        for (Child child : children) {
            Process.current().fork(child.name, () -> childMain(child, lfd));
        }
        Select.poll(new PollFd[0], -1); // the master waits for signals
    }

    private static void childMain(Child child, int lfd) {
        child.task = Task.current();
        for (;;) {
            serveOne(child, lfd);
        }
    }

    /** One turn of a child's loop: wait for a connection, serve it, close it. */
    static void serveOne(Child child, int lfd) {
        // @exercise L05-E8 a prefork child's turn: accept4(lfd, sa, [16], 0) (a blocking listener, so it
        //   sleeps until a connection comes); an error: return; else read(s, buf, 1024) (blocking); a request
        //   (n > 0): child.requests++ and HttpWork.serve; then close(s)
        SockaddrIn[] sa = new SockaddrIn[1];
        int[] socklen = {SockaddrIn.SIZE};
        long s = SocketCalls.accept4(lfd, sa, socklen, 0);
        if (s < 0) {
            return;
        }
        byte[] buf = new byte[1024];
        long n = Vfs.read((int) s, buf, buf.length);
        if (n > 0) {
            child.requests++;
            HttpWork.serve(buf, (int) n);
        }
        Vfs.close((int) s);
        // @end L05-E8
    }
}
