package herd.nginx;

import static herd.epoll.Epoll.EPOLLET;
import static herd.epoll.Epoll.EPOLL_CTL_ADD;
import static herd.fs.Poll.EPOLLIN;

import herd.epoll.Epoll;
import herd.epoll.EpollEvent;
import herd.epoll.EventPoll;
import herd.fs.EventFd;
import herd.fs.File;
import herd.fs.Process;
import herd.fs.Vfs;
import herd.sched.Task;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An nginx worker process (src/os/unix/ngx_process_cycle.c): {@code ngx_worker_process_init}
 * (close the other workers' channels, set up events), then {@code ngx_worker_process_cycle}:
 * {@code ngx_process_events_and_timers} forever. It holds what nginx keeps in its cycle and
 * globals: the epoll descriptor, the event list, the connections by descriptor.
 */
public final class NgxWorker {
    private static final ThreadLocal<NgxWorker> CURRENT = new ThreadLocal<>();

    /** {@code ngx_process_slot}: 0 for the first worker. */
    public final int slot;
    /** {@code multi_accept}: accept every pending connection per event (off by default). */
    public final boolean multiAccept;
    /** What the worker logged to its error log. */
    public final List<String> errorLog = new CopyOnWriteArrayList<>();
    /** Requests read (and answered by closing). */
    public volatile long requests;
    /** {@code ngx_use_exclusive_accept}: the listening socket went into this worker's epoll with {@code EPOLLEXCLUSIVE}. */
    volatile boolean useExclusiveAccept;
    final EpollEvent[] eventList = new EpollEvent[NgxEpollModule.NEVENTS];
    /** {@code ep}: the worker's epoll descriptor, -1 until {@code ngx_epoll_init}. */
    volatile int ep = -1;
    private final NgxMaster master;
    private final Map<Integer, NgxConnection> connections = new ConcurrentHashMap<>();
    private volatile Process process;
    private volatile Task task;

    NgxWorker(NgxMaster master, int slot, boolean multiAccept) {
        this.master = master;
        this.slot = slot;
        this.multiAccept = multiAccept;
        for (int i = 0; i < eventList.length; i++) {
            eventList[i] = new EpollEvent();
        }
    }

    /** The worker whose process the current task belongs to ({@code ngx_cycle}). */
    public static NgxWorker current() {
        NgxWorker w = CURRENT.get();
        if (w == null) {
            throw new IllegalStateException("not in an nginx worker: start workers with NgxMaster.start");
        }
        return w;
    }

    /** The body of the forked worker process. */
    void run(Process self) {
        attach(self);
        ngxWorkerProcessInit();
        for (;;) {
            ngxProcessEventsAndTimers();
        }
    }

    /** Makes this worker the nginx cycle of the current task of {@code self}; a forked worker starts with it. */
    void attach(Process self) {
        CURRENT.set(this);
        process = self;
        task = Task.current();
    }

    /**
     * {@code ngx_worker_process_init()}: closes the other workers' channel ends and its own
     * master end, sets up events ({@code ngx_event_process_init}: the epoll, the listening
     * socket with {@code ngx_event_accept} as handler, level-triggered), then watches its
     * channel to the master.
     */
    private void ngxWorkerProcessInit() {
        for (int n = 0; n < slot; n++) {
            Vfs.close(master.channel(n)[1]);
        }
        Vfs.close(master.channel(slot)[0]);

        NgxEpollModule.ngxEpollInit(this);
        List<Integer> listening = master.listening();
        for (int i = 0; i < listening.size(); i++) {
            if (master.conf.reuseport() && i != slot) {
                continue; // another worker's socket (ls->worker != ngx_worker)
            }
            NgxConnection ls = getConnection(listening.get(i), true);
            ls.read.handler = NgxEventAccept::ngxEventAccept;
            ngxAddListeningEvent(ls.read);
        }

        NgxConnection channel = getConnection(master.channel(slot)[1], false);
        channel.read.handler = ev -> { }; // ngx_channel_handler: the model's master sends no commands
        NgxEpollModule.ngxEpollAddEvent(this, channel.read, 0);
    }

    /**
     * The end of {@code ngx_event_process_init()} for a listening socket: a reuseport
     * socket (only this worker's) is added plainly; with several workers and
     * {@code EPOLLEXCLUSIVE} the socket is added exclusive; otherwise plainly, level-triggered.
     */
    private void ngxAddListeningEvent(NgxEvent rev) {
        if (!master.conf.reuseport() && master.conf.epollExclusive() && master.conf.workerProcesses() > 1) {
            useExclusiveAccept = true;
            NgxEpollModule.ngxEpollAddExclusiveEvent(this, rev);
        } else {
            NgxEpollModule.ngxEpollAddEvent(this, rev, 0);
        }
    }

    /** The configuration of the nginx this worker belongs to. */
    public NgxConf conf() {
        return master.conf;
    }

    /** {@code ngx_process_events_and_timers()}: no timers in the model, so an infinite wait. */
    void ngxProcessEventsAndTimers() {
        NgxEpollModule.ngxEpollProcessEvents(this, NgxEpollModule.NGX_TIMER_INFINITE);
    }

    /** {@code ngx_epoll_notify_init()}: the eventfd other threads use to wake the worker, added edge-triggered. */
    void notifyInit() {
        int notifyFd = (int) EventFd.eventfd2(0, 0);
        NgxConnection notify = getConnection(notifyFd, false);
        notify.read.handler = ev -> { };
        Epoll.epollCtl(ep, EPOLL_CTL_ADD, notifyFd, new EpollEvent(EPOLLIN | EPOLLET, notifyFd));
        notify.read.active = true;
    }

    /** {@code ngx_get_connection()} for an accepted descriptor. */
    public NgxConnection getConnection(int fd) {
        return getConnection(fd, false);
    }

    private NgxConnection getConnection(int fd, boolean listening) {
        NgxConnection c = new NgxConnection(fd, listening);
        connections.put(fd, c);
        return c;
    }

    /** The connection of descriptor {@code fd}, or null. */
    public NgxConnection connection(int fd) {
        return connections.get(fd);
    }

    /** {@code ngx_close_connection()}: forget it and close the descriptor (which takes it out of the epoll set). */
    public void closeConnection(NgxConnection c) {
        connections.remove(c.fd);
        Vfs.close(c.fd);
    }

    /** {@code ngx_log_error()}. */
    void log(String message) {
        errorLog.add(message);
    }

    /** The worker's process, once it runs. */
    public Process process() {
        return process;
    }

    /** The worker's task, once it runs. */
    public Task task() {
        return task;
    }

    /** The worker's epoll instance, once {@code ngx_epoll_init} made it; null before. */
    public EventPoll eventPoll() {
        if (ep < 0 || process == null) {
            return null;
        }
        File file = process.files.fget(ep);
        if (file == null) {
            return null;
        }
        file.fput();
        return file.privateData instanceof EventPoll e ? e : null;
    }

    @Override
    public String toString() {
        return "worker" + (slot + 1);
    }
}
