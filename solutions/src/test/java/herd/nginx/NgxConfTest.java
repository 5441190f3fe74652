package herd.nginx;

import static herd.course.kit.Epolls.watched;
import static herd.course.kit.Nginx.FIRST_PID;
import static herd.course.kit.Traces.starting;
import static herd.course.kit.Traces.strace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import herd.fix.PreforkServer;
import herd.sched.DeterministicScheduler;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The configurations the model refuses, and what nginx does with options that need several workers. */
class NgxConfTest {
    @Test
    @DisplayName("worker_processes 0 and worker_connections 1 are refused; so is a prefork server without children")
    void badNumbersAreRefused() {
        assertThatThrownBy(() -> NgxConf.herd(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("worker_processes must be at least 1");
        assertThatThrownBy(() -> NgxConf.herd(1).withWorkerConnections(1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("worker_connections must be at least 2");
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            assertThatThrownBy(() -> PreforkServer.start(sched, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at least one child");
        }
    }

    @Test
    @DisplayName("accept_mutex with one worker: ngx_use_accept_mutex needs 2 or more, so socket 6 is added at the "
            + "start and epoll_wait never times out")
    void oneWorkerUsesNoMutex() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1, 0.5)) {
            sched.pidsFrom(FIRST_PID);
            NgxMaster master = NgxMaster.start(sched, NgxConf.herd(1).withAcceptMutex());
            sched.runUntil(sched.clock());
            NgxWorker w = master.workers.get(0);
            assertThat(w.useAcceptMutex).isFalse();
            assertThat(master.acceptMutex.holder()).isZero();
            assertThat(watched(w.eventPoll())).contains(6);
            sched.runUntil(sched.clock() + 1_000_000_000L);
            assertThat(starting(strace(sched, w.task().pid()), "epoll_wait(" + w.ep + ", [], 512")).isEmpty();
        }
    }
}
