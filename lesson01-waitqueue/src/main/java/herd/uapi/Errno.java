package herd.uapi;

/**
 * Error numbers as the kernel returns them (include/uapi/asm-generic/errno-base.h,
 * errno.h and include/linux/errno.h for the kernel-internal restart codes).
 *
 * <p>A syscall in the model returns a {@code long} like the kernel ABI: zero or a
 * positive result, or a negated errno ({@code -EAGAIN}). {@link #of(long)} names it.
 */
public enum Errno {
    EPERM(1, "Operation not permitted"),
    ENOENT(2, "No such file or directory"),
    EINTR(4, "Interrupted system call"),
    EBADF(9, "Bad file descriptor"),
    EAGAIN(11, "Resource temporarily unavailable"),
    ENOMEM(12, "Cannot allocate memory"),
    EFAULT(14, "Bad address"),
    EEXIST(17, "File exists"),
    EINVAL(22, "Invalid argument"),
    ENFILE(23, "Too many open files in system"),
    EMFILE(24, "Too many open files"),
    ENOSPC(28, "No space left on device"),
    EPIPE(32, "Broken pipe"),
    EDOM(33, "Numerical argument out of domain"),
    ELOOP(40, "Too many levels of symbolic links"),
    ENOTSOCK(88, "Socket operation on non-socket"),
    ENOPROTOOPT(92, "Protocol not available"),
    EPROTONOSUPPORT(93, "Protocol not supported"),
    ESOCKTNOSUPPORT(94, "Socket type not supported"),
    EOPNOTSUPP(95, "Operation not supported"),
    EAFNOSUPPORT(97, "Address family not supported by protocol"),
    EADDRINUSE(98, "Address already in use"),
    EADDRNOTAVAIL(99, "Cannot assign requested address"),
    ECONNABORTED(103, "Software caused connection abort"),
    ECONNRESET(104, "Connection reset by peer"),
    EISCONN(106, "Transport endpoint is already connected"),
    ENOTCONN(107, "Transport endpoint is not connected"),
    ETIMEDOUT(110, "Connection timed out"),
    ECONNREFUSED(111, "Connection refused"),
    EALREADY(114, "Operation already in progress"),
    EINPROGRESS(115, "Operation now in progress"),
    /** Kernel-internal: the syscall is restarted if the signal handler has SA_RESTART, else EINTR. */
    ERESTARTSYS(512, "To be restarted if SA_RESTART is set");

    private final int number;
    private final String message;

    Errno(int number, String message) {
        this.number = number;
        this.message = message;
    }

    /** The positive error number ({@code EAGAIN} is 11). */
    public int number() {
        return number;
    }

    /** The negated number a syscall returns ({@code -EAGAIN}). */
    public long neg() {
        return -number;
    }

    /** The text strace prints after the name, as {@code strerror} gives it. */
    public String message() {
        return message;
    }

    /** True when a syscall result is a negated errno. */
    public static boolean isError(long ret) {
        return ret < 0 && ret >= -4095;
    }

    /** The errno named by a negative syscall result. */
    public static Errno of(long ret) {
        for (Errno e : values()) {
            if (e.number == -ret) {
                return e;
            }
        }
        throw new IllegalArgumentException("not a known negated errno: " + ret);
    }

    /**
     * What a syscall returns to user space: signal handlers in the model have no
     * {@code SA_RESTART}, so a call the kernel would restart ({@code -ERESTARTSYS})
     * fails with {@code -EINTR}.
     */
    public static long toUser(long ret) {
        return ret == ERESTARTSYS.neg() ? EINTR.neg() : ret;
    }
}
