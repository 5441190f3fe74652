package herd.nginx;

import java.util.Deque;

/**
 * src/event/ngx_event_posted.c: events put aside by {@code ngx_epoll_process_events} under
 * {@code NGX_POST_EVENTS} and handled after it, so the accept mutex is held only while
 * accepting.
 */
public final class NgxEventPosted {
    private NgxEventPosted() {
    }

    /** {@code ngx_post_event()}: queue {@code ev} at the tail of {@code queue}, once. */
    static void ngxPostEvent(NgxEvent ev, Deque<NgxEvent> queue) {
        if (!ev.posted) {
            ev.posted = true;
            queue.addLast(ev);
        }
    }

    /** {@code ngx_event_process_posted()}: take each event off {@code queue}, oldest first, and call its handler. */
    static void ngxEventProcessPosted(Deque<NgxEvent> queue) {
        while (!queue.isEmpty()) {
            NgxEvent ev = queue.removeFirst();
            ev.posted = false;
            ev.handler.accept(ev);
        }
    }
}
