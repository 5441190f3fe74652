package herd.socket;

import herd.inet.Tcp;
import herd.inet.TcpSock;
import herd.sched.Sched;
import herd.uapi.Errno;

/**
 * The {@code SOL_SOCKET} options the course uses, as net/core/sock.c's
 * {@code sock_setsockopt} and {@code sock_getsockopt} handle them.
 */
public final class SockOptions {
    /** {@code SOL_SOCKET}. */
    public static final int SOL_SOCKET = 1;
    /** {@code SO_REUSEADDR}. */
    public static final int SO_REUSEADDR = 2;
    /** {@code SO_ERROR}: read-only, the pending error, cleared by reading it. */
    public static final int SO_ERROR = 4;
    /** {@code SO_REUSEPORT}. */
    public static final int SO_REUSEPORT = 15;
    /** {@code SO_RCVTIMEO} ({@code SO_RCVTIMEO_OLD}): a {@link Timeval}. */
    public static final int SO_RCVTIMEO = 20;
    /** {@code SO_ACCEPTCONN}: read-only, 1 on a listener. */
    public static final int SO_ACCEPTCONN = 30;

    private static final long USEC_PER_SEC = 1_000_000;
    private static final int SIZEOF_INT = 4;
    private static final int SIZEOF_TIMEVAL = 16;

    private SockOptions() {
    }

    /** The option's name as strace prints it. */
    static String name(int optname) {
        return switch (optname) {
            case SO_REUSEADDR -> "SO_REUSEADDR";
            case SO_ERROR -> "SO_ERROR";
            case SO_REUSEPORT -> "SO_REUSEPORT";
            case SO_RCVTIMEO -> "SO_RCVTIMEO_OLD";
            case SO_ACCEPTCONN -> "SO_ACCEPTCONN";
            default -> Integer.toString(optname);
        };
    }

    /**
     * {@code sock_setsockopt()} with an {@code int} value: {@code SO_REUSEADDR},
     * {@code SO_REUSEPORT}; {@code -EINVAL} for {@code SO_RCVTIMEO} (an int is shorter than
     * a timeval); {@code -ENOPROTOOPT} for anything else, the read-only options included.
     */
    static long sockSetsockopt(TcpSock sk, int optname, int val) {
        if (optname == SO_RCVTIMEO) {
            return Errno.EINVAL.neg();
        }
        sk.lockSock();
        try {
            switch (optname) {
                case SO_REUSEADDR -> sk.skReuse = val != 0;
                case SO_REUSEPORT -> sk.skReuseport = val != 0;
                default -> {
                    return Errno.ENOPROTOOPT.neg();
                }
            }
            return 0;
        } finally {
            sk.releaseSock();
        }
    }

    /**
     * {@code sock_setsockopt()} with a timeval: {@code SO_RCVTIMEO} through
     * {@code sock_set_timeout} ({@code -EDOM} for microseconds outside [0, 10^6), 0 for a
     * negative time, which makes the socket non-blocking, and {0, 0} for no timeout; the
     * kernel rounds up to jiffies, the model keeps nanoseconds). An int option reads the
     * timeval's first four bytes, as the kernel does.
     */
    static long sockSetsockopt(TcpSock sk, int optname, Timeval tv) {
        if (optname != SO_RCVTIMEO) {
            return sockSetsockopt(sk, optname, (int) tv.tvSec());
        }
        if (tv.tvUsec() < 0 || tv.tvUsec() >= USEC_PER_SEC) {
            return Errno.EDOM.neg();
        }
        long val;
        if (tv.tvSec() < 0) {
            val = 0;
        } else if (tv.tvSec() == 0 && tv.tvUsec() == 0 || tv.tvSec() >= Long.MAX_VALUE / 1_000_000_000L - 1) {
            val = Sched.MAX_SCHEDULE_TIMEOUT;
        } else {
            val = tv.tvSec() * 1_000_000_000L + tv.tvUsec() * 1000;
        }
        sk.skRcvtimeo = val;
        return 0;
    }

    /**
     * {@code sock_getsockopt()} of an int option into {@code optval[0]}, its length in
     * {@code optlen[0]} (in: the buffer's, out: at most 4): {@code -EINVAL} for a negative
     * length, {@code -ENOPROTOOPT} for an option the model lacks.
     */
    static long sockGetsockopt(TcpSock sk, int optname, int[] optval, int[] optlen) {
        if (optlen == null || optval == null) {
            return Errno.EFAULT.neg();
        }
        int len = optlen[0];
        if (len < 0) {
            return Errno.EINVAL.neg();
        }
        int v;
        switch (optname) {
            case SO_REUSEADDR -> v = sk.skReuse ? 1 : 0;
            case SO_REUSEPORT -> v = sk.skReuseport ? 1 : 0;
            case SO_ACCEPTCONN -> v = sk.skState == TcpSock.TCP_LISTEN ? 1 : 0;
            case SO_ERROR -> v = (int) -Tcp.sockError(sk);
            default -> {
                return Errno.ENOPROTOOPT.neg();
            }
        }
        if (len > 0) {
            optval[0] = v;
        }
        optlen[0] = Math.min(len, SIZEOF_INT);
        return 0;
    }

    /** {@code sizeof} the value strace prints after it. */
    static int sizeOf(Object value) {
        return value instanceof Timeval ? SIZEOF_TIMEVAL : SIZEOF_INT;
    }
}
