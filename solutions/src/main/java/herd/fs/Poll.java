package herd.fs;

/**
 * The poll mask ({@code __poll_t}) a file's {@code poll} returns and a wake-up carries
 * as its key: the bits of include/uapi/linux/eventpoll.h, which equal poll(2)'s
 * {@code POLLIN}... of include/uapi/asm-generic/poll.h, plus the kernel-internal
 * {@code POLLFREE}.
 */
public final class Poll {
    /** Data to read. */
    public static final int EPOLLIN = 0x0001;
    /** Urgent data to read. */
    public static final int EPOLLPRI = 0x0002;
    /** Room to write. */
    public static final int EPOLLOUT = 0x0004;
    /** An error; always reported, whatever was asked for. */
    public static final int EPOLLERR = 0x0008;
    /** Hang-up; always reported, whatever was asked for. */
    public static final int EPOLLHUP = 0x0010;
    /** poll(2) only: the fd is not open. */
    public static final int POLLNVAL = 0x0020;
    /** Normal data to read. */
    public static final int EPOLLRDNORM = 0x0040;
    /** Priority band data to read. */
    public static final int EPOLLRDBAND = 0x0080;
    /** Normal data may be written. */
    public static final int EPOLLWRNORM = 0x0100;
    /** Priority data may be written. */
    public static final int EPOLLWRBAND = 0x0200;
    /** Unused by the kernel's sockets. */
    public static final int EPOLLMSG = 0x0400;
    /** The peer closed its writing half. */
    public static final int EPOLLRDHUP = 0x2000;
    /** Kernel-internal key: the wait queue is about to be freed; waiters must unlink themselves. */
    public static final int POLLFREE = 0x4000;
    /** {@code DEFAULT_POLLMASK}: what {@code vfs_poll} reports for a file without a poll method. */
    public static final int DEFAULT_POLLMASK = EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM;

    private Poll() {
    }

    /** The bits in the order strace lists them. */
    private static final int[] ORDER = {EPOLLIN, EPOLLPRI, EPOLLOUT, EPOLLRDNORM, EPOLLRDBAND, EPOLLWRNORM,
        EPOLLWRBAND, EPOLLMSG, EPOLLERR, EPOLLHUP, POLLNVAL, EPOLLRDHUP};
    private static final String[] NAMES = {"IN", "PRI", "OUT", "RDNORM", "RDBAND", "WRNORM", "WRBAND", "MSG",
        "ERR", "HUP", "NVAL", "RDHUP"};

    /**
     * The bits of {@code mask} as strace prints them, each name behind {@code prefix}:
     * {@code names("POLL", 0x41)} is {@code POLLIN|POLLRDNORM}; bits without a name are
     * printed in hex.
     */
    public static String names(String prefix, int mask) {
        StringBuilder out = new StringBuilder();
        int rest = mask;
        for (int i = 0; i < ORDER.length; i++) {
            if ((rest & ORDER[i]) != 0) {
                out.append(out.length() == 0 ? "" : "|").append(prefix).append(NAMES[i]);
                rest &= ~ORDER[i];
            }
        }
        if (rest != 0 || out.length() == 0) {
            out.append(out.length() == 0 ? "" : "|").append("0x").append(Integer.toHexString(rest));
        }
        return out.toString();
    }
}
