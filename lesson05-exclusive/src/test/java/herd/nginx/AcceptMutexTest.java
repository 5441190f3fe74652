package herd.nginx;

import static herd.course.kit.Epolls.watched;
import static herd.course.kit.Nginx.FIRST_PID;
import static herd.course.kit.Nginx.sum;
import static herd.course.kit.Processes.openFds;
import static herd.course.kit.Traces.since;
import static herd.course.kit.Traces.starting;
import static herd.course.kit.Traces.strace;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.Seeds;
import herd.fs.Vfs;
import herd.sched.DeterministicScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * L05-E5: nginx's {@code accept_mutex} (herd-strategies 1.1). The workers share a lock in
 * shared memory. Each loop of {@code ngx_process_events_and_timers}, a worker tries it: the
 * winner adds the listening socket to its epoll and has its events posted; a worker that
 * held it and lost it deletes the socket; the others wait at most {@code accept_mutex_delay}
 * (500 ms) and try again. The holder accepts from the posted accept events, unlocks, and only
 * then handles the other posted events. A worker with fewer than 1/8 of its connections free
 * sits out {@code ngx_accept_disabled} rounds.
 */
@Tag("lesson05")
@Tag("L05-E5")
@DisplayName("L05-E5: nginx's accept_mutex")
@ExtendWith(Seeds.Resolver.class)
class AcceptMutexTest {
    private static final int LISTEN_FD = 6;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** nginx as configured, on {@code sched} (pids from 100), run until every worker sleeps; no time passes. */
    private static NgxMaster startIdle(DeterministicScheduler sched, NgxConf conf) {
        sched.pidsFrom(FIRST_PID);
        NgxMaster master = NgxMaster.start(sched, conf);
        sched.runUntil(sched.clock());
        return master;
    }

    private static NgxConf mutex(int n) {
        return NgxConf.herd(n).withAcceptMutex();
    }

    /** The one worker whose pid is in the mutex. */
    private static NgxWorker holder(NgxMaster master) {
        long pid = master.acceptMutex.holder();
        assertThat(pid).as("the accept mutex is held").isNotZero();
        return master.workers.stream().filter(w -> w.process().pid() == pid).findFirst().orElseThrow();
    }

    /** {@code n} connections, one client each, every one after nginx settled again; no time passes. */
    private static void trickle(DeterministicScheduler sched, int n) {
        for (int i = 0; i < n; i++) {
            Telnet.burst(sched, "telnet" + (i + 1), 1);
            sched.runUntil(sched.clock());
        }
    }

    @Test
    @DisplayName("4 workers at rest: one holds the mutex and alone watches socket 6, asleep in epoll_wait(ep, ..., -1); "
            + "the other three sleep in epoll_wait(ep, ..., 500) without it")
    void onlyTheHolderWatchesTheListeningSocket(Seeds seeds) {
        seeds.explore(20, 0.5, sched -> {
            NgxMaster master = startIdle(sched, mutex(4));
            NgxWorker holder = holder(master);
            for (NgxWorker w : master.workers) {
                List<String> lines = strace(sched, w.task().pid());
                if (w == holder) {
                    assertThat(w.acceptMutexHeld).as("%s holds the mutex", w).isTrue();
                    assertThat(watched(w.eventPoll())).as("the holder %s watches 6", w).contains(LISTEN_FD);
                    assertThat(starting(lines, "epoll_ctl(" + w.ep + ", EPOLL_CTL_ADD, 6,"))
                            .as("ngx_enable_accept_events of %s: socket 6 added plainly, level-triggered", w)
                            .containsExactly("epoll_ctl(" + w.ep + ", EPOLL_CTL_ADD, 6, {events=EPOLLIN|EPOLLRDHUP, "
                                    + "data={u32=6, u64=6}}) = 0");
                    assertThat(lines.get(lines.size() - 1)).as("the holder waits with no timeout")
                            .isEqualTo("epoll_wait(" + w.ep + ",  <unfinished ...>");
                } else {
                    assertThat(w.acceptMutexHeld).as("%s does not hold the mutex", w).isFalse();
                    assertThat(watched(w.eventPoll())).as("%s does not watch 6", w).doesNotContain(LISTEN_FD);
                    assertThat(starting(lines, "epoll_ctl(" + w.ep + ", EPOLL_CTL_ADD, 6,")).as("%s never added 6", w)
                            .isEmpty();
                }
            }
        });
    }

