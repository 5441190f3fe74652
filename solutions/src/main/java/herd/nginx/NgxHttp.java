package herd.nginx;

import herd.fs.Vfs;
import herd.uapi.Errno;

/**
 * src/http/ngx_http_request.c, the first handler of a new connection: it reads what
 * the client sent; nothing yet ({@code EAGAIN}) means wait for the next edge; a request
 * or the client's close ends the connection. (The model answers nothing: a request is
 * read, served as {@link HttpWork} says, and the connection closed.)
 */
public final class NgxHttp {
    /** {@code client_header_buffer_size}. */
    static final int CLIENT_HEADER_BUFFER_SIZE = 1024;

    private NgxHttp() {
    }

    /**
     * {@code ngx_http_init_connection()}, the listening socket's {@code ls->handler}: the
     * read handler becomes {@code ngx_http_wait_request_handler} and the read event is added
     * edge-triggered ({@code ngx_handle_read_event} with {@code NGX_CLEAR_EVENT}).
     */
    public static void ngxHttpInitConnection(NgxConnection c) {
        // @exercise L04-E2 ngx_http_init_connection: c.read.handler = ngx_http_wait_request_handler; then
        //   ngxEpollAddEvent(worker, c.read, NGX_CLEAR_EVENT)
        c.read.handler = NgxHttp::ngxHttpWaitRequestHandler;
        NgxEpollModule.ngxEpollAddEvent(NgxWorker.current(), c.read, NgxEpollModule.NGX_CLEAR_EVENT);
        // @end L04-E2
    }

    /**
     * {@code ngx_http_wait_request_handler()}: {@code recv} into the header buffer;
     * {@code EAGAIN}: return and wait; a request is served ({@link HttpWork}); then a request
     * or 0 (the client closed) closes the connection ({@code ngx_http_close_connection}).
     */
    public static void ngxHttpWaitRequestHandler(NgxEvent rev) {
        NgxWorker worker = NgxWorker.current();
        NgxConnection c = rev.data;
        byte[] buf = new byte[CLIENT_HEADER_BUFFER_SIZE];
        // @exercise L04-E2 ngx_http_wait_request_handler: read(c.fd, buf, 1024); EAGAIN: return (wait for the
        //   next edge); a request (n > 0): count it in worker.requests and serve it (HttpWork.serve); then,
        //   for a request, 0 (the client closed) or an error, worker.closeConnection(c)
        long n = Vfs.read(c.fd, buf, CLIENT_HEADER_BUFFER_SIZE);
        if (n == Errno.EAGAIN.neg()) {
            return;
        }
        if (n > 0) {
            worker.requests++;
            HttpWork.serve(buf, (int) n);
        }
        worker.closeConnection(c);
        // @end L04-E2
    }
}
