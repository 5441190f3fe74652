package herd.fix.crosscheck;

import com.sun.jna.LastErrorException;

/**
 * Workers blocked in {@code accept4} on one blocking listening socket, as prefork
 * children are (Java's own sockets cannot show it: they let one thread at a time into
 * {@code accept}). {@code shutdown(SHUT_RD)} of the socket ends their waits with
 * {@code EINVAL}.
 */
final class BlockingAcceptServer extends KernelServer {
    private final int lfd;
    private final int port;

    BlockingAcceptServer() {
        Listener l = Listener.open(0);
        lfd = l.fd();
        port = l.port();
    }

    @Override
    int port() {
        return port;
    }

    @Override
    void work(int i, Counts c) {
        for (;;) {
            int fd;
            long start = System.nanoTime();
            try {
                fd = LibC.accept4(lfd, null, null, LibC.SOCK_CLOEXEC);
                trace.call(i, "accept4", start, Integer.toString(fd), false);
            } catch (LastErrorException e) {
                if (stopping) {
                    return;
                }
                throw e;
            }
            c.returns++;
            c.accepts++;
            LibC.close(fd);
        }
    }

    @Override
    void wakeAll() {
        LibC.shutdown(lfd, LibC.SHUT_RD);
    }

    @Override
    void release() {
        LibC.close(lfd);
    }
}
