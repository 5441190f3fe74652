package herd.nginx;

import herd.fs.Vfs;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import herd.uapi.Errno;

/**
 * src/event/ngx_event_accept.c: what a worker does when the listening socket is
 * reported readable ({@code ngx_event_accept}: it accepts (non-blocking), registers the
 * new connection edge-triggered and hands it to HTTP; {@code EAGAIN} means another worker
 * was faster), and the accept mutex's side of the file: {@code ngx_trylock_accept_mutex},
 * {@code ngx_enable_accept_events}, {@code ngx_disable_accept_events}, and
 * {@code ngx_reorder_accept_events} for {@code EPOLLEXCLUSIVE}.
 */
public final class NgxEventAccept {
    /** {@code sizeof(ngx_sockaddr_t)}: the address buffer nginx passes to accept4. */
    public static final int NGX_SOCKADDRLEN = 112;

    private NgxEventAccept() {
    }

    /**
     * {@code ngx_event_accept()}: {@code accept4(lfd, &sa, &socklen, SOCK_NONBLOCK)} in a
     * loop that runs once unless {@code multi_accept} is on; {@code EAGAIN} returns ("accept()
     * not ready"); each new connection sets the accept mutex's throttle
     * ({@code ngx_accept_disabled = connection_n / 8 - free_connection_n}) and goes to
     * HTTP ({@code ngx_http_init_connection}). When the loop runs out, nginx 1.21.6
     * reorders the accept events ({@code ngx_reorder_accept_events}). Called because its
     * timer expired (after {@code EMFILE}), it first puts the listening sockets back in
     * the epoll ({@code ngx_enable_accept_events}).
     */
    public static void ngxEventAccept(NgxEvent ev) {
        NgxWorker worker = NgxWorker.current();
        if (ev.timedout) {
            if (!ngxEnableAcceptEvents(worker)) {
                return;
            }
            ev.timedout = false;
        }
        if (acceptConnections(ev)) {
            ngxReorderAcceptEvents(worker, ev.data);
        }
    }

    /** The loop of {@code ngx_event_accept}: false where nginx returns early ({@code EAGAIN}, an error), true when it ran out. */
    static boolean acceptConnections(NgxEvent ev) {
        NgxWorker worker = NgxWorker.current();
        NgxConnection lc = ev.data;
        // @exercise L04-E2 ngx_event_accept: ev.available = multi_accept; ev.ready = false; do {
        //   accept4(lc.fd, sa, [112], SOCK_NONBLOCK); EAGAIN: return false; another error: continue if
        //   ngxAcceptError(worker, ev, s) says so, else return false; then worker.acceptDisabled =
        //   workerConnections / 8 - freeConnectionN(); c = worker.ngxGetConnection(s): null (none free)
        //   closes s and returns false; else ls->handler: NgxHttp.ngxHttpInitConnection(c) } while
        //   (ev.available); return true
        ev.available = worker.multiAccept;
        ev.ready = false;
        do {
            SockaddrIn[] sa = new SockaddrIn[1];
            int[] socklen = {NGX_SOCKADDRLEN};
            long s = SocketCalls.accept4(lc.fd, sa, socklen, Socket.SOCK_NONBLOCK);
            if (s < 0) {
                if (s == Errno.EAGAIN.neg()) {
                    return false;
                }
                if (ngxAcceptError(worker, ev, s)) {
                    continue;
                }
                return false;
            }
            worker.acceptDisabled = worker.conf().workerConnections() / 8 - worker.freeConnectionN();
            NgxConnection c = worker.ngxGetConnection((int) s);
            if (c == null) {
                Vfs.close((int) s); // ngx_close_socket: the client sees the connection closed
                return false;
            }
            NgxHttp.ngxHttpInitConnection(c);
        } while (ev.available);
        return true;
        // @end L04-E2
    }

