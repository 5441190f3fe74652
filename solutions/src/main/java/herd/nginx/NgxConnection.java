package herd.nginx;

/**
 * {@code ngx_connection_t} (src/core/ngx_connection.h): a descriptor the worker watches,
 * a listening socket or an accepted connection, with its read event.
 */
public final class NgxConnection {
    /** {@code fd}. */
    public final int fd;
    /** {@code read}: the read event. */
    public final NgxEvent read;
    /** True for a listening socket ({@code c->listening}). */
    public final boolean listening;
    /** {@code requests}: for a listening socket, its accept events so far ({@code ngx_reorder_accept_events}). */
    public long requests;

    NgxConnection(int fd, boolean listening) {
        this.fd = fd;
        this.listening = listening;
        this.read = new NgxEvent(this);
    }

    @Override
    public String toString() {
        return (listening ? "listening " : "connection ") + fd;
    }
}
