package herd.nginx;

import static herd.epoll.Epoll.EPOLLET;
import static herd.epoll.Epoll.EPOLL_CTL_ADD;
import static herd.fs.Poll.EPOLLIN;
import static herd.nginx.NgxEpollModule.NGX_POST_EVENTS;
import static herd.nginx.NgxEpollModule.NGX_TIMER_INFINITE;

import herd.epoll.Epoll;
import herd.epoll.EpollEvent;
import herd.epoll.EventPoll;
import herd.fs.EventFd;
import herd.fs.File;
import herd.fs.Process;
import herd.fs.Vfs;
import herd.sched.Task;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An nginx worker process (src/os/unix/ngx_process_cycle.c): {@code ngx_worker_process_init}
 * (close the other workers' channels, set up events), then {@code ngx_worker_process_cycle}:
 * {@code ngx_process_events_and_timers} forever. It holds what nginx keeps in its cycle and
 * globals: the epoll descriptor, the event list, the connections by descriptor, the
 * posted event queues and the accept mutex's per-process variables (nginx defines them in
 * ngx_event.c); the accept mutex's functions are ngx_event_accept.c's, in
 * {@link NgxEventAccept}.
 */
public final class NgxWorker {
    /** {@code accept_mutex_delay 500ms}: how long a worker without the mutex waits before trying again. */
    public static final int ACCEPT_MUTEX_DELAY = 500;
    private static final ThreadLocal<NgxWorker> CURRENT = new ThreadLocal<>();

    /** {@code ngx_process_slot}: 0 for the first worker. */
    public final int slot;
    /** {@code multi_accept}: accept every pending connection per event (off by default). */
    public final boolean multiAccept;
    /** The lines of the error log kept in memory; later ones are only counted ({@link #errorLogDropped}). */
    public static final int ERROR_LOG_LINES = 1_000;
    /**
     * The first {@value #ERROR_LOG_LINES} lines the worker logged to its error log. nginx
     * appends to a file; a worker that fails accept4 in a loop logs a line per turn, so the
     * model keeps the first lines (where a storm starts) and counts the rest, in constant
     * time and memory per line.
     */
    public final List<String> errorLog = Collections.synchronizedList(new ArrayList<>());
    /** Lines logged after the first {@value #ERROR_LOG_LINES}, not kept. */
    public final AtomicLong errorLogDropped = new AtomicLong();
    /** Requests read (and answered by closing). */
    public volatile long requests;
    /** {@code ngx_use_exclusive_accept}: the listening socket went into this worker's epoll with {@code EPOLLEXCLUSIVE}. */
    volatile boolean useExclusiveAccept;
    /** {@code ngx_use_accept_mutex}: {@code accept_mutex on} and more than one worker. */
    volatile boolean useAcceptMutex;
    /** {@code ngx_accept_mutex_held}: this worker took the mutex last, and its epoll has the listening sockets. */
    volatile boolean acceptMutexHeld;
    /** {@code ngx_accept_disabled}: {@code connection_n / 8 - free}, set at each accept; while positive the worker sits out. */
    volatile long acceptDisabled;
    /** {@code ngx_event_timer_rbtree}: the events with a timer, by expiry ({@link NgxEventTimer}). */
    final List<NgxEvent> eventTimers = new ArrayList<>();
    /** {@code ngx_posted_accept_events}: accept events put aside under the mutex. */
    final Deque<NgxEvent> postedAcceptEvents = new ArrayDeque<>();
    /** {@code ngx_posted_events}: the other events put aside, handled once the mutex is free. */
    final Deque<NgxEvent> postedEvents = new ArrayDeque<>();
    final EpollEvent[] eventList = new EpollEvent[NgxEpollModule.NEVENTS];
    /** {@code ep}: the worker's epoll descriptor, -1 until {@code ngx_epoll_init}. */
    volatile int ep = -1;
    /** The master: the shared accept mutex ({@code ngx_accept_mutex}), the listening sockets. */
    final NgxMaster master;
    private final NgxConf conf;
    private final Map<Integer, NgxConnection> connections = new ConcurrentHashMap<>();
    /** The listening connections of this worker ({@code cycle->listening}, {@code ls[i].connection}). */
    final List<NgxConnection> listening = new ArrayList<>();
    private volatile Process process;
    private volatile Task task;

    NgxWorker(NgxMaster master, int slot, NgxConf conf) {
        this.master = master;
        this.slot = slot;
        this.conf = conf;
        this.multiAccept = conf.multiAccept();
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

        ngxEventProcessInit();

        NgxConnection channel = getConnection(master.channel(slot)[1], false);
        channel.read.handler = ev -> { }; // ngx_channel_handler: the model's master sends no commands
        NgxEpollModule.ngxEpollAddEvent(this, channel.read, 0);
    }