    /**
     * What {@code ngx_event_accept} does when {@code accept4} failed with another error than
     * {@code EAGAIN}. It logs it ({@code ECONNABORTED} at {@code error}, {@code EMFILE} and
     * {@code ENFILE} at {@code crit}, the rest at {@code alert}). {@code ECONNABORTED} goes on
     * to the next connection when more may be accepted ({@code multi_accept}): true. Out of
     * descriptors, the worker stops accepting for a while: the listening sockets leave its
     * epoll ({@code ngx_disable_accept_events(cycle, 1)}, reuseport ones too); with the
     * accept mutex it gives the mutex up and sits out a round ({@code ngx_accept_disabled = 1});
     * without, the accept event gets a timer of {@code accept_mutex_delay}, whose expiry runs
     * {@code ngx_event_accept} again, which puts them back first.
     */
    static boolean ngxAcceptError(NgxWorker worker, NgxEvent ev, long err) {
        Errno e = Errno.of(err);
        boolean outOfFiles = e == Errno.EMFILE || e == Errno.ENFILE;
        String level = e == Errno.ECONNABORTED ? "error" : outOfFiles ? "crit" : "alert";
        worker.log(level, "accept4() failed (" + e.number() + ": " + e.message() + ")");
        if (e == Errno.ECONNABORTED) {
            return ev.available;
        }
        if (outOfFiles) {
            if (!ngxDisableAcceptEvents(worker, true)) {
                return false;
            }
            if (worker.useAcceptMutex) {
                if (worker.acceptMutexHeld) {
                    worker.master.acceptMutex.unlock(worker.process().pid());
                    worker.acceptMutexHeld = false;
                }
                worker.acceptDisabled = 1;
            } else {
                NgxEventTimer.ngxEventAddTimer(worker, ev, NgxWorker.ACCEPT_MUTEX_DELAY);
            }
        }
        return false;
    }

    /**
     * {@code ngx_trylock_accept_mutex()}: got the lock: a worker that already held it has
     * nothing to do; otherwise it adds the listening sockets to its epoll
     * ({@code ngx_enable_accept_events}) and holds the mutex. Did not get it: a worker that
     * held it removes them ({@code ngx_disable_accept_events}) and holds it no more. False
     * for {@code NGX_ERROR} (an {@code epoll_ctl} failed; the lock is given back).
     */
    static boolean ngxTrylockAcceptMutex(NgxWorker worker) {
        // @exercise L05-E5 ngx_trylock_accept_mutex: worker.master.acceptMutex.trylock(pid): if already held
        //   return true; else ngxEnableAcceptEvents(worker) (failure: unlock, return false), held = true.
        //   Lock failed: if held, ngxDisableAcceptEvents(worker, false) (failure: return false), held =
        //   false. Return true
        long pid = worker.process().pid();
        NgxShmtx mutex = worker.master.acceptMutex;
        if (mutex.trylock(pid)) {
            if (worker.acceptMutexHeld) {
                return true;
            }
            if (!ngxEnableAcceptEvents(worker)) {
                mutex.unlock(pid);
                return false;
            }
            worker.acceptMutexHeld = true;
            return true;
        }
        if (worker.acceptMutexHeld) {
            if (!ngxDisableAcceptEvents(worker, false)) {
                return false;
            }
            worker.acceptMutexHeld = false;
        }
        return true;
        // @end L05-E5
    }

    /** {@code ngx_enable_accept_events()}: each listening socket not yet in the epoll is added, level-triggered. */
    static boolean ngxEnableAcceptEvents(NgxWorker worker) {
        for (NgxConnection c : worker.listening) {
            if (!c.read.active && NgxEpollModule.ngxEpollAddEvent(worker, c.read, 0) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code ngx_disable_accept_events(cycle, all)}: each listening socket in the epoll
     * leaves it; a worker's own reuseport socket stays unless {@code all} (the accept
     * mutex passes 0, running out of descriptors 1).
     */
    static boolean ngxDisableAcceptEvents(NgxWorker worker, boolean all) {
        for (NgxConnection c : worker.listening) {
            if (!c.read.active || worker.conf().reuseport() && !all) {
                continue;
            }
            if (NgxEpollModule.ngxEpollDelEvent(worker, c.read) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code ngx_reorder_accept_events()} (nginx 1.21.6): with {@code EPOLLEXCLUSIVE},
     * Linux wakes the worker that added the listening socket first, so that one takes
     * nearly every connection. On its first accept event and every 16th after, and on
     * every one while it is short of connections ({@code ngx_accept_disabled > 0}), the
     * worker deletes and re-adds the socket ({@code MOD} is refused with the flag), which
     * puts its entry at the TAIL of the socket's queue, behind the others.
     */
    static void ngxReorderAcceptEvents(NgxWorker worker, NgxConnection c) {
        if (!worker.useExclusiveAccept || !worker.conf().reorderAcceptEvents()) {
            return;
        }
        // @exercise L05-E6 ngx_reorder_accept_events: if c.requests++ % 16 != 0 and worker.acceptDisabled <=
        //   0, return; else ngx_epoll_del_event then ngxEpollAddExclusiveEvent of c.read
        if (c.requests++ % 16 != 0 && worker.acceptDisabled <= 0) {
            return;
        }
        NgxEpollModule.ngxEpollDelEvent(worker, c.read);
        NgxEpollModule.ngxEpollAddExclusiveEvent(worker, c.read);
        // @end L05-E6
    }
}
