package herd.epoll;

/**
 * {@code struct epoll_event} (include/uapi/linux/eventpoll.h): an interest mask with
 * flags when given to {@code epoll_ctl}, the ready events when returned by
 * {@code epoll_wait}; and the caller's 64-bit {@code data}, handed back untouched.
 */
public final class EpollEvent {
    /** {@code events}. */
    public int events;
    /** {@code data}. */
    public long data;

    /** An event with {@code events} and {@code data}. */
    public EpollEvent(int events, long data) {
        this.events = events;
        this.data = data;
    }

    /** An empty slot for {@code epoll_wait} to fill. */
    public EpollEvent() {
        this(0, 0);
    }

    /** The event as strace prints it. */
    @Override
    public String toString() {
        return "{events=" + Epoll.names(events) + ", data={u32=" + (int) data + ", u64=" + data + "}}";
    }
}
