package herd.nginx;

import java.util.function.Consumer;

/**
 * {@code ngx_event_t} (src/event/ngx_event.h), the parts the course uses: what to call
 * when the event fires, and the flags the epoll module keeps.
 */
public final class NgxEvent {
    /** {@code data}: the connection this event belongs to. */
    public final NgxConnection data;
    /** {@code handler}: {@code ngx_event_accept} for a listening socket, the request handler for a connection. */
    public Consumer<NgxEvent> handler;
    /** {@code active}: the event is in the epoll set. */
    public boolean active;
    /** {@code ready}: epoll reported it. */
    public boolean ready;
    /** {@code available}: accept more than one connection per event ({@code multi_accept on}). */
    public boolean available;
    /** {@code accept}: the read event of a listening socket; posted to the accept queue. */
    public final boolean accept;
    /** {@code posted}: waiting in one of the worker's posted queues. */
    public boolean posted;
    /** {@code timer_set}: in the worker's timers. */
    public boolean timerSet;
    /** {@code timer.key}: when its timer expires, in {@code ngx_current_msec}. */
    public long timerKey;
    /** {@code timedout}: its timer expired; the handler runs because of it. */
    public boolean timedout;

    NgxEvent(NgxConnection data) {
        this.data = data;
        this.accept = data.listening;
    }
}