    @Test
    @DisplayName("a worker without the mutex calls epoll_wait(ep, [], 512, 500) = 0 every 500 ms: 1 s of rest gives each "
            + "of the 3 others 2 timer wake-ups and 2 returns, and the holder, asleep with the lock, none")
    void theOthersRetryEveryAcceptMutexDelay(Seeds seeds) {
        seeds.explore(10, 0.5, sched -> {
            NgxMaster master = startIdle(sched, mutex(4));
            NgxWorker holder = holder(master);
            List<WorkerCounters> before = WorkerCounters.of(master);
            sched.runUntil(sched.clock() + 1000 * MS);
            List<WorkerCounters> c = WorkerCounters.since(master, before);
            for (NgxWorker w : master.workers) {
                WorkerCounters wc = c.get(w.slot);
                long expected = w == holder ? 0 : 2;
                assertThat(wc.wakeups()).as("%s's wake-ups in 1 s", w).isEqualTo(expected);
                assertThat(wc.epollWaitReturns()).as("%s's epoll_wait returns in 1 s", w).isEqualTo(expected);
            }
            NgxWorker other = master.workers.stream().filter(w -> w != holder).findFirst().orElseThrow();
            assertThat(starting(strace(sched, other.task().pid()), "epoll_wait(" + other.ep + ", [], 512, 500) = 0"))
                    .as("%s's timeouts since the start", other).hasSize(2);
            assertThat(holder(master)).as("the holder keeps the lock while it sleeps").isSameAs(holder);
        });
    }

    @Test
    @DisplayName("16 connections one at a time to 4 workers: 1 wake-up each, no EAGAIN, no hidden wake-up, "
            + "and the holder accepts all 16 (it takes the lock again at once)")
    void oneWakeUpPerConnectionAndTheHolderTakesAll(Seeds seeds) {
        seeds.explore(10, 0.5, sched -> {
            NgxMaster master = startIdle(sched, mutex(4));
            NgxWorker holder = holder(master);
            List<WorkerCounters> before = WorkerCounters.of(master);
            trickle(sched, 16);
            List<WorkerCounters> c = WorkerCounters.since(master, before);
            assertThat(sum(c, WorkerCounters::wakeups)).as("wake-ups for 16 connections").isEqualTo(16);
            assertThat(sum(c, WorkerCounters::eagain)).as("EAGAIN").isZero();
            assertThat(sum(c, WorkerCounters::hiddenWakeups)).as("hidden wake-ups").isZero();
            assertThat(c.get(holder.slot).accepts()).as("accepts of the holder %s", holder).isEqualTo(16);
        });
    }

    @Test
    @DisplayName("the holder accepts from the posted accept events while it holds the lock; the new connection's "
            + "request is a posted event, handled after the unlock")
    void postedAcceptEventsRunUnderTheLockAndRequestsAfterIt(Seeds seeds) {
        seeds.explore(10, 0.5, sched -> {
            NgxMaster master = startIdle(sched, mutex(2));
            NgxWorker holder = holder(master);
            long pid = holder.process().pid();
            List<Long> atAccept = new ArrayList<>();
            List<Long> atRequest = new ArrayList<>();
            NgxEvent rev = holder.connection(LISTEN_FD).read;
            rev.handler = ev -> {
                atAccept.add(master.acceptMutex.holder());
                List<Integer> fds = openFds(holder.process());
                NgxEventAccept.ngxEventAccept(ev);
                List<Integer> accepted = openFds(holder.process());
                accepted.removeAll(fds);
                assertThat(accepted).as("the descriptors ngx_event_accept opened").hasSize(1);
                NgxConnection c = holder.connection(accepted.get(0));
                c.read.handler = r -> {
                    atRequest.add(master.acceptMutex.holder());
                    NgxHttp.ngxHttpWaitRequestHandler(r);
                };
            };
            Telnet.request(sched, "client", "GET / HTTP/1.0\r\n\r\n");
            sched.runUntil(sched.clock());
            assertThat(atAccept).as("the lock's word when ngx_event_accept ran").containsExactly(pid);
            assertThat(atRequest).as("the lock's word when the request handler ran").containsExactly(0L);
            assertThat(holder.requests).as("requests %s read", holder).isEqualTo(1);
        });
    }

