package herd.nginx;

import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Processes.openFds;
import static herd.course.kit.Syscalls.check;
import static org.assertj.core.api.Assertions.assertThat;

import herd.fs.Process;
import herd.fs.Vfs;
import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.sched.Task;
import herd.trace.TraceEvent;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The two sides of a request in the model: {@link HttpWork}, what serving it costs the
 * server (virtual time, as CPU or disk would), and {@link Telnet#requests}, the client
 * that sends it and waits for the server's close. The demos and lesson 5 measure with them.
 */
class ClientWorkTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private static long clock() {
        return Sched.current().scheduler().clock();
    }

    private static long served(String request, int n) {
        byte[] bytes = request.getBytes(StandardCharsets.US_ASCII);
        long t0 = clock();
        HttpWork.serve(bytes, n);
        return clock() - t0;
    }

    @Test
    @DisplayName("GET /work/<ms> keeps the server busy <ms> ms of virtual time; GET / and a request cut before its "
            + "number cost nothing")
    void workCostsVirtualTime() {
        assertThat(HttpWork.request(0)).as("the request of no work").isEqualTo("GET / HTTP/1.0\r\n\r\n");
        assertThat(HttpWork.request(50)).as("the request of 50 ms").isEqualTo("GET /work/50 HTTP/1.0\r\n\r\n");
        List<Long> costs = new ArrayList<>();
        inProcess(() -> {
            costs.add(served(HttpWork.request(7), HttpWork.request(7).length()));
            costs.add(served(HttpWork.request(0), HttpWork.request(0).length()));
            costs.add(served(HttpWork.request(7), 10));
        });
        assertThat(costs).as("virtual ns spent serving [GET /work/7, GET /, the first 10 bytes of GET /work/7]")
                .containsExactly(7 * MS, 0L, 0L);
    }

    @Test
    @DisplayName("Telnet.requests: the client writes its request on each connection and waits until the server has "
            + "closed every one, closing each end as the server closes it; then it exits")
    void aRequestClientWaitsForTheServersClose() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            byte[] request = HttpWork.request(0).getBytes(StandardCharsets.US_ASCII);
            new Process(sched, "server").spawn("server", () -> { // it waits in accept4 when the client starts
                int lfd = (int) check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0));
                check(SocketCalls.bind(lfd, NgxMaster.LISTEN, SockaddrIn.SIZE));
                check(SocketCalls.listen(lfd, NgxMaster.NGX_LISTEN_BACKLOG));
                int first = (int) check(SocketCalls.accept4(lfd, null, null, 0));
                int second = (int) check(SocketCalls.accept4(lfd, null, null, 0));
                for (int fd : new int[] {first, second}) {
                    byte[] buf = new byte[64];
                    assertThat(Vfs.read(fd, buf, buf.length)).as("the request read on %d", fd)
                            .isEqualTo(request.length);
                }
                Sched.scheduleTimeoutUninterruptible(100 * MS);
                check(Vfs.close(first));
                Sched.scheduleTimeoutUninterruptible(100 * MS);
                check(Vfs.close(second));
            });
            sched.runUntilIdle();
            long t0 = sched.clock();
            Process client = Telnet.requests(sched, "client", 2, HttpWork.request(0));
            Task task = client.tasks().get(0);

            sched.runUntil(t0 + 50 * MS);
            List<Integer> both = openFds(client);
            assertThat(both).as("the client's descriptors while the server holds both connections: stdio and two "
                    + "sockets").hasSize(5);
            assertThat(task.state()).as("the client waits in poll").isEqualTo(Task.TASK_INTERRUPTIBLE);

            sched.runUntil(t0 + 150 * MS);
            assertThat(openFds(client)).as("after the server closed the first connection: the client closed its "
                    + "end of it and waits for the other").containsExactly(0, 1, 2, both.get(4));
            assertThat(task.state()).as("the client still waits").isEqualTo(Task.TASK_INTERRUPTIBLE);

            sched.runUntil(t0 + 250 * MS);
            assertThat(task.state()).as("after the server closed both: the client exited").isEqualTo(Task.TASK_DEAD);
            assertThat(openFds(client)).as("the client's descriptors once it exited (exit_files closed the rest)")
                    .isEmpty();
        }
    }

    @Test
    @DisplayName("an nginx worker serves GET /work/30 for 30 ms of virtual time before it closes the connection")
    void aWorkerServesTheRequestsWorkBeforeClosing() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            NgxMaster master = NgxMaster.start(sched, NgxConf.herd(1));
            sched.runUntilIdle();
            long t0 = sched.clock();
            Process client = Telnet.request(sched, "telnet", HttpWork.request(30));
            Task task = client.tasks().get(0);

            sched.runUntil(t0 + 20 * MS);
            assertThat(task.state()).as("20 ms in, ngx_http_wait_request_handler is still serving: the client waits")
                    .isEqualTo(Task.TASK_INTERRUPTIBLE);
            sched.runUntil(t0 + 40 * MS);
            assertThat(task.state()).as("40 ms in, the worker has served and closed: the client exited")
                    .isEqualTo(Task.TASK_DEAD);
            assertThat(master.workers.get(0).requests).as("requests the worker read").isEqualTo(1);
        }
    }

    @Test
    @DisplayName("Telnet.connect and Telnet.burst: a client that connects once, or n times back to back, and keeps "
            + "its connections open")
    void connectAndBurstKeepTheirConnections() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            NgxMaster.start(sched, NgxConf.herd(1));
            sched.runUntilIdle();
            Process telnet = Telnet.connect(sched);
            Process burst = Telnet.burst(sched, "client", 3);
            sched.runUntil(sched.clock() + MS);

            assertThat(List.of(telnet.tasks().get(0).comm(), burst.tasks().get(0).comm()))
                    .as("the clients' names").containsExactly("telnet", "client");
            assertThat(openFds(telnet)).as("telnet's descriptors: stdio and its socket").containsExactly(0, 1, 2, 3);
            assertThat(openFds(burst)).as("the burst's descriptors: stdio and three sockets")
                    .containsExactly(0, 1, 2, 3, 4, 5);
        }
    }

    @Test
    @DisplayName("HerdRun's trickle starts one client per connection, telnet1 to telnetN; its burst is one client")
    void aTrickleNamesItsClientsInOrder() {
        assertThat(clientsOf(false)).as("the trickle's clients").containsExactly("telnet1", "telnet2", "telnet3");
        assertThat(clientsOf(true)).as("the burst's client").containsExactly("client");
    }

    private static Set<String> clientsOf(boolean burst) {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            HerdRun run = HerdRun.run(sched, NgxConf.herd(2), 3, burst);
            Set<String> clients = new TreeSet<>();
            for (TraceEvent e : sched.trace().events()) {
                if (e.comm().startsWith("telnet") || e.comm().startsWith("client")) {
                    clients.add(e.comm());
                }
            }
            assertThat(run.counters()).as("the run's workers").hasSize(2);
            return clients;
        }
    }
}
