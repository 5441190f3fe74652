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
     * not ready"); each new connection gets {@code ngx_http_wait_request_handler} and is
     * added with {@code EPOLLIN|EPOLLRDHUP|EPOLLET}.
     */
    public static void ngxEventAccept(NgxEvent ev) {
        NgxWorker worker = NgxWorker.current();
        NgxConnection lc = ev.data;
        // TODO L04-E2
        throw herd.course.Todo.exercise("L04-E2", "ngx_event_accept: ev.available = multi_accept; ev.ready = false; do { accept4(lc.fd, sa, [112], SOCK_NONBLOCK); EAGAIN: return; other error: return; else a connection (worker.getConnection) whose read handler is ngx_http_wait_request_handler, added with NGX_CLEAR_EVENT } while (ev.available)");
    }
}
