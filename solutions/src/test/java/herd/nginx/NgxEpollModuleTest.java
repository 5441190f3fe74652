package herd.nginx;

import static herd.course.kit.Epolls.item;
import static herd.course.kit.Epolls.watched;
import static herd.course.kit.Processes.file;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static herd.nginx.NgxTests.inWorker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import herd.epoll.Epoll;
import herd.fs.EventFd;
import herd.fs.Poll;
import herd.fs.Vfs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * src/event/modules/ngx_epoll_module.c, the calls lesson 4's tests reach only on their
 * success path: {@code ngx_epoll_del_event} and the {@code NGX_EXCLUSIVE_EVENT} add return
 * what {@code epoll_ctl} returned, which {@code ngx_disable_accept_events} and
 * {@code ngx_enable_accept_events} check; and the worker's look at its own epoll.
 */
class NgxEpollModuleTest {
    @Test
    @DisplayName("ngx_epoll_del_event returns epoll_ctl's result: 0, then ENOENT for a descriptor no longer in the "
            + "set; the event is inactive either way")
    void delEventReturnsWhatEpollCtlReturned() {
        inWorker(false, worker -> {
            int efd = (int) check(EventFd.eventfd2(0, 0));
            NgxConnection c = worker.getConnection(efd);
            check(NgxEpollModule.ngxEpollAddEvent(worker, c.read, 0));

            assertThat(NgxEpollModule.ngxEpollDelEvent(worker, c.read)).as("EPOLL_CTL_DEL of a watched descriptor")
                    .isZero();
            assertThat(item(worker.eventPoll(), efd)).as("its epoll item after the delete").isNull();
            assertThat(c.read.active).as("the event after the delete").isFalse();

            c.read.active = true;
            assertThat(errno(NgxEpollModule.ngxEpollDelEvent(worker, c.read)))
                    .as("EPOLL_CTL_DEL of a descriptor that is not in the set: epoll_ctl's error").isEqualTo("ENOENT");
            assertThat(c.read.active).as("the event after the failed delete").isFalse();
        });
    }

    @Test
    @DisplayName("ngx_epoll_add_event with NGX_EXCLUSIVE_EVENT: EPOLL_CTL_ADD with EPOLLIN|EPOLLEXCLUSIVE (no "
            + "EPOLLRDHUP) and the descriptor as data, the event active; a failed epoll_ctl (EEXIST) is returned and "
            + "leaves the event inactive")
    void addExclusiveEventReturnsWhatEpollCtlReturned() {
        inWorker(false, worker -> {
            int efd = (int) check(EventFd.eventfd2(0, 0));
            NgxConnection c = worker.getConnection(efd);

            assertThat(NgxEpollModule.ngxEpollAddExclusiveEvent(worker, c.read)).as("the exclusive add").isZero();
            int events = item(worker.eventPoll(), efd).event.events;
            assertThat(List.of((events & Epoll.EPOLLEXCLUSIVE) != 0, (events & Poll.EPOLLIN) != 0,
                    (events & Poll.EPOLLRDHUP) != 0)).as("the item's [EPOLLEXCLUSIVE, EPOLLIN, EPOLLRDHUP] (%s)",
                    Epoll.names(events)).containsExactly(true, true, false);
            assertThat(item(worker.eventPoll(), efd).event.data).as("the item's data: the descriptor")
                    .isEqualTo(efd);
            assertThat(c.read.active).as("the event after the add").isTrue();

            NgxConnection again = worker.getConnection(efd);
            assertThat(errno(NgxEpollModule.ngxEpollAddExclusiveEvent(worker, again.read)))
                    .as("adding descriptor %d a second time", efd).isEqualTo("EEXIST");
            assertThat(again.read.active).as("an event whose epoll_ctl failed stays inactive").isFalse();
        });
    }

    @Test
    @DisplayName("reading a worker's epoll (eventPoll, as the counters do at every reading) takes no reference to "
            + "its file: fget, then fput; the file's count stays as it was")
    void eventPollTakesNoReference() {
        inWorker(false, worker -> {
            long count = file(worker.ep).fileCount();
            for (int i = 0; i < 3; i++) {
                assertThat(worker.eventPoll()).as("the worker's epoll, reading %d", i + 1).isNotNull();
            }
            assertThat(file(worker.ep).fileCount()).as("the epoll file's count after three readings").isEqualTo(count);
        });
    }

    @Test
    @DisplayName("ngx_epoll_init takes the descriptor epoll_create returns, 0 included (a worker whose standard input "
            + "is closed): the worker's epoll is there, with the notify eventfd in it")
    void anEpollOnDescriptorZeroIsTheWorkersEpoll() {
        inWorker(false, worker -> {
            check(Vfs.close(0));
            NgxEpollModule.ngxEpollInit(worker);
            assertThat(worker.ep).as("epoll_create(512) got the lowest free descriptor").isZero();
            assertThat(worker.eventPoll()).as("the worker's epoll at descriptor 0").isNotNull();
            assertThat(watched(worker.eventPoll())).as("what it watches: the notify eventfd").hasSize(1);
        });
    }

    @Test
    @DisplayName("ngx_epoll_init when epoll_create fails (EMFILE: the descriptor table is full): the worker cannot "
            + "run, an error names the errno")
    void aFailedEpollCreateStopsTheWorker() {
        inWorker(false, worker -> {
            while (Vfs.dup(0) >= 0) {
                // fill the descriptor table (RLIMIT_NOFILE)
            }
            assertThatThrownBy(() -> NgxEpollModule.ngxEpollInit(worker)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("epoll_create() failed: EMFILE");
        });
    }

    @Test
    @DisplayName("ngx_epoll_process_events handles the events THIS epoll_wait returned, no more: after a return of "
            + "two events, a return of one leaves the second slot holding the older event, and its handler is not "
            + "called again")
    void onlyTheReturnedEventsAreHandled() {
        inWorker(false, worker -> {
            List<Integer> calls = new ArrayList<>();
            int[] fds = new int[2];
            for (int i = 0; i < 2; i++) {
                fds[i] = (int) check(EventFd.eventfd2(0, 0));
                NgxConnection c = worker.getConnection(fds[i]);
                c.read.handler = ev -> calls.add(ev.data.fd);
                check(NgxEpollModule.ngxEpollAddEvent(worker, c.read, 0));
                check(Vfs.write(fds[i], EventFd.value(1), Long.BYTES));
            }
            assertThat(NgxEpollModule.ngxEpollProcessEvents(worker, 0, 0)).as("both eventfds readable").isEqualTo(2);
            check(Vfs.read(fds[1], new byte[Long.BYTES], Long.BYTES));
            assertThat(NgxEpollModule.ngxEpollProcessEvents(worker, 0, 0)).as("the second one read empty")
                    .isEqualTo(1);
            assertThat(calls).as("the handlers called: both, then the first alone (level-triggered)")
                    .containsExactly(fds[0], fds[1], fds[0]);
        });
    }
}