    /**
     * {@code ngx_event_process_init()}: the accept mutex is used with more than one worker;
     * the epoll; each listening socket of this worker gets {@code ngx_event_accept}. A
     * reuseport socket is added plainly; with the accept mutex, none is added (the holder
     * adds them); with several workers, an nginx that has {@code EPOLLEXCLUSIVE} (1.11.3
     * and later, built with {@code NGX_HAVE_EPOLLEXCLUSIVE}) adds it exclusively, whatever
     * the configuration says; otherwise it is added plainly, level-triggered: the herd.
     */
    private void ngxEventProcessInit() {
        useAcceptMutex = conf.acceptMutex() && conf.workerProcesses() > 1;
        NgxEpollModule.ngxEpollInit(this);
        List<Integer> fds = master.listening();
        for (int i = 0; i < fds.size(); i++) {
            if (conf.reuseport() && i != slot) {
                continue; // another worker's socket (ls->worker != ngx_worker)
            }
            NgxConnection ls = getConnection(fds.get(i), true);
            listening.add(ls);
            ls.read.handler = master.acceptHandler;
            if (conf.reuseport()) {
                NgxEpollModule.ngxEpollAddEvent(this, ls.read, 0);
            } else if (useAcceptMutex) {
                continue;
            } else if (conf.exclusiveAccept() && conf.workerProcesses() > 1) { // #if (NGX_HAVE_EPOLLEXCLUSIVE)
                useExclusiveAccept = true;
                NgxEpollModule.ngxEpollAddExclusiveEvent(this, ls.read);
            } else {
                NgxEpollModule.ngxEpollAddEvent(this, ls.read, 0);
            }
        }
    }

    /** The configuration of the nginx this worker belongs to. */
    public NgxConf conf() {
        return conf;
    }

    /**
     * {@code ngx_process_events_and_timers()}. The wait lasts until the next of the worker's
     * timers ({@code ngx_event_find_timer}); the model's nginx has one kind only, the accept
     * event's after {@code accept4} ran out of descriptors, so it is mostly infinite, unless
     * the accept mutex caps it. With the mutex, a worker that sits out
     * ({@code ngx_accept_disabled}) only counts down; the others try the lock: the holder has
     * its events posted, the rest wait at most {@code accept_mutex_delay}. After the wait,
     * the posted accept events run, then the holder unlocks, then the expired timers' handlers
     * ({@code ngx_event_expire_timers}), then the other posted events.
     */
    void ngxProcessEventsAndTimers() {
        int timer = NgxEventTimer.ngxEventFindTimer(this);
        int flags = 0;
        if (useAcceptMutex) {
            // @exercise L05-E5 ngx_process_events_and_timers with the accept mutex: if acceptDisabled > 0,
            //   count it down; else NgxEventAccept.ngxTrylockAcceptMutex(this) (false: return), then the
            //   holder sets flags |= NGX_POST_EVENTS and the others cap timer at ACCEPT_MUTEX_DELAY
            if (acceptDisabled > 0) {
                acceptDisabled--;
            } else {
                if (!NgxEventAccept.ngxTrylockAcceptMutex(this)) {
                    return;
                }
                if (acceptMutexHeld) {
                    flags |= NGX_POST_EVENTS;
                } else if (timer == NGX_TIMER_INFINITE || timer > ACCEPT_MUTEX_DELAY) {
                    timer = ACCEPT_MUTEX_DELAY;
                }
            }
            // @end L05-E5
        }
        NgxEpollModule.ngxEpollProcessEvents(this, timer, flags);
        if (useAcceptMutex) {
            // @exercise L05-E5 after the wait: ngx_event_process_posted(postedAcceptEvents) FIRST, then, if
            //   acceptMutexHeld, ngx_shmtx_unlock (master.acceptMutex.unlock(pid)); the other posted events
            //   run after, without the lock
            NgxEventPosted.ngxEventProcessPosted(postedAcceptEvents);
            if (acceptMutexHeld) {
                master.acceptMutex.unlock(process.pid());
            }
            // @end L05-E5
        }
        NgxEventTimer.ngxEventExpireTimers(this);
        NgxEventPosted.ngxEventProcessPosted(postedEvents);
    }

    /** {@code ngx_cycle->free_connection_n}: connections left in the pool ({@code worker_connections} in all). */
    long freeConnectionN() {
        return conf.workerConnections() - connections.size();
    }

    /**
     * {@code ngx_epoll_notify_init()}: the eventfd other threads use to wake the worker,
     * added edge-triggered. Its connection is nginx's static {@code notify_conn}, not one
     * of the pool, and nobody writes the eventfd in the model.
     */
    void notifyInit() {
        int notifyFd = (int) EventFd.eventfd2(0, 0);
        Epoll.epollCtl(ep, EPOLL_CTL_ADD, notifyFd, new EpollEvent(EPOLLIN | EPOLLET, notifyFd));
    }

    /**
     * {@code ngx_get_connection()} for an accepted descriptor: a connection from the pool,
     * or null, logged ("worker_connections are not enough"), when none is free. (nginx first
     * tries to free idle keepalive connections, {@code ngx_drain_connections}; the model has
     * none.)
     */
    public NgxConnection ngxGetConnection(int fd) {
        if (freeConnectionN() == 0) {
            log("alert", conf.workerConnections() + " worker_connections are not enough");
            return null;
        }
        NgxConnection c = new NgxConnection(fd, false);
        connections.put(fd, c);
        return c;
    }

    /** A connection for an accepted descriptor, for code that treats an empty pool as a bug. */
    public NgxConnection getConnection(int fd) {
        return getConnection(fd, false);
    }

    NgxConnection getConnection(int fd, boolean listening) {
        if (freeConnectionN() == 0) {
            throw new IllegalStateException(conf.workerConnections() + " worker_connections are not enough");
        }
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
    public void log(String message) {
        synchronized (errorLog) {
            if (errorLog.size() < ERROR_LOG_LINES) {
                errorLog.add(message);
                return;
            }
        }
        errorLogDropped.incrementAndGet();
    }

    /** {@code ngx_log_error(level, ...)}: the line as nginx's error log shows it after the pid, {@code [crit] ...}. */
    public void log(String level, String message) {
        log("[" + level + "] " + message);
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
