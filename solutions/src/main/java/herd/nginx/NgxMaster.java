package herd.nginx;

import herd.fs.PollFd;
import herd.fs.Process;
import herd.fs.RegularFile;
import herd.fs.Select;
import herd.fs.Vfs;
import herd.net.UnixStream;
import herd.sched.Scheduler;
import herd.socket.SockOptions;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * The nginx master process (src/os/unix/ngx_process_cycle.c, ngx_process.c): it opens its
 * logs, the listening socket ({@code ngx_open_listening_sockets}: socket, SO_REUSEADDR,
 * non-blocking, bind to port 80, {@code listen(fd, 511)}), then forks the workers
 * ({@code ngx_spawn_process}), each with a socketpair channel, and waits. Every worker
 * inherits the one listening socket: the same open file, descriptor 6.
 */
public final class NgxMaster {
    /** {@code listen 80}: 0.0.0.0:80. */
    public static final SockaddrIn LISTEN = SockaddrIn.inet("0.0.0.0", 80);
    /** {@code NGX_LISTEN_BACKLOG} on Linux. */
    public static final int NGX_LISTEN_BACKLOG = 511;

    /** The workers, in spawn order. */
    public final List<NgxWorker> workers;
    /** The configuration nginx runs with. */
    public final NgxConf conf;
    /** The listening sockets' read handler: {@code ngx_event_accept}, or another accept loop put in its place. */
    final Consumer<NgxEvent> acceptHandler;
    /** {@code ngx_accept_mutex}: in the memory the master shares with the workers ({@code ngx_event_module_init}). */
    public final NgxShmtx acceptMutex = new NgxShmtx();
    private final List<int[]> channels = Collections.synchronizedList(new ArrayList<>());
    private final List<Integer> listening = Collections.synchronizedList(new ArrayList<>());
    private volatile Process process;

    private NgxMaster(NgxConf conf, Consumer<NgxEvent> acceptHandler) {
        this.conf = conf;
        this.acceptHandler = acceptHandler;
        List<NgxWorker> list = new ArrayList<>();
        for (int i = 0; i < conf.workerProcesses(); i++) {
            list.add(new NgxWorker(this, i, conf));
        }
        this.workers = List.copyOf(list);
    }

    /**
     * Starts lesson 4's nginx on {@code sched} with {@code workerProcesses} workers: today's
     * nginx with its defaults, built without {@code EPOLLEXCLUSIVE} ({@link NgxConf#herd}).
     * The master task runs at once; run the scheduler to let the workers set up.
     */
    public static NgxMaster start(Scheduler sched, int workerProcesses) {
        return start(sched, NgxConf.herd(workerProcesses));
    }

    /** Starts lesson 4's nginx with {@code multi_accept} as given. */
    public static NgxMaster start(Scheduler sched, int workerProcesses, boolean multiAccept) {
        return start(sched, NgxConf.herd(workerProcesses).withMultiAccept(multiAccept));
    }

    /** Starts nginx with the configuration {@code conf}. */
    public static NgxMaster start(Scheduler sched, NgxConf conf) {
        return start(sched, conf, NgxEventAccept::ngxEventAccept);
    }

    /**
     * Starts nginx with the configuration {@code conf} and {@code acceptHandler} as the
     * listening sockets' read handler instead of {@code ngx_event_accept}: another server's
     * accept loop in the same workers.
     */
    public static NgxMaster start(Scheduler sched, NgxConf conf, Consumer<NgxEvent> acceptHandler) {
        NgxMaster master = new NgxMaster(conf, acceptHandler);
        master.process = new Process(sched, "master");
        master.process.spawn("master", master::masterProcessCycle);
        return master;
    }

    private void masterProcessCycle() {
        // Three descriptors before the listening socket put it at 6, as in the course's strace log.
        RegularFile.openLog("/var/log/nginx/error.log");
        RegularFile.openLog("/var/log/nginx/access.log");
        RegularFile.openLog("/var/log/nginx/stream.log");
        ngxOpenListeningSockets();
        for (NgxWorker worker : workers) {
            int[] channel = new int[2];
            UnixStream.socketpair(UnixStream.AF_UNIX, UnixStream.SOCK_STREAM, 0, channel);
            channels.add(channel);
            Process.current().fork(worker.toString(), () -> worker.run(Process.current()));
        }
        Select.poll(new PollFd[0], -1); // sigsuspend(): the master waits for signals
    }

    /**
     * {@code ngx_open_listening_sockets()}: the one listening socket, or with
     * {@code reuseport} one per worker ({@code ngx_clone_listening}).
     */
    private void ngxOpenListeningSockets() {
        if (!conf.reuseport()) {
            listening.add(ngxOpenListeningSocket(false));
            return;
        }
        cloneListening();
    }

    /** {@code ngx_clone_listening()}: {@code listen ... reuseport} opens one socket per worker, all on port 80. */
    private void cloneListening() {
        // @exercise L05-E7 ngx_clone_listening: one listening socket per worker, each with SO_REUSEPORT set
        //   before bind (ngxOpenListeningSocket(true)), kept in worker order in listening
        for (int n = 0; n < conf.workerProcesses(); n++) {
            listening.add(ngxOpenListeningSocket(true));
        }
        // @end L05-E7
    }

    private static int ngxOpenListeningSocket(boolean reuseport) {
        int s = (int) SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0);
        SocketCalls.setsockopt(s, SockOptions.SOL_SOCKET, SockOptions.SO_REUSEADDR, 1);
        if (reuseport) {
            SocketCalls.setsockopt(s, SockOptions.SOL_SOCKET, SockOptions.SO_REUSEPORT, 1);
        }
        Vfs.ioctlFionbio(s, 1);
        SocketCalls.bind(s, LISTEN, SockaddrIn.SIZE);
        SocketCalls.listen(s, NGX_LISTEN_BACKLOG);
        return s;
    }

    /** The listening descriptors, the same numbers in every worker: one, or one per worker with {@code reuseport}. */
    public List<Integer> listening() {
        return List.copyOf(listening);
    }

    /** The first listening descriptor, the same number in every worker: 6. */
    public int listenFd() {
        return listening.get(0);
    }

    /** {@code ngx_processes[slot].channel}: the socketpair between the master and worker {@code slot}. */
    int[] channel(int slot) {
        return channels.get(slot);
    }

    /** The master process. */
    public Process process() {
        return process;
    }
}
