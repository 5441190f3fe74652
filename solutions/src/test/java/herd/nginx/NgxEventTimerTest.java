package herd.nginx;

import static herd.nginx.NgxEpollModule.NGX_TIMER_INFINITE;
import static herd.nginx.NgxTests.inWorker;
import static org.assertj.core.api.Assertions.assertThat;

import herd.sched.Sched;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * src/event/ngx_event_timer.c and ngx_event_timer.h: a worker's timers. nginx keeps them
 * in a red-black tree by expiry ({@code ngx_event_timer_rbtree}), in milliseconds of
 * {@code ngx_current_msec}. The model's nginx sets one timer only (the accept event's, after
 * {@code EMFILE}, tested end to end in lesson 4), so the rules for several timers are tested
 * here, on a worker made by hand whose task lets virtual time pass. (nginx keeps a set timer
 * whose new expiry is within {@code NGX_TIMER_LAZY_DELAY}, 300 ms, of the old one; the model
 * always moves it, so the tests move timers by more.)
 */
class NgxEventTimerTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Lets {@code ms} milliseconds of virtual time pass in the current task (a timer wakes it). */
    private static void letTimePass(long ms) {
        Sched.scheduleTimeoutUninterruptible(ms * MS);
    }

    /** The read event of a connection on descriptor {@code fd}, its handler recording into {@code fired}. */
    private static NgxEvent event(int fd, List<String> fired) {
        NgxEvent ev = new NgxConnection(fd, false).read;
        ev.handler = e -> fired.add(e.data.fd + (e.timedout ? " timedout" : "") + (e.timerSet ? " still set" : ""));
        return ev;
    }

    @Test
    @DisplayName("ngx_event_add_timer: the expiry is ngx_current_msec + timer; setting a set timer again, 700 ms "
            + "earlier, moves it (ngx_del_timer, then the insert): the tree holds the event once, at the new expiry")
    void addingATimerAgainMovesIt() {
        inWorker(false, worker -> {
            letTimePass(1000);
            long now = NgxEventTimer.ngxCurrentMsec();
            assertThat(now).as("ngx_current_msec after 1 s of virtual time").isGreaterThanOrEqualTo(1000);
            NgxEvent ev = event(20, new ArrayList<>());

            NgxEventTimer.ngxEventAddTimer(worker, ev, 900);
            NgxEventTimer.ngxEventAddTimer(worker, ev, 200);

            assertThat(worker.eventTimers).as("the worker's timers after setting the same event's timer twice: "
                    + "the second call moved it, the tree holds the event once").containsExactly(ev);
            assertThat(List.of(ev.timerSet, ev.timerKey)).as("[timer_set, timer.key]: the expiry is now + 200 ms")
                    .containsExactly(true, now + 200);
        });
    }

    @Test
    @DisplayName("ngx_event_find_timer: NGX_TIMER_INFINITE with no timer; else the ms until the EARLIEST expiry, "
            + "whichever was set first; 0 once it is due, never negative")
    void findTimerReturnsTheEarliest() {
        inWorker(false, worker -> {
            letTimePass(1000);
            assertThat(NgxEventTimer.ngxEventFindTimer(worker)).as("no timer: epoll_wait may sleep forever")
                    .isEqualTo(NGX_TIMER_INFINITE);
            List<String> fired = new ArrayList<>();
            NgxEventTimer.ngxEventAddTimer(worker, event(20, fired), 800);
            NgxEventTimer.ngxEventAddTimer(worker, event(21, fired), 300);
            assertThat(NgxEventTimer.ngxEventFindTimer(worker)).as("timers in 800 and 300 ms: the wait lasts until "
                    + "the earlier, set second").isEqualTo(300);
            letTimePass(100);
            assertThat(NgxEventTimer.ngxEventFindTimer(worker)).as("100 ms later").isEqualTo(200);
            letTimePass(250);
            assertThat(NgxEventTimer.ngxEventFindTimer(worker)).as("50 ms past the earlier expiry: due, 0 (not -50)")
                    .isZero();
            assertThat(fired).as("finding a timer calls no handler").isEmpty();
        });
    }

    @Test
    @DisplayName("ngx_event_expire_timers: every timer due (expiry <= now) is deleted, then its handler runs with "
            + "ev->timedout, earliest first, equal expiries in the order they were set; later timers stay")
    void expireTimersRunsTheDueOnesInOrder() {
        inWorker(false, worker -> {
            letTimePass(1000);
            List<String> fired = new ArrayList<>();
            NgxEvent c = event(22, fired);
            NgxEvent a = event(20, fired);
            NgxEvent b = event(21, fired);
            NgxEvent d = event(23, fired);
            NgxEventTimer.ngxEventAddTimer(worker, c, 400);
            NgxEventTimer.ngxEventAddTimer(worker, a, 200);
            NgxEventTimer.ngxEventAddTimer(worker, b, 200);
            NgxEventTimer.ngxEventAddTimer(worker, d, 900);

            NgxEventTimer.ngxEventExpireTimers(worker);
            assertThat(fired).as("nothing is due yet").isEmpty();

            letTimePass(200);
            NgxEventTimer.ngxEventExpireTimers(worker);
            assertThat(fired).as("exactly at the expiry of 20 and 21 (key - ngx_current_msec > 0 is the only reason "
                    + "to wait): both run, in the order their timers were set (the rbtree puts an equal key to the "
                    + "right), each already out of the tree").containsExactly("20 timedout", "21 timedout");
            assertThat(worker.eventTimers).as("the timers left").containsExactlyInAnyOrder(c, d);

            letTimePass(250);
            NgxEventTimer.ngxEventExpireTimers(worker);
            assertThat(fired).as("250 ms later: 22 was due 50 ms ago, 23 is not due")
                    .containsExactly("20 timedout", "21 timedout", "22 timedout");
            assertThat(worker.eventTimers).as("the timer left").containsExactly(d);
            assertThat(List.of(a.timerSet, b.timerSet, c.timerSet, d.timerSet)).as("timer_set of 20, 21, 22, 23")
                    .containsExactly(false, false, false, true);
        });
    }
}
