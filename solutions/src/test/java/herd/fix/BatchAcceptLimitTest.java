package herd.fix;

import static herd.course.kit.Syscalls.check;
import static org.assertj.core.api.Assertions.assertThat;

import herd.fs.Vfs;
import herd.nginx.NgxConf;
import herd.nginx.NgxMaster;
import herd.nginx.NgxWorker;
import herd.nginx.Telnet;
import herd.nginx.WorkerCounters;
import herd.sched.DeterministicScheduler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * lighttpd's accept loop with a cap smaller than its 100, so that a few connections show
 * where it stops: at the cap without {@code EAGAIN}, or earlier at {@code EAGAIN}; and what
 * it returns, the connections accepted (lesson 5 runs the loop with the cap of 100).
 */
class BatchAcceptLimitTest {
    @Test
    @DisplayName("a cap of 2 with 3 connections queued: the first event accepts 2 and returns 2 without a third "
            + "accept4; the socket is still readable, so the next event accepts the last, gets EAGAIN and returns 1")
    void theCapStopsTheLoopWithoutEagain() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            List<Integer> returned = new ArrayList<>();
            NgxMaster master = NgxMaster.start(sched, NgxConf.herd(1), ev -> returned.add(BatchAccept.acceptBatch(ev, 2)));
            sched.runUntilIdle();
            WorkerCounters before = WorkerCounters.of(master.workers.get(0));

            Telnet.burst(sched, "client", 3);
            sched.runUntilIdle();

            WorkerCounters c = WorkerCounters.of(master.workers.get(0)).minus(before);
            assertThat(returned).as("acceptBatch's returns, one per readiness event").containsExactly(2, 1);
            assertThat(List.of(c.epollWaitReturns(), c.accepts(), c.eagain()))
                    .as("[epoll_wait returns, accepts, EAGAIN]").containsExactly(2L, 3L, 1L);
            assertThat(master.workers.get(0).errorLog).as("EAGAIN is not an error to log").isEmpty();
        }
    }

    @Test
    @DisplayName("accept4 may return descriptor 0 (a worker whose standard input is closed): the loop takes it as a "
            + "connection, not as an error")
    void descriptorZeroIsAConnection() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            List<Integer> returned = new ArrayList<>();
            NgxMaster master = NgxMaster.start(sched, NgxConf.herd(1), ev -> returned.add(BatchAccept.acceptBatch(ev, 2)));
            sched.runUntilIdle();
            NgxWorker worker = master.workers.get(0);
            worker.process().spawn("closer", () -> check(Vfs.close(0)));
            sched.runUntilIdle();

            Telnet.connect(sched);
            sched.runUntilIdle();

            assertThat(returned).as("acceptBatch's return: one connection, then EAGAIN").containsExactly(1);
            assertThat(worker.connection(0)).as("the connection of accepted descriptor 0").isNotNull();
            assertThat(worker.errorLog).as("the error log").isEmpty();
        }
    }
}
