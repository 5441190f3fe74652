package herd.fix;

import herd.nginx.NgxConnection;
import herd.nginx.NgxEvent;
import herd.nginx.NgxEventAccept;
import herd.nginx.NgxHttp;
import herd.nginx.NgxWorker;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import herd.uapi.Errno;

/**
 * Batching with a cap, as lighttpd 1.4 does in {@code network_server_handle_fdevent}
 * (src/network.c): one readiness event of the listening socket accepts at most
 * {@value #MAX_ACCEPTS} connections ("we jump out after 100 to give the waiting
 * connections a chance"), fewer if {@code accept} runs dry first. nginx's
 * {@code multi_accept} has no cap. Here the loop runs in nginx's workers in place of
 * {@code ngx_event_accept} ({@code NgxMaster.start(sched, conf, BatchAccept::acceptBatch)}).
 */
public final class BatchAccept {
    /** lighttpd's cap: accepts per readiness event. */
    public static final int MAX_ACCEPTS = 100;

    private BatchAccept() {
    }

    /** The listening socket's read handler: up to {@value #MAX_ACCEPTS} accepts. */
    public static void acceptBatch(NgxEvent ev) {
        acceptBatch(ev, MAX_ACCEPTS);
    }

    /** Accepts up to {@code limit} connections; each goes to HTTP as nginx's would. Returns how many. */
    static int acceptBatch(NgxEvent ev, int limit) {
        NgxWorker worker = NgxWorker.current();
        NgxConnection lc = ev.data;
        // @exercise L05-E8 lighttpd's loop: for (loops = 0; loops < limit; loops++) { accept4(lc.fd, sa,
        //   [112], SOCK_NONBLOCK); EAGAIN: stop; another error: worker.log it and stop; else
        //   NgxHttp.ngxHttpInitConnection(worker.getConnection(s)) }; return loops
        int loops;
        for (loops = 0; loops < limit; loops++) {
            SockaddrIn[] sa = new SockaddrIn[1];
            int[] socklen = {NgxEventAccept.NGX_SOCKADDRLEN};
            long s = SocketCalls.accept4(lc.fd, sa, socklen, Socket.SOCK_NONBLOCK);
            if (s < 0) {
                if (s != Errno.EAGAIN.neg()) {
                    worker.log("accept4() failed: " + Errno.of(s));
                }
                break;
            }
            NgxHttp.ngxHttpInitConnection(worker.getConnection((int) s));
        }
        return loops;
        // @end L05-E8
    }
}
