package herd.nginx;

import herd.fs.Vfs;
import herd.uapi.Errno;

/**
 * src/http/ngx_http_request.c, the first handler of a new connection: it reads what
 * the client sent; nothing yet ({@code EAGAIN}) means wait for the next edge; a request
 * or the client's close ends the connection. (The model answers nothing: a request is
 * read and the connection closed.)
 */
public final class NgxHttp {
    /** {@code client_header_buffer_size}. */
    static final int CLIENT_HEADER_BUFFER_SIZE = 1024;

    private NgxHttp() {
    }

    /**
     * {@code ngx_http_wait_request_handler()}: {@code recv} into the header buffer;
     * {@code EAGAIN}: return and wait; 0 (the client closed) or a request: close the
     * connection ({@code ngx_http_close_connection}).
     */
    public static void ngxHttpWaitRequestHandler(NgxEvent rev) {
        NgxWorker worker = NgxWorker.current();
        NgxConnection c = rev.data;
        byte[] buf = new byte[CLIENT_HEADER_BUFFER_SIZE];
        // TODO L04-E2
        throw herd.course.Todo.exercise("L04-E2", "ngx_http_wait_request_handler: read(c.fd, buf, 1024); EAGAIN: return (wait for the next edge); otherwise (a request, or 0 when the client closed, or an error) worker.closeConnection(c)");
    }
}
