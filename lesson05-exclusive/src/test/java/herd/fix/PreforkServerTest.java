package herd.fix;

import static herd.course.kit.Syscalls.check;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.Seeds;
import herd.fs.Process;
import herd.fs.Vfs;
import herd.nginx.HttpWork;
import herd.nginx.Telnet;
import herd.nginx.WorkerCounters;
import herd.sched.DeterministicScheduler;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * L05-E8, blocking accept: the children of a prefork server each block in {@code accept4}
 * on one blocking listening socket. Each sleeps in {@code inet_csk_wait_for_connect},
 * exclusive at the tail of the socket's wait queue (lesson 3), so one connection wakes one
 * child, the one that has waited longest: first in, first out.
 */
@Tag("lesson05")
@Tag("L05-E8")
@DisplayName("L05-E8: blocking-accept children")
@ExtendWith(Seeds.Resolver.class)
class PreforkServerTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private static PreforkServer startIdle(DeterministicScheduler sched, int n) {
        PreforkServer server = PreforkServer.start(sched, n);
        sched.runUntilIdle();
        return server;
    }

    /** Which child's accepts grew between {@code before} and {@code after}; fails unless exactly one did, by one. */
    private static int acceptor(List<WorkerCounters> before, List<WorkerCounters> after) {
        List<Integer> grew = new ArrayList<>();
        for (int i = 0; i < after.size(); i++) {
            long d = after.get(i).accepts() - before.get(i).accepts();
            assertThat(d).as("accepts of child%d for one connection", i + 1).isBetween(0L, 1L);
            if (d == 1) {
                grew.add(i);
            }
        }
        assertThat(grew).as("children that accepted the connection").hasSize(1);
        return grew.get(0);
    }

    @Test
    @DisplayName("6 requests one at a time to 3 idle children: each wakes exactly one child (no EAGAIN, no hidden "
            + "wake-up), and the children take turns, first in, first out: p, q, r, p, q, r")
    void oneWakeUpPerConnectionInFifoOrder(Seeds seeds) {
        seeds.explore(20, 0.5, sched -> {
            PreforkServer server = startIdle(sched, 3);
            List<WorkerCounters> start = server.counters();
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                List<WorkerCounters> before = server.counters();
                Telnet.request(sched, "client" + (i + 1), HttpWork.request(0));
                sched.runUntilIdle();
                order.add(acceptor(before, server.counters()));
            }
            assertThat(order.subList(0, 3)).as("the first three connections go to three different children")
                    .doesNotHaveDuplicates();
            assertThat(order.subList(3, 6)).as("then in the same order again: each child, served, queues at the tail")
                    .isEqualTo(order.subList(0, 3));
            List<WorkerCounters> end = server.counters();
            long wakeups = 0;
            long eagain = 0;
            long hidden = 0;
            for (int i = 0; i < end.size(); i++) {
                WorkerCounters d = end.get(i).minus(start.get(i));
                wakeups += d.wakeups();
                eagain += d.eagain();
                hidden += d.hiddenWakeups();
            }
            assertThat(List.of(wakeups, eagain, hidden)).as("[wake-ups in accept4, EAGAIN, hidden] for 6 connections")
                    .containsExactly(6L, 0L, 0L);
            assertThat(server.children.stream().mapToLong(PreforkServer.Child::requests).sum()).as("requests served")
                    .isEqualTo(6);
        });
    }

    @Test
    @DisplayName("a child busy for 50 ms with /work/50 is not in accept: the next two requests, 10 and 20 ms later, "
            + "both wake the other child, which accepts each at once")
    void aBusyChildIsPassedOver(Seeds seeds) {
        seeds.explore(10, 0.5, sched -> {
            PreforkServer server = startIdle(sched, 2);
            List<WorkerCounters> before = server.counters();
            Telnet.request(sched, "slow", HttpWork.request(50));
            sched.runUntil(sched.clock() + 10 * MS);
            int busy = acceptor(before, server.counters());
            for (String quick : List.of("quick1", "quick2")) {
                List<WorkerCounters> mid = server.counters();
                Telnet.request(sched, quick, HttpWork.request(0));
                sched.runUntil(sched.clock());
                assertThat(acceptor(mid, server.counters())).as("the child that accepted %s: the other one; the busy "
                        + "child still waits out its request's 50 ms, out of accept4", quick).isEqualTo(1 - busy);
                sched.runUntil(sched.clock() + 10 * MS);
            }
            assertThat(server.children.get(busy).requests()).as("the busy child's requests, still in its first")
                    .isEqualTo(1);
        });
    }

    @Test
    @DisplayName("a client that connects and closes without a request: the child reads end of file (0), counts no "
            + "request and closes the connection; the next request is served")
    void aClientThatSendsNothingMakesNoRequest(Seeds seeds) {
        seeds.explore(10, 0.5, sched -> {
            PreforkServer server = startIdle(sched, 1);
            new Process(sched, "quit").spawn("quit", () -> {
                int fd = (int) check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0));
                check(SocketCalls.connect(fd, Telnet.SERVER, SockaddrIn.SIZE));
                check(Vfs.close(fd));
            });
            sched.runUntilIdle();
            PreforkServer.Child child = server.children.get(0);
            assertThat(List.of(child.counters().accepts(), child.requests()))
                    .as("[accepts, requests] of the child after a client that sent nothing").containsExactly(1L, 0L);
            Telnet.request(sched, "client", HttpWork.request(0));
            sched.runUntilIdle();
            assertThat(List.of(child.counters().accepts(), child.requests()))
                    .as("[accepts, requests] after a request").containsExactly(2L, 1L);
        });
    }
}
