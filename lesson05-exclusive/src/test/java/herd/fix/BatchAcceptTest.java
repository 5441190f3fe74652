package herd.fix;

import static org.assertj.core.api.Assertions.assertThat;

import herd.fs.Process;
import herd.nginx.HttpWork;
import herd.nginx.NgxConf;
import herd.nginx.NgxMaster;
import herd.nginx.Telnet;
import herd.nginx.WorkerCounters;
import herd.sched.DeterministicScheduler;
import herd.sched.Task;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * L05-E8, batching with a cap: lighttpd's {@code network_server_handle_fdevent} accepts at
 * most 100 connections per readiness event, and stops earlier at {@code EAGAIN}. Here it
 * runs in an nginx worker in place of {@code ngx_event_accept}.
 */
@Tag("lesson05")
@Tag("L05-E8")
@DisplayName("L05-E8: accepting in batches of at most 100")
class BatchAcceptTest {
    /** One worker with the batch loop; a client that connects {@code n} times before the worker runs again. */
    private static WorkerCounters burst(int n) {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            NgxMaster master = NgxMaster.start(sched, NgxConf.herd(1), BatchAccept::acceptBatch);
            sched.runUntilIdle();
            WorkerCounters before = WorkerCounters.of(master.workers.get(0));
            Telnet.burst(sched, "client", n);
            sched.runUntilIdle();
            assertThat(master.workers.get(0).errorLog).as("the error log: EAGAIN ends a batch, it is not an error")
                    .isEmpty();
            return WorkerCounters.of(master.workers.get(0)).minus(before);
        }
    }

    @Test
    @DisplayName("150 queued connections (no preemption: the client queues them all before the worker runs): the first "
            + "event accepts 100 and stops without EAGAIN; the socket is still readable, the next event takes the last "
            + "50 and ends with EAGAIN; one wake-up")
    void aHundredPerEvent() {
        WorkerCounters c = burst(150);
        assertThat(List.of(c.wakeups(), c.epollWaitReturns(), c.accepts(), c.eagain()))
                .as("[wake-ups, epoll_wait returns, accepts, EAGAIN] for 150 connections").containsExactly(1L, 2L, 150L,
                        1L);
    }

    @Test
    @DisplayName("3 queued connections: one event accepts all 3 and stops at EAGAIN, as multi_accept does")
    void fewerThanTheCapStopAtEagain() {
        WorkerCounters c = burst(3);
        assertThat(List.of(c.wakeups(), c.epollWaitReturns(), c.accepts(), c.eagain()))
                .as("[wake-ups, epoll_wait returns, accepts, EAGAIN] for 3 connections").containsExactly(1L, 1L, 3L, 1L);
    }

    @Test
    @DisplayName("101 queued connections: the first event stops at the cap, 100, without a 101st accept4; the next "
            + "takes the last one and ends with EAGAIN")
    void theCapIsAHundredNotMore() {
        WorkerCounters c = burst(101);
        assertThat(List.of(c.wakeups(), c.epollWaitReturns(), c.accepts(), c.eagain()))
                .as("[wake-ups, epoll_wait returns, accepts, EAGAIN] for 101 connections").containsExactly(1L, 2L,
                        101L, 1L);
    }

    @Test
    @DisplayName("every accepted connection is handed to ngx_http_init_connection: three requests accepted in one "
            + "batch are each read, served and closed, and the client sees every close")
    void eachAcceptedConnectionIsServed() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            NgxMaster master = NgxMaster.start(sched, NgxConf.herd(1), BatchAccept::acceptBatch);
            sched.runUntilIdle();
            Process client = Telnet.requests(sched, "client", 3, HttpWork.request(0));
            sched.runUntilIdle();
            assertThat(master.workers.get(0).requests).as("requests the worker read: a connection accepted but never "
                    + "given to the HTTP module is never read").isEqualTo(3);
            assertThat(client.tasks()).as("the client exits once the server closed all 3 connections").hasSize(1)
                    .allMatch(t -> t.state() == Task.TASK_DEAD);
        }
    }
}
