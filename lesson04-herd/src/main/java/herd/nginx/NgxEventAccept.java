package herd.nginx;

import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import herd.uapi.Errno;

/**
 * src/event/ngx_event_accept.c: what a worker does when the listening socket is
 * reported readable. It accepts (non-blocking), registers the new connection
 * edge-triggered and hands it to HTTP; {@code EAGAIN} means another worker was faster.
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
     * reorders the accept events ({@code ngx_reorder_accept_events}).
     */
    public static void ngxEventAccept(NgxEvent ev) {
        if (acceptConnections(ev)) {
            ngxReorderAcceptEvents(NgxWorker.current(), ev.data);
        }
    }

    /** The loop of {@code ngx_event_accept}: false where nginx returns early ({@code EAGAIN}, an error), true when it ran out. */
    static boolean acceptConnections(NgxEvent ev) {
        NgxWorker worker = NgxWorker.current();
        NgxConnection lc = ev.data;
        // >>> L04-E2
        // ngx_event_accept: ev.available = multi_accept; ev.ready = false; do { accept4(lc.fd, sa,
        // [112], SOCK_NONBLOCK); EAGAIN: return false; other error: log, return false; else
        // worker.acceptDisabled = workerConnections / 8 - freeConnectionN() and ls->handler of a
        // new connection: NgxHttp.ngxHttpInitConnection(worker.getConnection(s)) } while
        // (ev.available); return true
        throw herd.course.Todo.exercise("L04-E2", "ngx_event_accept: ev.available = multi_accept; ev.ready = false; do { accept4(lc.fd, sa, [112], SOCK_NONBLOCK); EAGAIN: return false; other error: log, return false; else worker.acceptDisabled = workerConnections / 8 - freeConnectionN() and ls->handler of a new connection: NgxHttp.ngxHttpInitConnection(worker.getConnection(s)) } while (ev.available); return true");
        // <<< L04-E2
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
        // >>> L05-E6
        // ngx_reorder_accept_events: if c.requests++ % 16 != 0 and worker.acceptDisabled <= 0,
        // return; else ngx_epoll_del_event then ngxEpollAddExclusiveEvent of c.read
        throw herd.course.Todo.exercise("L05-E6", "ngx_reorder_accept_events: if c.requests++ % 16 != 0 and worker.acceptDisabled <= 0, return; else ngx_epoll_del_event then ngxEpollAddExclusiveEvent of c.read");
        // <<< L05-E6
    }
}
