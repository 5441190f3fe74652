package herd.nginx;

import static herd.nginx.NgxEpollModule.NGX_TIMER_INFINITE;

import herd.sched.Sched;

/**
 * src/event/ngx_event_timer.c: an event's timer. nginx keeps them in a red-black tree by
 * expiry ({@code ngx_event_timer_rbtree}); {@code ngx_process_events_and_timers} waits in
 * {@code epoll_wait} until the earliest, then calls the handler of every expired one with
 * {@code ev->timedout} set. Times are {@code ngx_current_msec}: the scheduler's clock, in
 * milliseconds.
 */
public final class NgxEventTimer {
    private NgxEventTimer() {
    }

    /** {@code ngx_current_msec}. */
    static long ngxCurrentMsec() {
        return Sched.current().scheduler().clock() / 1_000_000L;
    }

    /** {@code ngx_event_add_timer()}: {@code ev}'s timer expires {@code timer} ms from now (moved if it was set). */
    static void ngxEventAddTimer(NgxWorker worker, NgxEvent ev, long timer) {
        if (ev.timerSet) {
            ngxEventDelTimer(worker, ev);
        }
        ev.timerKey = ngxCurrentMsec() + timer;
        worker.eventTimers.add(ev);
        ev.timerSet = true;
    }

    /** {@code ngx_event_del_timer()}. */
    static void ngxEventDelTimer(NgxWorker worker, NgxEvent ev) {
        worker.eventTimers.remove(ev);
        ev.timerSet = false;
    }

    /** {@code ngx_event_find_timer()}: ms until the earliest timer (0 if due), or {@code NGX_TIMER_INFINITE}. */
    static int ngxEventFindTimer(NgxWorker worker) {
        NgxEvent first = earliest(worker);
        if (first == null) {
            return NGX_TIMER_INFINITE;
        }
        return (int) Math.max(0, first.timerKey - ngxCurrentMsec());
    }

    /** {@code ngx_event_expire_timers()}: each expired timer, earliest first, is removed and its handler called with {@code timedout} set. */
    static void ngxEventExpireTimers(NgxWorker worker) {
        for (;;) {
            NgxEvent ev = earliest(worker);
            if (ev == null || ev.timerKey > ngxCurrentMsec()) {
                return;
            }
            ngxEventDelTimer(worker, ev);
            ev.timedout = true;
            ev.handler.accept(ev);
        }
    }

    private static NgxEvent earliest(NgxWorker worker) {
        NgxEvent first = null;
        for (NgxEvent ev : worker.eventTimers) {
            if (first == null || ev.timerKey < first.timerKey) {
                first = ev;
            }
        }
        return first;
    }
}
