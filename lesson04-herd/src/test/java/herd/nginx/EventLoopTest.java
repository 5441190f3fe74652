package herd.nginx;

import static herd.course.kit.Epolls.item;
import static herd.course.kit.Epolls.watched;
import static herd.course.kit.Nginx.FIRST_PID;
import static herd.course.kit.Nginx.asleep;
import static herd.course.kit.Nginx.listener;
import static herd.course.kit.Nginx.listenerReported;
import static herd.course.kit.Nginx.startIdle;
import static herd.course.kit.Processes.fileOf;
import static herd.course.kit.Sockets.connectNonBlocking;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static herd.course.kit.Traces.since;
import static herd.course.kit.Traces.starting;
import static herd.course.kit.Traces.strace;
import static herd.fs.Poll.EPOLLERR;
import static herd.fs.Poll.EPOLLHUP;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLOUT;
import static herd.fs.Poll.EPOLLRDHUP;
import static herd.nginx.NgxTests.inWorker;
import static org.assertj.core.api.Assertions.assertThat;

import herd.epoll.EpItem;
import herd.epoll.Epoll;
import herd.epoll.EpollEvent;
import herd.epoll.EventPoll;
import herd.fs.EventFd;
import herd.fs.File;
import herd.fs.Vfs;
import herd.net.UnixStream;
import herd.sched.DeterministicScheduler;
import herd.sched.Task;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * L04-E1: the worker's event loop on epoll. {@code ngx_epoll_init} makes the worker's own
 * instance with {@code epoll_create(512)}; {@code ngx_epoll_add_event} adds the shared
 * listening socket 6 level-triggered with {@code EPOLLIN|EPOLLRDHUP} and the descriptor as
 * data; {@code ngx_epoll_process_events} sleeps in {@code epoll_wait(ep, list, 512, -1)} and
 * hands every reported, active read event to its handler. No test here reaches lesson 4's
 * accept code (L04-E2): the listening socket's handler is replaced by a recorder.
 */
@Tag("lesson04")
@Tag("L04-E1")
@DisplayName("L04-E1: the worker's epoll loop")
class EventLoopTest {
    private static final int WORKER1 = FIRST_PID + 1;
    /** What epoll_ctl adds to every item's events. */
    private static final int ERR_HUP = EPOLLERR | EPOLLHUP;

    /** What a handler saw when it was called. */
    private record Call(NgxEvent ev, int fd, boolean ready) {
    }

    /** A handler that records its calls and, on call {@code acceptOn}, accepts the connection itself (by hand). */
    private static Consumer<NgxEvent> recorder(List<Call> calls, int acceptOn) {
        return ev -> {
            calls.add(new Call(ev, ev.data.fd, ev.ready));
            if (calls.size() == acceptOn) {
                check(SocketCalls.accept4(ev.data.fd, null, null, Socket.SOCK_NONBLOCK));
            }
        };
    }

    /** A handler that only records. */
    private static Consumer<NgxEvent> recorder(List<Call> calls) {
        return recorder(calls, -1);
    }

    // ---- the worker's start -------------------------------------------------------------------

