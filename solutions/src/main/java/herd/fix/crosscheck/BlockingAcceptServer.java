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
        lfd = LibC.socket(LibC.AF_INET, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        LibC.setsockopt(lfd, LibC.SOL_SOCKET, LibC.SO_REUSEADDR, new int[] {1}, 4);
        LibC.bind(lfd, Sockaddr.loopback(0), Sockaddr.SIZE);
        LibC.listen(lfd, 511);
        byte[] addr = new byte[Sockaddr.SIZE];
        LibC.getsockname(lfd, addr, new int[] {Sockaddr.SIZE});
        port = Sockaddr.port(addr);
    }

    @Override
    int port() {
        return port;
    }

    @Override
    void work(int i, Counts c) {
        for (;;) {
            int fd;
            try {
                fd = LibC.accept4(lfd, null, null, LibC.SOCK_CLOEXEC);
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
