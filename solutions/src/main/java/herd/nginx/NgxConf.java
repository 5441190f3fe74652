package herd.nginx;

/**
 * The nginx configuration the model reads ({@code nginx.conf}): how many workers, and
 * how they share the listening socket.
 *
 * @param workerProcesses      {@code worker_processes}
 * @param workerConnections    {@code worker_connections}: each worker's connection pool ({@code connection_n})
 * @param multiAccept          {@code multi_accept}: accept every pending connection per event
 * @param acceptMutex          {@code accept_mutex on}: the workers take turns at the listening socket
 *                             (the default until nginx 1.11.2)
 * @param epollExclusive       nginx 1.11.3 and later on Linux 4.5 and later: the listening socket is added
 *                             with {@code EPOLLEXCLUSIVE} when there are several workers
 * @param reorderAcceptEvents  nginx 1.21.6 and later: with {@code EPOLLEXCLUSIVE}, a worker re-adds the
 *                             listening socket every 16 accept events, moving to the back of its queue
 * @param reuseport            {@code listen 80 reuseport}: one listening socket per worker
 */
public record NgxConf(int workerProcesses, int workerConnections, boolean multiAccept, boolean acceptMutex,
                      boolean epollExclusive, boolean reorderAcceptEvents, boolean reuseport) {
    /** The {@code worker_connections} of the nginx.conf nginx ships: 1024. */
    public static final int WORKER_CONNECTIONS = 1024;

    /** Checks what {@code ngx_core_module} and {@code ngx_events_module} check when they read the file. */
    public NgxConf {
        if (workerProcesses < 1) {
            throw new IllegalArgumentException("worker_processes must be at least 1: " + workerProcesses);
        }
        if (workerConnections < 2) {
            throw new IllegalArgumentException("worker_connections must be at least 2: " + workerConnections);
        }
    }

    /** Lesson 4's nginx: {@code workerProcesses} workers sharing one socket, each watching it plainly (the herd). */
    public static NgxConf herd(int workerProcesses) {
        return new NgxConf(workerProcesses, WORKER_CONNECTIONS, false, false, false, false, false);
    }

    /** This configuration with {@code multi_accept on} or off. */
    public NgxConf withMultiAccept(boolean on) {
        return new NgxConf(workerProcesses, workerConnections, on, acceptMutex, epollExclusive, reorderAcceptEvents,
                reuseport);
    }

    /** This configuration with {@code worker_connections n}. */
    public NgxConf withWorkerConnections(int n) {
        return new NgxConf(workerProcesses, n, multiAccept, acceptMutex, epollExclusive, reorderAcceptEvents,
                reuseport);
    }

    /** {@code accept_mutex on}. */
    public NgxConf withAcceptMutex() {
        return new NgxConf(workerProcesses, workerConnections, multiAccept, true, epollExclusive, reorderAcceptEvents,
                reuseport);
    }

    /** {@code EPOLLEXCLUSIVE} as nginx 1.11.3 to 1.21.5 used it ({@code reorder} false) or as 1.21.6 does. */
    public NgxConf withEpollExclusive(boolean reorder) {
        return new NgxConf(workerProcesses, workerConnections, multiAccept, acceptMutex, true, reorder, reuseport);
    }

    /** {@code listen 80 reuseport}. */
    public NgxConf withReuseport() {
        return new NgxConf(workerProcesses, workerConnections, multiAccept, acceptMutex, epollExclusive,
                reorderAcceptEvents, true);
    }
}