    @Test
    @DisplayName("strace of a worker's start: epoll_create(512) = 7, the listening socket 6 added with "
            + "EPOLLIN|EPOLLRDHUP and data 6, then it sleeps in epoll_wait(7, ...)")
    void theWorkerMakesItsEpollAddsTheListenerAndSleeps() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1, 0.5)) {
            NgxMaster master = startIdle(sched, 1, false);
            List<String> worker = strace(sched, WORKER1);

            assertThat(starting(worker, "epoll_"))
                    .as("worker1's epoll calls: ngx_epoll_init's epoll_create(connection_n / 2 = 512) gets the lowest "
                            + "free descriptor, 7 (the master's end of its channel, closed just before); the notify "
                            + "eventfd 9 (given); the listening socket 6 level-triggered (no EPOLLET), EPOLLIN|EPOLLRDHUP, "
                            + "the descriptor as data; its channel 8 the same way; then ngx_process_events_and_timers "
                            + "sleeps in epoll_wait")
                    .containsExactly(
                            "epoll_create(512) = 7",
                            "epoll_ctl(7, EPOLL_CTL_ADD, 9, {events=EPOLLIN|EPOLLET, data={u32=9, u64=9}}) = 0",
                            "epoll_ctl(7, EPOLL_CTL_ADD, 6, {events=EPOLLIN|EPOLLRDHUP, data={u32=6, u64=6}}) = 0",
                            "epoll_ctl(7, EPOLL_CTL_ADD, 8, {events=EPOLLIN|EPOLLRDHUP, data={u32=8, u64=8}}) = 0",
                            asleep(7));
            assertThat(master.listenFd()).as("the master's listening descriptor").isEqualTo(6);
            assertThat(master.workers.get(0).task().state()).as("worker1's state: asleep in epoll_wait, interruptibly")
                    .isEqualTo(Task.TASK_INTERRUPTIBLE);
            assertThat(master.workers.get(0).eventPoll().wq.waitqueueActive())
                    .as("worker1 waits on its own epoll's wait queue ep->wq").isTrue();
        }
    }

    @Test
    @DisplayName("the worker's epoll: an item for the listening socket 6 with exactly EPOLLIN|EPOLLRDHUP and data 6, "
            + "on the master's open file; the listening read event is active, not ready")
    void theListenItemIsLevelTriggeredOnTheSharedFile() {
        try (DeterministicScheduler sched = new DeterministicScheduler(2, 0.5)) {
            NgxMaster master = startIdle(sched, 1, false);
            NgxWorker worker = master.workers.get(0);
            EventPoll ep = worker.eventPoll();
            assertThat(ep).as("worker1's epoll instance (descriptor %d)", worker.ep).isNotNull();
            assertThat(watched(ep)).as("the descriptors worker1's epoll watches: the listening socket, its channel, "
                    + "the notify eventfd").containsExactlyInAnyOrder(6, 8, 9);

            EpItem listen = item(ep, 6);
            assertThat(listen.event.events).as("the listen item's events (%s): EPOLLIN|EPOLLRDHUP as nginx asked, "
                    + "level-triggered (no EPOLLET), not EPOLLEXCLUSIVE; epoll_ctl always adds EPOLLERR|EPOLLHUP",
                    Epoll.names(listen.event.events))
                    .isEqualTo(EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP);
            assertThat(listen.event.data).as("the listen item's data: the descriptor, which "
                    + "ngx_epoll_process_events turns back into the connection").isEqualTo(6);
            assertThat(listen.ffd.file()).as("the file the item watches is the master's listening socket: the worker "
                    + "inherited the open file across fork").isSameAs(fileOf(master.process(), 6));

            NgxConnection ls = worker.connection(6);
            assertThat(ls).as("worker1's connection for descriptor 6").isNotNull();
            assertThat(List.of(ls.listening, ls.read.active, ls.read.ready))
                    .as("the listening connection: listening, its read event active (ngx_epoll_add_event succeeded), "
                            + "not ready (nothing reported yet)")
                    .containsExactly(true, true, false);
        }
    }

    @Test
    @DisplayName("four workers: four epoll_create(512), four epoll instances, each with its own item on the same "
            + "listening file, all hooked on the listening socket's one wait queue")
    void everyWorkerHasItsOwnEpollOnTheSharedSocket() {
        try (DeterministicScheduler sched = new DeterministicScheduler(3, 0.5)) {
            NgxMaster master = startIdle(sched, 4, false);
            File listenFile = fileOf(master.process(), 6);
            Set<EventPoll> instances = new HashSet<>();
            Set<Object> waitQueues = new HashSet<>();
            for (NgxWorker worker : master.workers) {
                List<String> lines = strace(sched, worker.task().pid());
                assertThat(starting(lines, "epoll_create")).as("%s's epoll_create calls", worker)
                        .containsExactly("epoll_create(512) = " + worker.ep);
                assertThat(lines).as("%s adds the listening socket to its own epoll %d", worker, worker.ep)
                        .contains("epoll_ctl(" + worker.ep
                                + ", EPOLL_CTL_ADD, 6, {events=EPOLLIN|EPOLLRDHUP, data={u32=6, u64=6}}) = 0");
                assertThat(lines.get(lines.size() - 1)).as("%s's last call: asleep in epoll_wait on its epoll", worker)
                        .isEqualTo(asleep(worker.ep));
                EventPoll ep = worker.eventPoll();
                instances.add(ep);
                EpItem listen = item(ep, 6);
                assertThat(listen.ffd.file()).as("%s's listen item watches the one listening file", worker)
                        .isSameAs(listenFile);
                assertThat(listen.pwqlist()).as("%s's listen item has one entry on the socket's wait queue", worker)
                        .hasSize(1);
                waitQueues.add(listen.pwqlist().get(0).whead());
            }
            assertThat(instances).as("distinct epoll instances: each worker made its own").hasSize(4);
            assertThat(waitQueues).as("the wait queues the four listen items are on: one, the socket's; a new "
                    + "connection's wake-up walks it and calls ep_poll_callback four times").hasSize(1);
            assertThat(listenFile.fEp.size()).as("epoll items on the listening file's f_ep list: one per worker")
                    .isEqualTo(4);
        }
    }

    // ---- dispatch on the live worker ----------------------------------------------------------

    @ParameterizedTest(name = "[{index}] the handler accepts on call {0}")
    @ValueSource(ints = {1, 2, 3})
    @DisplayName("a connection to one worker: each epoll_wait that reports the listening socket calls its handler "
            + "once, ready; level-triggered, it is reported again while the connection stays queued; once the "
            + "handler takes it, the worker sleeps")
    void eachReadinessReportCallsTheListeningHandlerOnce(int acceptOn) {
        try (DeterministicScheduler sched = new DeterministicScheduler(acceptOn, 0.5)) {
            NgxMaster master = startIdle(sched, 1, false);
            NgxWorker worker = master.workers.get(0);
            NgxConnection ls = worker.connection(master.listenFd());
            List<Call> calls = new ArrayList<>();
            ls.read.handler = recorder(calls, acceptOn);
            List<String> before = strace(sched, WORKER1);
            WorkerCounters counters = WorkerCounters.of(worker);

            Telnet.connect(sched);
            sched.runUntilIdle();

            List<String> expected = new ArrayList<>();
            for (int i = 0; i < acceptOn; i++) {
                expected.add(listenerReported(7));
            }
            expected.add(asleep(7));
            assertThat(starting(since(before, sched, WORKER1), "epoll_wait"))
                    .as("worker1's epoll_wait calls since the connection: the listening socket stays ready while the "
                            + "connection is queued, so each call returns it at once (level-triggered: ep_send_events "
                            + "puts the item back on the ready list); the handler takes the connection on call %d, and "
                            + "the next epoll_wait finds nothing and sleeps", acceptOn)
                    .containsExactlyElementsOf(expected);
            assertThat(calls).as("the listening read event's handler: called once per epoll_wait that reported it")
                    .hasSize(acceptOn);
            assertThat(calls).as("every call: the listening connection's read event, ready set before the call")
                    .allSatisfy(call -> {
                        assertThat(call.ev()).as("the event handed to the handler").isSameAs(ls.read);
                        assertThat(call.ready()).as("ev->ready when the handler runs").isTrue();
                    });
            assertThat(WorkerCounters.of(worker).minus(counters).wakeups())
                    .as("wake-ups of worker1: one (the connection); the returns after it never slept").isEqualTo(1);
            assertThat(worker.eventPoll().readyList()).as("worker1's ready list once it sleeps again").isEmpty();
        }
    }

    // ---- dispatch, called directly --------------------------------------------------------------

    @Test
    @DisplayName("ngx_epoll_process_events returns the number of events and calls the handler only of an active "
            + "read event: an inactive one is reported by epoll but its handler is not called")
    void onlyAnActiveReadEventReachesItsHandler() {
        inWorker(false, worker -> {
            int efd = (int) check(EventFd.eventfd2(0, 0));
            NgxConnection c = worker.getConnection(efd);
            List<Call> calls = new ArrayList<>();
            c.read.handler = recorder(calls);
            check(Epoll.epollCtl(worker.ep, Epoll.EPOLL_CTL_ADD, efd, new EpollEvent(EPOLLIN, efd)));
            check(Vfs.write(efd, EventFd.value(1), Long.BYTES));

            assertThat(NgxEpollModule.ngxEpollProcessEvents(worker, 0, 0))
                    .as("epoll_wait reports the readable eventfd even though its read event is not active").isEqualTo(1);
            assertThat(calls).as("handler calls for an event that is not active (not added by ngx_epoll_add_event)")
                    .isEmpty();
            assertThat(c.read.ready).as("an inactive event is not made ready").isFalse();

            c.read.active = true;
            assertThat(NgxEpollModule.ngxEpollProcessEvents(worker, 0, 0))
                    .as("the eventfd is still readable: reported again (level-triggered)").isEqualTo(1);
            assertThat(calls).as("now active: its handler is called once, with the event ready").hasSize(1);
            assertThat(calls.get(0).ev()).as("the event handed to the handler").isSameAs(c.read);
            assertThat(calls.get(0).ready()).as("ready when the handler runs").isTrue();
        });
    }

    @Test
    @DisplayName("ngx_epoll_add_event: EPOLL_CTL_ADD with EPOLLIN|EPOLLRDHUP|flags and the descriptor as data, then "
            + "the event is active; a failed epoll_ctl leaves it inactive and returns the error")
    void addEventRegistersTheReadEvent() {
        inWorker(false, worker -> {
            int[] sv = new int[2];
            check(UnixStream.socketpair(UnixStream.AF_UNIX, UnixStream.SOCK_STREAM, 0, sv));
            NgxConnection level = worker.getConnection(sv[0]);
            NgxConnection edge = worker.getConnection(sv[1]);

            assertThat(NgxEpollModule.ngxEpollAddEvent(worker, level.read, 0)).as("adding a read event").isEqualTo(0);
            assertThat(NgxEpollModule.ngxEpollAddEvent(worker, edge.read, NgxEpollModule.NGX_CLEAR_EVENT))
                    .as("adding a read event with NGX_CLEAR_EVENT").isEqualTo(0);
            EventPoll ep = worker.eventPoll();
            assertThat(List.of(item(ep, sv[0]).event.events, item(ep, sv[1]).event.events))
                    .as("the items' events: EPOLLIN|EPOLLRDHUP, plus EPOLLET for NGX_CLEAR_EVENT (and the "
                            + "EPOLLERR|EPOLLHUP epoll_ctl always adds)")
                    .containsExactly(EPOLLIN | EPOLLRDHUP | ERR_HUP, EPOLLIN | EPOLLRDHUP | ERR_HUP | Epoll.EPOLLET);
            assertThat(List.of(item(ep, sv[0]).event.data, item(ep, sv[1]).event.data))
                    .as("the items' data: the descriptors").containsExactly((long) sv[0], (long) sv[1]);
            assertThat(List.of(level.read.active, edge.read.active)).as("both events active").containsExactly(true, true);

            NgxConnection again = worker.getConnection(sv[0]);
            assertThat(errno(NgxEpollModule.ngxEpollAddEvent(worker, again.read, 0)))
                    .as("adding descriptor %d a second time: epoll_ctl's error is returned", sv[0]).isEqualTo("EEXIST");
            assertThat(again.read.active).as("an event whose epoll_ctl failed stays inactive").isFalse();
        });
    }

    @Test
    @DisplayName("one epoll_wait reporting two events calls each handler once, in the order reported; an event with "
            + "only EPOLLOUT calls no read handler")
    void everyReportedEventIsDispatched() {
        inWorker(false, worker -> {
            int first = (int) check(EventFd.eventfd2(0, 0));
            int second = (int) check(EventFd.eventfd2(0, 0));
            int[] sv = new int[2];
            check(UnixStream.socketpair(UnixStream.AF_UNIX, UnixStream.SOCK_STREAM, 0, sv));
            List<Call> calls = new ArrayList<>();
            for (int fd : new int[] {first, second, sv[0]}) {
                NgxConnection c = worker.getConnection(fd);
                c.read.handler = recorder(calls);
                c.read.active = true;
            }
            check(Epoll.epollCtl(worker.ep, Epoll.EPOLL_CTL_ADD, sv[0], new EpollEvent(EPOLLOUT, sv[0])));
            for (int fd : new int[] {second, first}) {
                check(Epoll.epollCtl(worker.ep, Epoll.EPOLL_CTL_ADD, fd, new EpollEvent(EPOLLIN, fd)));
                check(Vfs.write(fd, EventFd.value(1), Long.BYTES));
            }

            assertThat(NgxEpollModule.ngxEpollProcessEvents(worker, 0, 0))
                    .as("events reported: the writable socket (EPOLLOUT) and the two readable eventfds").isEqualTo(3);
            assertThat(calls.stream().map(Call::fd).toList())
                    .as("the handlers called: each readable eventfd's once, in the order they became ready (%d, then "
                            + "%d); none for the socket's EPOLLOUT alone (not EPOLLIN|EPOLLERR|EPOLLHUP), although its "
                            + "read event is active", second, first)
                    .containsExactly(second, first);
            assertThat(calls).as("each handler ran with its event ready").allMatch(Call::ready);
        });
    }

    @Test
    @DisplayName("with NGX_POST_EVENTS (the accept mutex's holder, lesson 5) no handler is called: a listening socket's "
            + "read event is posted to the posted accept events, any other to the posted events, each once even when "
            + "reported again")
    void postEventsQueuesInsteadOfCalling() {
        inWorker(false, worker -> {
            int lfd = listener();
            connectNonBlocking();
            int efd = (int) check(EventFd.eventfd2(0, 0));
            check(Vfs.write(efd, EventFd.value(1), Long.BYTES));
            NgxConnection ls = worker.getConnection(lfd, true);
            NgxConnection c = worker.getConnection(efd);
            List<Call> calls = new ArrayList<>();
            for (NgxConnection x : List.of(ls, c)) {
                x.read.handler = recorder(calls);
                check(NgxEpollModule.ngxEpollAddEvent(worker, x.read, 0));
            }

            for (int round = 1; round <= 2; round++) {
                assertThat(NgxEpollModule.ngxEpollProcessEvents(worker, 0, NgxEpollModule.NGX_POST_EVENTS))
                        .as("round %d: both descriptors are reported (level-triggered)", round).isEqualTo(2);
                assertThat(calls).as("round %d: handlers called under NGX_POST_EVENTS", round).isEmpty();
                assertThat(worker.postedAcceptEvents).as("round %d: the posted accept events", round)
                        .containsExactly(ls.read);
                assertThat(worker.postedEvents).as("round %d: the posted events", round).containsExactly(c.read);
            }
            assertThat(List.of(ls.read.ready, ls.read.posted, c.read.ready, c.read.posted))
                    .as("[ready, posted] of both events").containsExactly(true, true, true, true);
        });
    }
}
