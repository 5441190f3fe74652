package herd.nginx;

/**
 * The nginx configuration the model reads ({@code nginx.conf}): how many workers, and
 * how they share the listening socket.
 *
 * @param workerProcesses      {@code worker_processes}
 * @param multiAccept          {@code multi_accept}: accept every pending connection per event
 * @param epollExclusive       nginx 1.11.3 and later on Linux 4.5 and later: the listening socket is added
 *                             with {@code EPOLLEXCLUSIVE} when there are several workers
 * @param reorderAcceptEvents  nginx 1.21.6 and later: with {@code EPOLLEXCLUSIVE}, a worker re-adds the
 *                             listening socket every 16 accept events, moving to the back of its queue
 * @param reuseport            {@code listen 80 reuseport}: one listening socket per worker
 */
public record NgxConf(int workerProcesses, boolean multiAccept, boolean epollExclusive, boolean reorderAcceptEvents,
                      boolean reuseport) {
    /** Lesson 4's nginx: {@code workerProcesses} workers sharing one socket, each watching it plainly (the herd). */
    public static NgxConf herd(int workerProcesses) {
        return new NgxConf(workerProcesses, false, false, false, false);
    }

    /** This configuration with {@code multi_accept on} or off. */
    public NgxConf withMultiAccept(boolean on) {
        return new NgxConf(workerProcesses, on, epollExclusive, reorderAcceptEvents, reuseport);
    }

    /** {@code EPOLLEXCLUSIVE} as nginx 1.11.3 to 1.21.5 used it ({@code reorder} false) or as 1.21.6 does. */
    public NgxConf withEpollExclusive(boolean reorder) {
        return new NgxConf(workerProcesses, multiAccept, true, reorder, reuseport);
    }

    /** {@code listen 80 reuseport}. */
    public NgxConf withReuseport() {
        return new NgxConf(workerProcesses, multiAccept, epollExclusive, reorderAcceptEvents, true);
    }
}
