package herd.inet;

import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Sockets.SERVER;
import static herd.course.kit.Sockets.accept;
import static herd.course.kit.Sockets.listener;
import static herd.course.kit.Sockets.socket;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Schedulers;
import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.socket.SockaddrIn;
import herd.socket.SocketCalls;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The time a completed connection waits in the accept queue, from the handshake's final
 * ACK ({@code inet_csk_reqsk_queue_add}) to {@code accept()} ({@code reqsk_queue_remove}):
 * the accept latency that lesson 5's comparison reports.
 */
class AcceptQueueSojournTest {
    private static final long MS = 1_000_000;

    @AutoClose
    private final Schedulers schedulers = new Schedulers();
    private final DeterministicScheduler sched = schedulers.deterministic(1);

    @Test
    void aConnectionAcceptedFiveMillisecondsAfterItsHandshakeWaitedFiveMilliseconds() {
        inProcess(sched, () -> {
            int lfd = listener(5, 0);
            Sched.scheduleTimeoutUninterruptible(3 * MS); // the queue's wait is measured from the handshake, not from 0
            SocketCalls.connect(socket(0), SERVER, SockaddrIn.SIZE);
            Sched.scheduleTimeoutUninterruptible(5 * MS);
            accept(lfd, 0);
            assertThat(Net.current().acceptQueueSojourns).as("ns each accepted connection spent in the accept queue")
                    .containsExactly(5 * MS);
        });
    }
}
