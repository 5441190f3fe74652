package herd.nginx;

import static herd.course.kit.Nginx.FIRST_PID;
import static herd.course.kit.Nginx.listener;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Sockets.accept4Calls;
import static herd.course.kit.Sockets.connectNonBlocking;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Traces.since;
import static herd.course.kit.Traces.strace;
import static herd.nginx.NgxTests.inWorker;
import static herd.nginx.NgxTests.listening;
import static org.assertj.core.api.Assertions.assertThat;

import herd.epoll.Epoll;
import herd.fs.Process;
import herd.fs.Vfs;
import herd.sched.DeterministicScheduler;
import herd.uapi.Errno;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The given error path of {@code ngx_event_accept} (src/event/ngx_event_accept.c) for
 * errors the model's Linux cannot produce: {@code accept4} on a TCP listener never fails
 * with {@code ECONNABORTED} on Linux (a queued connection the client reset is accepted all
 * the same, and its first read reports the reset), so the rule nginx applies to it, for
 * the kernels that do, is tested by itself. {@code EMFILE} and a full connection pool are
 * tested end to end in lesson 4 ({@code AcceptHandlerTest}) and lesson 5
 * ({@code AcceptMutexTest}).
 */
class NgxEventAcceptTest {
    private static NgxEvent acceptEvent() {
        return new NgxConnection(6, true).read;
    }

    /** {@code level = NGX_LOG_ERR} for {@code NGX_ECONNABORTED}; {@code if (ev->available) continue;}. */
    @Test
    @DisplayName("ECONNABORTED is logged at [error] and nginx goes on to the next accept only with multi_accept (ev->available)")
    void econnabortedGoesOnWithMultiAccept() {
        NgxWorker worker = new NgxWorker(null, 0, NgxConf.herd(1));
        NgxEvent ev = acceptEvent();
        ev.available = true;
        boolean withMultiAccept = NgxEventAccept.ngxAcceptError(worker, ev, Errno.ECONNABORTED.neg());
        ev.available = false;
        boolean without = NgxEventAccept.ngxAcceptError(worker, ev, Errno.ECONNABORTED.neg());
        assertThat(List.of(withMultiAccept, without)).as("continue the accept loop? [multi_accept on, off]")
                .containsExactly(true, false);
        assertThat(worker.errorLog).as("the error log").containsExactly(
                "[error] accept4() failed (103: Software caused connection abort)",
                "[error] accept4() failed (103: Software caused connection abort)");
        assertThat(ev.timerSet).as("no timer: the listening socket stays in the epoll").isFalse();
    }

    /** {@code level = NGX_LOG_ALERT} for any other error, and {@code return}. */
    @Test
    @DisplayName("any other error (EINVAL: the socket stopped listening) is logged at [alert] and ends the handler, with no timer")
    void otherErrorsAreLoggedAtAlert() {
        NgxWorker worker = new NgxWorker(null, 0, NgxConf.herd(1).withMultiAccept(true));
        NgxEvent ev = acceptEvent();
        ev.available = true;
        assertThat(NgxEventAccept.ngxAcceptError(worker, ev, Errno.EINVAL.neg())).as("go on?").isFalse();
        assertThat(worker.errorLog).containsExactly("[alert] accept4() failed (22: Invalid argument)");
        assertThat(ev.timerSet).isFalse();
    }

    /** A worker that fails accept4 in a loop logs a line per turn: memory must not grow with the turns. */
    @Test
    @DisplayName("the error log keeps its first lines and counts the rest, so an accept error loop cannot fill the memory")
    void theErrorLogKeepsItsFirstLinesAndCountsTheRest() {
        NgxWorker worker = new NgxWorker(null, 0, NgxConf.herd(1));
        NgxEvent ev = acceptEvent();
        for (int i = 0; i < NgxWorker.ERROR_LOG_LINES + 5; i++) {
            NgxEventAccept.ngxAcceptError(worker, ev, Errno.EINVAL.neg());
        }
        assertThat(worker.errorLog).hasSize(NgxWorker.ERROR_LOG_LINES)
                .allMatch(l -> l.equals("[alert] accept4() failed (22: Invalid argument)"));
        assertThat(worker.errorLogDropped).as("lines counted, not kept").hasValue(5);
    }

    // ---- where ngx_event_accept returns early: no ngx_reorder_accept_events (nginx 1.21.6) -------------

    /** Fills the descriptor table of {@code w}'s process (RLIMIT_NOFILE), from a task of its own. */
    private static void fillDescriptors(NgxWorker w) {
        w.process().spawn("filler", () -> {
            while (Vfs.dup(0) >= 0) {
                // dup until EMFILE
            }
        });
    }

