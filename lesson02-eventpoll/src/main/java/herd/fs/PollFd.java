package herd.fs;

/** {@code struct pollfd}: a descriptor, the events asked for, and the events poll(2) reports. */
public final class PollFd {
    /** {@code fd}; a negative one is skipped. */
    public final int fd;
    /** {@code events}. */
    public final int events;
    /** {@code revents}: filled in by poll. */
    public int revents;

    /** A pollfd for {@code fd} asking for {@code events}. */
    public PollFd(int fd, int events) {
        this.fd = fd;
        this.events = events;
    }

    @Override
    public String toString() {
        return "{fd=" + fd + ", events=" + Poll.names("POLL", events)
                + (revents != 0 ? ", revents=" + Poll.names("POLL", revents) : "") + "}";
    }
}