    @Test
    @DisplayName("a holder that finds the mutex taken at its next try (here the test writes worker 2's pid in the "
            + "shared word while worker 1 sleeps) accepts what it was woken for, then deletes socket 6 from its epoll "
            + "(ngx_disable_accept_events) and holds the mutex no more")
    void aWorkerThatLosesTheMutexDeletesTheSocket(Seeds seeds) {
        seeds.explore(10, 0.5, sched -> {
            NgxMaster master = startIdle(sched, mutex(2));
            NgxWorker first = holder(master);
            NgxWorker second = master.workers.get(1 - first.slot);
            master.acceptMutex.unlock(first.process().pid());
            assertThat(master.acceptMutex.trylock(second.process().pid())).as("the word is free for worker 2").isTrue();
            List<WorkerCounters> before = WorkerCounters.of(master);
            Telnet.burst(sched, "telnet", 1);
            sched.runUntil(sched.clock());
            assertThat(WorkerCounters.since(master, before).get(first.slot).accepts())
                    .as("%s accepts the connection it was woken for", first).isEqualTo(1);
            assertThat(first.acceptMutexHeld).as("%s holds the mutex no more", first).isFalse();
            assertThat(watched(first.eventPoll())).as("%s's epoll", first).doesNotContain(LISTEN_FD);
            assertThat(strace(sched, first.task().pid())).as("%s's strace", first)
                    .contains("epoll_ctl(" + first.ep + ", EPOLL_CTL_DEL, 6, NULL) = 0");
        });
    }