    /**
     * src/event/ngx_event_accept.c: after {@code EMFILE} nginx disables the accept events,
     * sets the timer and {@code return}s; {@code ngx_reorder_accept_events} is only reached
     * when the accept loop runs out.
     */
    @Test
    @DisplayName("EMFILE in a worker of today's nginx (EPOLLEXCLUSIVE, reordering): the accept event ends at the "
            + "error: socket 6 deleted once (ngx_disable_accept_events), no exclusive re-add, requests not counted")
    void anAcceptErrorReturnsBeforeTheReorder() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1, 0.5)) {
            sched.pidsFrom(FIRST_PID);
            NgxMaster master = NgxMaster.start(sched, NgxConf.stock(2));
            sched.runUntilIdle();
            master.workers.forEach(NgxEventAcceptTest::fillDescriptors);
            sched.runUntil(sched.clock());
            List<List<String>> before = master.workers.stream().map(w -> strace(sched, w.task().pid())).toList();

            Telnet.connect(sched);
            sched.runUntil(sched.clock());

            List<NgxWorker> failed = master.workers.stream().filter(w -> !w.errorLog.isEmpty()).toList();
            assertThat(failed).as("EPOLLEXCLUSIVE woke one worker, which failed to accept").hasSize(1);
            NgxWorker w = failed.get(0);
            assertThat(since(before.get(w.slot), sched, w.task().pid())).as("%s's calls for the connection", w)
                    .containsExactly(
                            "epoll_wait(" + w.ep + ", [{events=EPOLLIN, data={u32=6, u64=6}}], 512, -1) = 1",
                            "accept4(6, 0x7ffc0000, [112], SOCK_NONBLOCK) = -1 EMFILE (Too many open files)",
                            "epoll_ctl(" + w.ep + ", EPOLL_CTL_DEL, 6, NULL) = 0",
                            "epoll_wait(" + w.ep + ",  <unfinished ...>");
            assertThat(w.connection(6).requests).as("requests of %s's listening connection: the failed event is "
                    + "not an accept event that ran out of the loop", w).isZero();
        }
    }

    /**
     * src/event/ngx_event_accept.c: {@code c = ngx_get_connection(s, ev->log); if (c == NULL)
     * { ngx_close_socket(s); return; }}: no reorder for it either.
     */
    @Test
    @DisplayName("a full connection pool with EPOLLEXCLUSIVE (worker_connections 4, 2 workers, 5 clients): an accept "
            + "event whose connection is closed for want of a free one returns early: listening requests count only "
            + "the accepts that got a connection")
    void aFullPoolReturnsBeforeTheReorder() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1, 0.5)) {
            sched.pidsFrom(FIRST_PID);
            NgxMaster master = NgxMaster.start(sched, NgxConf.stock(2).withWorkerConnections(4));
            sched.runUntilIdle();
            List<WorkerCounters> before = WorkerCounters.of(master);
            for (int i = 0; i < 5; i++) {
                Telnet.burst(sched, "telnet" + (i + 1), 1);
                sched.runUntilIdle();
            }
            List<WorkerCounters> c = WorkerCounters.since(master, before);
            long refused = 0;
            for (NgxWorker w : master.workers) {
                long full = w.errorLog.stream().filter(l -> l.equals("[alert] 4 worker_connections are not enough"))
                        .count();
                refused += full;
                assertThat(w.connection(6).requests).as("%s: %d accepts, %d closed for want of a connection (%s)", w,
                        c.get(w.slot).accepts(), full, c).isEqualTo(c.get(w.slot).accepts() - full);
            }
            assertThat(refused).as("accepts closed for want of a free connection (2 free per worker, 5 clients)")
                    .isPositive();
        }
    }

    /** src/event/ngx_event_accept.c, ngx_disable_accept_events(cycle, 1): {@code all} takes reuseport sockets too. */
    @Test
    @DisplayName("EMFILE with listen ... reuseport: ngx_disable_accept_events(cycle, 1) takes even the worker's own "
            + "reuseport socket out of its epoll (the accept mutex's call, with 0, leaves it)")
    void emfileDisablesTheReuseportSocketToo() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1, 0.5)) {
            sched.pidsFrom(FIRST_PID);
            NgxMaster master = NgxMaster.start(sched, NgxConf.herd(1).withReuseport());
            sched.runUntilIdle();
            NgxWorker w = master.workers.get(0);
            fillDescriptors(w);
            sched.runUntil(sched.clock());
            List<String> before = strace(sched, w.task().pid());

            Telnet.connect(sched);
            sched.runUntil(sched.clock());

            assertThat(since(before, sched, w.task().pid())).as("%s's calls for the connection", w).containsExactly(
                    "epoll_wait(" + w.ep + ", [{events=EPOLLIN, data={u32=6, u64=6}}], 512, -1) = 1",
                    "accept4(6, 0x7ffc0000, [112], SOCK_NONBLOCK) = -1 EMFILE (Too many open files)",
                    "epoll_ctl(" + w.ep + ", EPOLL_CTL_DEL, 6, NULL) = 0",
                    "epoll_wait(" + w.ep + ",  <unfinished ...>");
            assertThat(w.connection(6).read.active).as("the reuseport socket's read event").isFalse();
        }
    }

    /** src/event/ngx_event_accept.c: {@code if (s == (ngx_socket_t) -1)}: only -1 is a failure. */
    @Test
    @DisplayName("accept4 may return descriptor 0 (a worker whose standard input is closed): it is a connection like "
            + "any other, not an error")
    void descriptorZeroIsAConnection() {
        inWorker(false, worker -> {
            int lfd = listener();
            connectNonBlocking();
            check(Vfs.close(0));

            NgxEventAccept.ngxEventAccept(listening(lfd).read);

            assertThat(worker.connection(0)).as("the connection of accepted descriptor 0").isNotNull();
            assertThat(worker.errorLog).as("the error log").isEmpty();
        });
    }

    // ---- when epoll_ctl fails: NGX_ERROR (src/event/ngx_event_accept.c) --------------------------------

    /**
     * A worker made by hand in a process of the test, with the accept mutex of {@code master}
     * (a master that never runs: only its shared lock is used) and, as its only listening
     * connection, descriptor 99, which is not open: every {@code epoll_ctl} on it fails.
     */
    private static void inWorkerWithBrokenListener(Consumer<NgxWorker> body) {
        try (DeterministicScheduler unused = new DeterministicScheduler(2)) {
            NgxMaster master = NgxMaster.start(unused, NgxConf.herd(2).withAcceptMutex());
            inProcess(() -> {
                NgxWorker worker = new NgxWorker(master, 0, master.conf);
                worker.ep = (int) check(Epoll.epollCreate1(0));
                worker.attach(Process.current());
                worker.useAcceptMutex = true;
                NgxConnection ls = new NgxConnection(99, true);
                ls.read.handler = NgxEventAccept::ngxEventAccept;
                worker.listening.add(ls);
                body.accept(worker);
            });
        }
    }

    @Test
    @DisplayName("ngx_trylock_accept_mutex gets the lock but ngx_enable_accept_events fails (epoll_ctl: EBADF): it "
            + "unlocks and returns NGX_ERROR; the worker does not hold the mutex")
    void aFailedEnableGivesTheMutexBack() {
        inWorkerWithBrokenListener(worker -> {
            assertThat(NgxEventAccept.ngxTrylockAcceptMutex(worker)).as("ngx_trylock_accept_mutex's result").isFalse();
            assertThat(List.of(worker.master.acceptMutex.holder(), worker.acceptMutexHeld))
                    .as("[the lock's word, ngx_accept_mutex_held]").containsExactly(0L, false);
        });
    }

    @Test
    @DisplayName("a holder that finds the lock taken but fails to delete its listening socket (epoll_ctl: EBADF): "
            + "ngx_trylock_accept_mutex returns NGX_ERROR and the worker still counts itself the holder")
    void aFailedDisableKeepsHeld() {
        inWorkerWithBrokenListener(worker -> {
            worker.acceptMutexHeld = true;
            worker.listening.get(0).read.active = true;
            assertThat(worker.master.acceptMutex.trylock(4242)).as("another worker (pid 4242) takes the lock").isTrue();

            assertThat(NgxEventAccept.ngxTrylockAcceptMutex(worker)).as("ngx_trylock_accept_mutex's result").isFalse();
            assertThat(List.of(worker.master.acceptMutex.holder(), worker.acceptMutexHeld))
                    .as("[the lock's word, ngx_accept_mutex_held]").containsExactly(4242L, true);
        });
    }

    @Test
    @DisplayName("EMFILE but ngx_disable_accept_events fails: ngx_event_accept returns at once: no timer, the "
            + "mutex and ngx_accept_disabled as they were")
    void emfileWithAFailedDisableChangesNothingElse() {
        inWorkerWithBrokenListener(worker -> {
            NgxEvent ev = worker.listening.get(0).read;
            ev.active = true;
            assertThat(worker.master.acceptMutex.trylock(worker.process().pid())).as("the worker takes the lock")
                    .isTrue();
            worker.acceptMutexHeld = true;

            assertThat(NgxEventAccept.ngxAcceptError(worker, ev, Errno.EMFILE.neg())).as("go on?").isFalse();

            assertThat(worker.errorLog).containsExactly("[crit] accept4() failed (24: Too many open files)");
            assertThat(List.of(ev.timerSet, worker.acceptMutexHeld, worker.master.acceptMutex.holder() != 0,
                    worker.acceptDisabled)).as("[timer set, ngx_accept_mutex_held, the lock taken, "
                    + "ngx_accept_disabled]").containsExactly(false, true, true, 0L);
        });
    }

    @Test
    @DisplayName("the accept event's timer expires but ngx_enable_accept_events fails: ngx_event_accept returns "
            + "without calling accept4, ev->timedout still set")
    void aFailedEnableAtTheTimerAcceptsNothing() {
        inWorkerWithBrokenListener(worker -> {
            NgxEvent ev = worker.listening.get(0).read;
            ev.timedout = true;

            NgxEventAccept.ngxEventAccept(ev);

            assertThat(accept4Calls()).as("[successful, EAGAIN] accept4 calls").containsExactly(0L, 0L);
            assertThat(ev.timedout).as("ev->timedout").isTrue();
        });
    }
}
