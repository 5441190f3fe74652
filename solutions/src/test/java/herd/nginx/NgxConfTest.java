package herd.nginx;

import static herd.course.kit.Epolls.watched;
import static herd.course.kit.Nginx.FIRST_PID;
import static herd.course.kit.Traces.starting;
import static herd.course.kit.Traces.strace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import herd.fix.PreforkServer;
import herd.sched.DeterministicScheduler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The configurations the model refuses, what nginx does with options that need several
 * workers, and which nginx shows the herd: src/event/ngx_event.c's
 * {@code ngx_event_process_init} adds the listening socket with {@code NGX_EXCLUSIVE_EVENT}
 * whenever {@code accept_mutex} is off and there are several workers, in every nginx since
 * 1.11.3 built with {@code NGX_HAVE_EPOLLEXCLUSIVE}; no directive turns it off.
 */
class NgxConfTest {
    /**
     * How each worker of a two-worker nginx has added listening socket 6 once it is up:
     * the events of its {@code epoll_ctl(ADD, 6)}, or "-".
     */
    private static List<String> howTheWorkersAddTheSocket(NgxConf conf) {
        try (DeterministicScheduler sched = new DeterministicScheduler(1, 0.5)) {
            sched.pidsFrom(FIRST_PID);
            NgxMaster.start(sched, conf);
            sched.runUntil(sched.clock());
            List<String> out = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int ep = 7 + w;
                List<String> adds = starting(strace(sched, FIRST_PID + 1 + w), "epoll_ctl(" + ep + ", EPOLL_CTL_ADD, 6,");
                out.add(adds.isEmpty() ? "-" : adds.get(0).replaceAll(".*\\{events=([A-Z|]+),.*", "$1"));
            }
            return out;
        }
    }

    /**
     * src/event/ngx_event.c, ngx_event_process_init: {@code #if (NGX_HAVE_EPOLLEXCLUSIVE)} ...
     * {@code if ((ngx_event_flags & NGX_USE_EPOLL_EVENT) && ccf->worker_processes > 1)}
     * {@code ngx_add_event(rev, NGX_READ_EVENT, NGX_EXCLUSIVE_EVENT)}, after
     * {@code if (ngx_use_accept_mutex) continue;}; {@code accept_mutex} defaults to on before
     * 1.11.3 ({@code ngx_conf_init_value(ecf->accept_mutex, 1)}), off since. With the mutex
     * only its holder adds the socket (ngx_event_accept.c, {@code ngx_enable_accept_events}).
     */
    @Test
    @DisplayName("nginx's default on Linux is not the herd: 1.11.3+ built with EPOLLEXCLUSIVE adds the socket exclusively; only a build without it, or 1.11.2 with accept_mutex off, has every worker add it plainly")
    void whichNginxShowsTheHerd() {
        Map<String, List<String>> got = new LinkedHashMap<>();
        got.put("today's nginx, defaults, built with EPOLLEXCLUSIVE", howTheWorkersAddTheSocket(NgxConf.stock(2)));
        got.put("the same with accept_mutex on", howTheWorkersAddTheSocket(NgxConf.stock(2).withAcceptMutex()));
        got.put("the same, built without EPOLLEXCLUSIVE (glibc < 2.24)", howTheWorkersAddTheSocket(NgxConf.herd(2)));
        got.put("1.11.3, built with it", howTheWorkersAddTheSocket(NgxConf.stock(2).withVersion(NgxConf.NGINX_1_11_3)));
        got.put("1.11.2, defaults (accept_mutex on)",
                howTheWorkersAddTheSocket(NgxConf.stock(2).withVersion(1_011_002)));
        got.put("1.11.2, accept_mutex off",
                howTheWorkersAddTheSocket(NgxConf.stock(2).withVersion(1_011_002).withAcceptMutex(false)));
        String exclusive = "EPOLLIN|EPOLLEXCLUSIVE";
        String plain = "EPOLLIN|EPOLLRDHUP";
        assertThat(got).as("[worker 1, worker 2]: the events each added listening socket 6 with, once up").containsExactly(
                Map.entry("today's nginx, defaults, built with EPOLLEXCLUSIVE", List.of(exclusive, exclusive)),
                Map.entry("the same with accept_mutex on", List.of(plain, "-")),
                Map.entry("the same, built without EPOLLEXCLUSIVE (glibc < 2.24)", List.of(plain, plain)),
                Map.entry("1.11.3, built with it", List.of(exclusive, exclusive)),
                Map.entry("1.11.2, defaults (accept_mutex on)", List.of(plain, "-")),
                Map.entry("1.11.2, accept_mutex off", List.of(plain, plain)));
    }

    @Test
    @DisplayName("one connection to two idle workers: today's nginx wakes one worker, the build without EPOLLEXCLUSIVE wakes both")
    void todaysNginxWakesOneWorker() {
        List<Long> wakeups = new ArrayList<>();
        for (NgxConf conf : List.of(NgxConf.stock(2), NgxConf.herd(2))) {
            try (DeterministicScheduler sched = new DeterministicScheduler(1, 0.5)) {
                wakeups.add(HerdRun.run(sched, conf, 1, false).counters().stream()
                        .mapToLong(WorkerCounters::wakeups).sum());
            }
        }
        assertThat(wakeups).as("wake-ups for one connection: [nginx built with EPOLLEXCLUSIVE, built without]")
                .containsExactly(1L, 2L);
    }

    @Test
    @DisplayName("what each nginx has: EPOLLEXCLUSIVE from 1.11.3 if built with it, the reordering from 1.21.6; the version string")
    void versionsAndBuilds() {
        assertThat(List.of(NgxConf.stock(2).exclusiveAccept(), NgxConf.stock(2).reorderAcceptEvents(),
                NgxConf.stock(2).withVersion(1_021_005).reorderAcceptEvents(),
                NgxConf.stock(2).withVersion(1_011_002).exclusiveAccept(), NgxConf.herd(2).exclusiveAccept()))
                .containsExactly(true, true, false, false, false);
        assertThat(NgxConf.stock(1).version()).isEqualTo("1.31.5");
        assertThat(NgxConf.stock(1).withVersion(NgxConf.NGINX_1_11_3).version()).isEqualTo("1.11.3");
        assertThat(NgxConf.stock(2).withVersion(1_011_002).acceptMutex()).as("accept_mutex's default before 1.11.3")
                .isTrue();
    }
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

    @Test
    @DisplayName("the smallest numbers taken: worker_connections 2, nginx 1.0.0 (version 1000000), a prefork server "
            + "of one child; a version not encoded as 1xxxyyy is refused")
    void theLimitsThemselvesAreTaken() {
        assertThat(NgxConf.herd(1).withWorkerConnections(2).workerConnections()).as("worker_connections 2")
                .isEqualTo(2);
        assertThat(NgxConf.herd(1).withVersion(1_000_000).version()).as("nginx 1.0.0").isEqualTo("1.0.0");
        assertThatThrownBy(() -> NgxConf.herd(1).withVersion(1_113)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nginx_version is 1xxxyyy (1.11.3 is 1011003): 1113");
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            assertThat(PreforkServer.start(sched, 1).children).as("a prefork server of one child").hasSize(1);
        }
    }

    @Test
    @DisplayName("ngx_reorder_accept_events came with 1.21.6: that version reorders, 1.21.5 does not; EPOLLEXCLUSIVE "
            + "came with 1.11.3: that version has it, 1.11.2 does not")
    void theFirstVersionOfEachFeatureHasIt() {
        NgxConf stock = NgxConf.stock(2);
        assertThat(List.of(stock.withVersion(NgxConf.NGINX_1_21_6).reorderAcceptEvents(),
                stock.withVersion(1_021_005).reorderAcceptEvents(),
                stock.withVersion(NgxConf.NGINX_1_11_3).exclusiveAccept(),
                stock.withVersion(1_011_002).exclusiveAccept()))
                .as("[1.21.6 reorders, 1.21.5 reorders, 1.11.3 has EPOLLEXCLUSIVE, 1.11.2 has it]")
                .containsExactly(true, false, true, false);
    }
}