    /**
     * src/event/ngx_event_accept.c, {@code accept4} failing with {@code EMFILE} under the
     * accept mutex: {@code ngx_disable_accept_events(cycle, 1)}; {@code if (ngx_use_accept_mutex)
     * { if (ngx_accept_mutex_held) { ngx_shmtx_unlock(&ngx_accept_mutex); ngx_accept_mutex_held = 0; }
     * ngx_accept_disabled = 1; }}.
     */
    @Test
    @DisplayName("the holder runs out of descriptors: accept4's EMFILE makes it delete socket 6, give the mutex up and "
            + "sit out a round (ngx_accept_disabled = 1); at its next try the other worker takes the mutex and accepts")
    void emfileMakesTheHolderGiveTheMutexUp() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1, 0.5)) {
            NgxMaster master = startIdle(sched, mutex(2));
            NgxWorker first = holder(master);
            NgxWorker second = master.workers.get(1 - first.slot);
            first.process().spawn("filler", () -> {
                while (Vfs.dup(0) >= 0) {
                    // fill the holder's descriptor table (RLIMIT_NOFILE)
                }
            });
            sched.runUntil(sched.clock());
            List<WorkerCounters> before = WorkerCounters.of(master);
            Telnet.burst(sched, "telnet", 1);
            sched.runUntil(sched.clock());

            assertThat(first.errorLog).as("%s's error log", first)
                    .containsExactly("[crit] accept4() failed (24: Too many open files)");
            assertThat(List.of(first.acceptMutexHeld, master.acceptMutex.holder() == first.process().pid()))
                    .as("%s gave the mutex up: [ngx_accept_mutex_held, its pid in the shared word]", first)
                    .containsExactly(false, false);
            assertThat(first.acceptDisabled).as("ngx_accept_disabled = 1, already counted down in the next round")
                    .isZero();
            assertThat(watched(first.eventPoll())).as("%s's epoll", first).doesNotContain(LISTEN_FD);

            sched.runUntil(sched.clock() + 500 * MS);
            assertThat(holder(master)).as("after accept_mutex_delay").isSameAs(second);
            assertThat(WorkerCounters.since(master, before).get(second.slot).accepts())
                    .as("%s accepted the connection %s could not", second, first).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("worker_connections 16: after its 14th connection the holder has 1 free, so ngx_accept_disabled = 1; "
            + "it sits out one round without the lock, and within 500 ms worker 2 takes the mutex and adds socket 6 "
            + "while worker 1, which skipped ngx_trylock_accept_mutex, still watches it")
    void theThrottleHandsTheMutexOn(Seeds seeds) {
        seeds.explore(10, 0.5, sched -> {
            NgxMaster master = startIdle(sched, mutex(2).withWorkerConnections(16));
            NgxWorker first = holder(master);
            NgxWorker second = master.workers.get(1 - first.slot);
            trickle(sched, 13);
            assertThat(first.acceptDisabled).as("16/8 - free before the 13th (2)").isZero();
            trickle(sched, 1);
            assertThat(first.acceptDisabled).as("16/8 - free before the 14th (1), counted down once").isZero();
            assertThat(master.acceptMutex.holder()).as("nobody holds the lock: %s sat out", first).isZero();
            assertThat(first.acceptMutexHeld).as("%s still thinks it holds it", first).isTrue();
            sched.runUntil(sched.clock() + 500 * MS);
            assertThat(holder(master)).as("after accept_mutex_delay").isSameAs(second);
            assertThat(watched(second.eventPoll())).as("%s added 6", second).contains(LISTEN_FD);
            assertThat(watched(first.eventPoll())).as("%s kept 6", first).contains(LISTEN_FD);
        });
    }

    /**
     * src/event/ngx_event.c, ngx_process_events_and_timers: {@code if (timer == NGX_TIMER_INFINITE
     * || timer > ngx_accept_mutex_delay) { timer = ngx_accept_mutex_delay; }}: a cap, not a
     * setting. nginx has timers of many events (client_header_timeout, keepalive_timeout...); the
     * model's nginx sets only the accept event's, so the test sets two by hand.
     */
    @Test
    @DisplayName("a worker without the mutex waits until its next timer or accept_mutex_delay, whichever comes "
            + "first: timers due at 700 and 1800 ms make its epoll_wait timeouts 500, 200, 500, 500, 100 ms, not "
            + "500 every time")
    void aNearerTimerShortensTheWaitWithoutTheMutex() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1, 0.5)) {
            NgxMaster master = startIdle(sched, mutex(2));
            NgxWorker other = master.workers.get(1 - holder(master).slot);
            long t0 = sched.clock() / MS;
            List<String> fired = new ArrayList<>();
            for (long at : new long[] {700, 1800}) {
                NgxEvent ev = new NgxConnection(100 + (int) at, false).read;
                ev.handler = e -> fired.add((NgxEventTimer.ngxCurrentMsec() - t0) + " ms" + (e.timedout ? ", timedout"
                        : ""));
                ev.timerKey = t0 + at;
                ev.timerSet = true;
                other.eventTimers.add(ev);
            }
            List<String> before = strace(sched, other.task().pid());

            sched.runUntil(sched.clock() + 2000 * MS);

            assertThat(starting(since(before, sched, other.task().pid()), "epoll_wait(" + other.ep + ", [], 512, "))
                    .as("%s's epoll_wait calls that timed out in 2 s (the first began before the timers were set)",
                            other)
                    .containsExactly(
                            "epoll_wait(" + other.ep + ", [], 512, 500) = 0",
                            "epoll_wait(" + other.ep + ", [], 512, 200) = 0",
                            "epoll_wait(" + other.ep + ", [], 512, 500) = 0",
                            "epoll_wait(" + other.ep + ", [], 512, 500) = 0",
                            "epoll_wait(" + other.ep + ", [], 512, 100) = 0");
            assertThat(fired).as("the timers' handlers: each ran at its expiry, with ev->timedout")
                    .containsExactly("700 ms, timedout", "1800 ms, timedout");
        }
    }
}
