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
    private final List<int[]> channels = Collections.synchronizedList(new ArrayList<>());
    private volatile int listenFd = -1;
    private volatile Process process;

    private NgxMaster(int workerProcesses, boolean multiAccept) {
        List<NgxWorker> list = new ArrayList<>();
        for (int i = 0; i < workerProcesses; i++) {
            list.add(new NgxWorker(this, i, multiAccept));
        }
        this.workers = List.copyOf(list);
    }

    /**
     * Starts nginx on {@code sched} with {@code workerProcesses} workers ({@code multi_accept}
     * off): the master task runs at once; run the scheduler to let the workers set up.
     */
    public static NgxMaster start(Scheduler sched, int workerProcesses) {
        return start(sched, workerProcesses, false);
    }

    /** Starts nginx with {@code multi_accept} as given. */
    public static NgxMaster start(Scheduler sched, int workerProcesses, boolean multiAccept) {
        NgxMaster master = new NgxMaster(workerProcesses, multiAccept);
        master.process = new Process(sched, "master");
        master.process.spawn("master", master::masterProcessCycle);
        return master;
    }

    private void masterProcessCycle() {
        // Three descriptors before the listening socket put it at 6, as in the course's strace log.
        RegularFile.openLog("/var/log/nginx/error.log");
        RegularFile.openLog("/var/log/nginx/access.log");
        RegularFile.openLog("/var/log/nginx/stream.log");
        listenFd = ngxOpenListeningSocket();
        for (NgxWorker worker : workers) {
            int[] channel = new int[2];
            UnixStream.socketpair(UnixStream.AF_UNIX, UnixStream.SOCK_STREAM, 0, channel);
            channels.add(channel);
            Process.current().fork(worker.toString(), () -> worker.run(Process.current()));
        }
        Select.poll(new PollFd[0], -1); // sigsuspend(): the master waits for signals
    }

    private static int ngxOpenListeningSocket() {
        int s = (int) SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0);
        SocketCalls.setsockopt(s, SockOptions.SOL_SOCKET, SockOptions.SO_REUSEADDR, 1);
        Vfs.ioctlFionbio(s, 1);
        SocketCalls.bind(s, LISTEN, SockaddrIn.SIZE);
        SocketCalls.listen(s, NGX_LISTEN_BACKLOG);
        return s;
    }

    /** The listening descriptor, the same number in every worker. */
    public int listenFd() {
        return listenFd;
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
