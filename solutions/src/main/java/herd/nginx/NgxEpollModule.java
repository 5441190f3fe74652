package herd.nginx;

import static herd.epoll.Epoll.EPOLLEXCLUSIVE;
import static herd.epoll.Epoll.EPOLL_CTL_ADD;
import static herd.epoll.Epoll.EPOLL_CTL_DEL;
import static herd.fs.Poll.EPOLLERR;
import static herd.fs.Poll.EPOLLHUP;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLRDHUP;

import herd.epoll.Epoll;
import herd.epoll.EpollEvent;
import herd.uapi.Errno;

/**
 * src/event/modules/ngx_epoll_module.c: how an nginx worker uses epoll. Its own
 * instance ({@code ngx_epoll_init}), each descriptor added for reading with
 * {@code EPOLLIN|EPOLLRDHUP} ({@code ngx_epoll_add_event}), and the wait that hands every
 * reported event to its handler ({@code ngx_epoll_process_events}).
 */
public final class NgxEpollModule {
    /** {@code NGX_TIMER_INFINITE}: epoll_wait's timeout when no timer is pending. */
    public static final int NGX_TIMER_INFINITE = -1;
    /** {@code NGX_CLEAR_EVENT}: edge-triggered ({@code EPOLLET}), for accepted connections. */
    public static final int NGX_CLEAR_EVENT = herd.epoll.Epoll.EPOLLET;
    /** {@code NGX_POST_EVENTS}: queue the events instead of handling them (the accept mutex's holder). */
    public static final int NGX_POST_EVENTS = 2;
    /** {@code nevents}: {@code epoll_events 512}, the slots of one epoll_wait. */
    public static final int NEVENTS = 512;

    private NgxEpollModule() {
    }

    /**
     * {@code ngx_epoll_init()}: the worker's epoll instance, made with
     * {@code epoll_create(connection_n / 2)} = {@code epoll_create(512)}, then the notify
     * eventfd ({@code ngx_epoll_notify_init}).
     */
    static void ngxEpollInit(NgxWorker worker) {
        worker.ep = epollCreate();
        if (worker.ep < 0) {
            throw new IllegalStateException("epoll_create() failed: " + Errno.of(worker.ep));
        }
        worker.notifyInit();
    }

    /** The {@code epoll_create} of {@code ngx_epoll_init}: the size hint is 512. */
    static int epollCreate() {
        // @exercise L04-E1 ngx_epoll_init: epoll_create(cycle->connection_n / 2), that is epoll_create(512);
        //   return the descriptor
        return (int) Epoll.epollCreate(1024 / 2);
        // @end L04-E1
    }

    /**
     * {@code ngx_epoll_add_event()} of a read event: {@code EPOLL_CTL_ADD} of the event's
     * descriptor with {@code EPOLLIN|EPOLLRDHUP|flags} ({@code flags} is 0 for level-triggered
     * or {@link #NGX_CLEAR_EVENT}), the descriptor as data; the event becomes active.
     */
    public static long ngxEpollAddEvent(NgxWorker worker, NgxEvent ev, int flags) {
        // @exercise L04-E1 ngx_epoll_add_event: epoll_ctl(ep, EPOLL_CTL_ADD, fd, {EPOLLIN|EPOLLRDHUP|flags,
        //   data = fd}); on success mark the event active
        NgxConnection c = ev.data;
        long ret = Epoll.epollCtl(worker.ep, EPOLL_CTL_ADD, c.fd, new EpollEvent(EPOLLIN | EPOLLRDHUP | flags, c.fd));
        if (ret == 0) {
            ev.active = true;
        }
        return ret;
        // @end L04-E1
    }

    /**
     * {@code ngx_epoll_add_event()} with {@code NGX_EXCLUSIVE_EVENT}: {@code EPOLL_CTL_ADD}
     * with {@code EPOLLIN|EPOLLEXCLUSIVE}. {@code EPOLLRDHUP} is left out: the kernel refuses
     * it with {@code EPOLLEXCLUSIVE} ({@code EINVAL}).
     */
    public static long ngxEpollAddExclusiveEvent(NgxWorker worker, NgxEvent ev) {
        // @exercise L05-E6 ngx_epoll_add_event with NGX_EXCLUSIVE_EVENT: epoll_ctl(ep, EPOLL_CTL_ADD, fd,
        //   {EPOLLIN|EPOLLEXCLUSIVE, data = fd}), EPOLLRDHUP stripped; on success mark the event active
        NgxConnection c = ev.data;
        long ret = Epoll.epollCtl(worker.ep, EPOLL_CTL_ADD, c.fd, new EpollEvent(EPOLLIN | EPOLLEXCLUSIVE, c.fd));
        if (ret == 0) {
            ev.active = true;
        }
        return ret;
        // @end L05-E6
    }

    /** {@code ngx_epoll_del_event()}: {@code EPOLL_CTL_DEL} of the event's descriptor; the event is no longer active. */
    public static long ngxEpollDelEvent(NgxWorker worker, NgxEvent ev) {
        long ret = Epoll.epollCtl(worker.ep, EPOLL_CTL_DEL, ev.data.fd, null);
        ev.active = false;
        return ret;
    }

    /**
     * {@code ngx_epoll_process_events()}: one {@code epoll_wait(ep, event_list, 512, timer)};
     * each reported event whose read side is active becomes ready; with
     * {@code NGX_POST_EVENTS} in {@code flags} it is posted (an accept event to the posted
     * accept events, any other to the posted events), otherwise its handler runs at once
     * ({@code ngx_event_accept} for the listening socket). Returns the events reported, or
     * the error.
     */
    static long ngxEpollProcessEvents(NgxWorker worker, int timer, int flags) {
        // @exercise L04-E1 ngx_epoll_process_events: epoll_wait(ep, event_list, NEVENTS, timer); for each
        //   event the connection is worker.connection(data); if revents has EPOLLIN|EPOLLERR|EPOLLHUP and its
        //   read event is active, set ready, then with NGX_POST_EVENTS in flags ngxPostEvent it (rev.accept ?
        //   worker.postedAcceptEvents : worker.postedEvents), else call its handler
        EpollEvent[] eventList = worker.eventList;
        long events = Epoll.epollWait(worker.ep, eventList, NEVENTS, timer);
        for (int i = 0; i < events; i++) {
            NgxConnection c = worker.connection((int) eventList[i].data);
            if (c == null) {
                continue; // closed meanwhile, or the notify eventfd: not one of the pool
            }
            NgxEvent rev = c.read;
            if ((eventList[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0 && rev.active) {
                rev.ready = true;
                if ((flags & NGX_POST_EVENTS) != 0) {
                    NgxEventPosted.ngxPostEvent(rev, rev.accept ? worker.postedAcceptEvents : worker.postedEvents);
                } else {
                    rev.handler.accept(rev);
                }
            }
        }
        return events;
        // @end L04-E1
    }
}
