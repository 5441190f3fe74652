package herd.nginx;

/**
 * The nginx the model runs: which version, how it was built, and the {@code nginx.conf}
 * it reads (how many workers, and how they share the listening socket).
 *
 * <p>Whether the workers add the listening socket with {@code EPOLLEXCLUSIVE} is not a
 * setting: {@code ngx_event_process_init} (src/event/ngx_event.c) does it whenever
 * {@code accept_mutex} is off and there are several workers, in nginx 1.11.3 and later
 * built where the flag exists ({@code NGX_HAVE_EPOLLEXCLUSIVE}: auto/os/linux finds it in
 * {@code <sys/epoll.h>}, which has it since Linux 4.5 and glibc 2.24). No directive turns
 * it off. The herd of lesson 4 therefore needs an nginx built without it, an nginx before
 * 1.11.3 with {@code accept_mutex off}, or a kernel before 4.5, which ignores the unknown
 * flag (the model's kernel is current, so that last case is not modelled).
 *
 * @param nginxVersion         {@code nginx_version}, as src/core/nginx.h encodes it: 1011003 is 1.11.3
 * @param ngxHaveEpollexclusive {@code NGX_HAVE_EPOLLEXCLUSIVE}: the build found {@code EPOLLEXCLUSIVE}
 * @param workerProcesses      {@code worker_processes}
 * @param workerConnections    {@code worker_connections}: each worker's connection pool ({@code connection_n})
 * @param multiAccept          {@code multi_accept}: accept every pending connection per event
 * @param acceptMutex          {@code accept_mutex}: the workers take turns at the listening socket
 *                             (on by default before 1.11.3, off since)
 * @param reuseport            {@code listen 80 reuseport}: one listening socket per worker
 */
public record NgxConf(int nginxVersion, boolean ngxHaveEpollexclusive, int workerProcesses, int workerConnections,
                      boolean multiAccept, boolean acceptMutex, boolean reuseport) {
    /** The {@code worker_connections} of the nginx.conf nginx ships: 1024. */
    public static final int WORKER_CONNECTIONS = 1024;
    /** The nginx whose source the model follows: 1.31.5. */
    public static final int NGINX_VERSION = 1_031_005;
    /** nginx 1.11.3 (2016-07-26): {@code EPOLLEXCLUSIVE} on Linux, and {@code accept_mutex} off by default. */
    public static final int NGINX_1_11_3 = 1_011_003;
    /** nginx 1.21.6 (2022-01-25): {@code ngx_reorder_accept_events}, the fix for the uneven spread. */
    public static final int NGINX_1_21_6 = 1_021_006;

    /** Checks what {@code ngx_core_module} and {@code ngx_events_module} check when they read the file. */
    public NgxConf {
        if (workerProcesses < 1) {
            throw new IllegalArgumentException("worker_processes must be at least 1: " + workerProcesses);
        }
        if (workerConnections < 2) {
            throw new IllegalArgumentException("worker_connections must be at least 2: " + workerConnections);
        }
        if (nginxVersion < 1_000_000) {
            throw new IllegalArgumentException("nginx_version is 1xxxyyy (1.11.3 is 1011003): " + nginxVersion);
        }
    }

    /**
     * Today's nginx, its defaults, {@code workerProcesses} workers, built with
     * {@code EPOLLEXCLUSIVE} (any distribution since 2017): what {@code nginx} on a current
     * Linux runs. Its workers add the one listening socket exclusively: no herd (lesson 5).
     */
    public static NgxConf stock(int workerProcesses) {
        return new NgxConf(NGINX_VERSION, true, workerProcesses, WORKER_CONNECTIONS, false, false, false);
    }

    /**
     * Lesson 4's nginx: today's nginx with its defaults, but built where
     * {@code <sys/epoll.h>} has no {@code EPOLLEXCLUSIVE} (glibc before 2.24, as on CentOS
     * and RHEL 7). Every worker watches the one socket plainly: the herd.
     */
    public static NgxConf herd(int workerProcesses) {
        return stock(workerProcesses).withEpollexclusiveBuild(false);
    }

    /**
     * This configuration as nginx {@code version} would run it: with that version's default
     * {@code accept_mutex} (on before 1.11.3) and only the code it had.
     */
    public NgxConf withVersion(int version) {
        return new NgxConf(version, ngxHaveEpollexclusive, workerProcesses, workerConnections, multiAccept,
                version < NGINX_1_11_3, reuseport);
    }

    /** Built with {@code NGX_HAVE_EPOLLEXCLUSIVE} or without. */
    public NgxConf withEpollexclusiveBuild(boolean have) {
        return new NgxConf(nginxVersion, have, workerProcesses, workerConnections, multiAccept, acceptMutex,
                reuseport);
    }

    /** This configuration with {@code multi_accept on} or off. */
    public NgxConf withMultiAccept(boolean on) {
        return new NgxConf(nginxVersion, ngxHaveEpollexclusive, workerProcesses, workerConnections, on, acceptMutex,
                reuseport);
    }

    /** This configuration with {@code worker_connections n}. */
    public NgxConf withWorkerConnections(int n) {
        return new NgxConf(nginxVersion, ngxHaveEpollexclusive, workerProcesses, n, multiAccept, acceptMutex,
                reuseport);
    }

    /** {@code accept_mutex on}. */
    public NgxConf withAcceptMutex() {
        return withAcceptMutex(true);
    }

    /** {@code accept_mutex on} or {@code off}. */
    public NgxConf withAcceptMutex(boolean on) {
        return new NgxConf(nginxVersion, ngxHaveEpollexclusive, workerProcesses, workerConnections, multiAccept, on,
                reuseport);
    }

    /** {@code listen 80 reuseport} (nginx 1.9.1 and later). */
    public NgxConf withReuseport() {
        return new NgxConf(nginxVersion, ngxHaveEpollexclusive, workerProcesses, workerConnections, multiAccept,
                acceptMutex, true);
    }

    /**
     * Whether this nginx has {@code ngx_event_process_init}'s {@code EPOLLEXCLUSIVE} branch:
     * 1.11.3 or later, built with {@code NGX_HAVE_EPOLLEXCLUSIVE}. The branch is taken with
     * more than one worker and {@code accept_mutex off}, for a socket without {@code reuseport}.
     */
    public boolean exclusiveAccept() {
        return ngxHaveEpollexclusive && nginxVersion >= NGINX_1_11_3;
    }

    /** Whether this nginx re-adds an exclusive listening socket now and then ({@code ngx_reorder_accept_events}, 1.21.6). */
    public boolean reorderAcceptEvents() {
        return exclusiveAccept() && nginxVersion >= NGINX_1_21_6;
    }

    /** {@code NGINX_VERSION}: "1.31.5". */
    public String version() {
        return nginxVersion / 1_000_000 + "." + nginxVersion / 1_000 % 1_000 + "." + nginxVersion % 1_000;
    }
}
