package herd.fix;

import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Syscalls.check;
import static org.assertj.core.api.Assertions.assertThat;

import herd.fs.Vfs;
import herd.nginx.HttpWork;
import herd.sched.DeterministicScheduler;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** One turn of a prefork child's loop, called directly in a process of the test's own. */
class PreforkChildTest {
    private static final SockaddrIn ADDR = SockaddrIn.inet("127.0.0.1", 8080);

    @Test
    @DisplayName("accept4 may return descriptor 0 (a child whose standard input is closed): the child serves it like "
            + "any other connection and closes it")
    void descriptorZeroIsServed() {
        try (DeterministicScheduler unused = new DeterministicScheduler(1)) {
            PreforkServer.Child child = PreforkServer.start(unused, 1).children.get(0);
            byte[] request = HttpWork.request(0).getBytes(StandardCharsets.US_ASCII);
            long[] afterClose = new long[1];
            inProcess(() -> {
                int lfd = (int) check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0));
                check(SocketCalls.bind(lfd, ADDR, SockaddrIn.SIZE));
                check(SocketCalls.listen(lfd, 8));
                int cfd = (int) check(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0));
                check(SocketCalls.connect(cfd, ADDR, SockaddrIn.SIZE));
                check(Vfs.write(cfd, request, request.length));
                check(Vfs.close(0));

                PreforkServer.serveOne(child, lfd);

                afterClose[0] = Vfs.read(cfd, new byte[8], 8);
            });
            assertThat(child.requests()).as("requests served from descriptor 0").isEqualTo(1);
            assertThat(afterClose[0]).as("the client's read after the turn: 0, the child closed the connection")
                    .isZero();
        }
    }
}
