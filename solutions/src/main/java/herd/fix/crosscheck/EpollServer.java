package herd.fix.crosscheck;

import com.sun.jna.LastErrorException;

/**
 * Workers each with their own epoll on one non-blocking listening socket, plainly
 * ({@code EPOLLIN}: nginx's herd) or with {@code EPOLLIN|EPOLLEXCLUSIVE}; each accepts with
 * a non-blocking {@code accept4} when its {@code epoll_wait} reports the socket. A shared
 * eventfd, watched by every epoll, stops them.
 */
final class EpollServer extends KernelServer {
    private final boolean exclusive;
    private final int lfd;
    private final int stopFd;
    private final int port;

    EpollServer(boolean exclusive) {
        this.exclusive = exclusive;
        Listener l = Listener.open(LibC.SOCK_NONBLOCK);
        lfd = l.fd();
        port = l.port();
        stopFd = LibC.eventfd(0, 0);
    }

    @Override
    int port() {
        return port;
    }

    @Override
    void work(int i, Counts c) {
        int ep = LibC.epoll_create1(0);
        try {
            LibC.epoll_ctl(ep, LibC.EPOLL_CTL_ADD, lfd,
                    Sockaddr.event(LibC.EPOLLIN | (exclusive ? LibC.EPOLLEXCLUSIVE : 0), lfd));
            LibC.epoll_ctl(ep, LibC.EPOLL_CTL_ADD, stopFd, Sockaddr.event(LibC.EPOLLIN, stopFd));
            byte[] events = new byte[8 * Sockaddr.EVENT_SIZE];
            for (;;) {
                long waited = System.nanoTime();
                int n = LibC.epoll_wait(ep, events, 8, -1);
                trace.call(i, "epoll_wait", waited, Integer.toString(n), false);
                boolean listener = false;
                for (int k = 0; k < n; k++) {
                    if (Sockaddr.data(events, k) == stopFd) {
                        return;
                    }
                    listener |= Sockaddr.data(events, k) == lfd;
                }
                if (listener) {
                    c.returns++;
                    accept(i, c);
                }
            }
        } finally {
            LibC.close(ep);
        }
    }

    private void accept(int i, Counts c) {
        long start = System.nanoTime();
        try {
            int fd = LibC.accept4(lfd, null, null, LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC);
            trace.call(i, "accept4", start, Integer.toString(fd), false);
            LibC.close(fd);
            c.accepts++;
        } catch (LastErrorException e) {
            if (e.getErrorCode() != LibC.EAGAIN) {
                throw e;
            }
            trace.call(i, "accept4", start, "-1 EAGAIN", true);
            c.failed++;
        }
    }

    @Override
    void wakeAll() {
        LibC.write(stopFd, new byte[] {1, 0, 0, 0, 0, 0, 0, 0}, 8);
    }

    @Override
    void release() {
        LibC.close(stopFd);
        LibC.close(lfd);
    }
}
