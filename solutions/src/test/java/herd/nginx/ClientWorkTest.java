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
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
}
