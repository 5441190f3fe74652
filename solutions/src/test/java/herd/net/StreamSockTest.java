package herd.net;

import static herd.fs.Poll.EPOLLERR;
import static org.assertj.core.api.Assertions.assertThat;

import herd.fs.File;
import herd.uapi.Errno;
import herd.wait.WaitQueueEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The receive side stream sockets share ({@code sk_receive_queue}, {@code sk_shutdown}),
 * on its own: what {@code RCV_SHUTDOWN} refuses, what a purge drops, and
 * {@code sock_def_error_report}'s wake-up.
 */
class StreamSockTest {
    private static final byte[] ABC = "abc".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] XY = "xy".getBytes(StandardCharsets.US_ASCII);

    /** A non-blocking file on {@code sk}, for recvmsg. */
    private static File file(StreamSock sk) {
        return new File("socket:[test]", (f, pt) -> 0, sk, File.O_NONBLOCK);
    }

    /** What a non-blocking recvmsg of up to 16 bytes gives: the bytes, EOF or the errno. */
    private static String recv(StreamSock sk) {
        byte[] buf = new byte[16];
        long n = sk.recvmsg(file(sk), buf, buf.length, () -> { });
        return n == 0 ? "EOF" : n < 0 ? Errno.of(n).name() : new String(buf, 0, (int) n, StandardCharsets.US_ASCII);
    }

    @Test
    void aSocketShutDownForReadingQueuesNothingMore() {
        StreamSock sk = new StreamSock("sk");
        assertThat(sk.queueRcv(ABC, 3)).as("an open socket queues").isTrue();
        sk.shutdown(Sock.RCV_SHUTDOWN, false);
        assertThat(sk.queueRcv(XY, 2)).as("RCV_SHUTDOWN: the data is refused, the sender gets EPIPE").isFalse();
        assertThat(sk.queued()).as("only what came before the shutdown").isEqualTo(3);
        assertThat(recv(sk)).as("it is still read").isEqualTo("abc");
        assertThat(recv(sk)).as("then end of file").isEqualTo("EOF");
    }

    @Test
    void aShutdownThatPurgesDropsTheUnreadDataOneThatDoesNotKeepsIt() {
        StreamSock kept = new StreamSock("kept");
        kept.queueRcv(ABC, 3);
        kept.shutdown(Sock.SHUTDOWN_MASK, false);
        assertThat(recv(kept)).as("the peer's close: what it sent before is still read").isEqualTo("abc");

        StreamSock purged = new StreamSock("purged");
        purged.queueRcv(ABC, 3);
        purged.queueRcv(XY, 2);
        assertThat(purged.recvmsg(file(purged), new byte[1], 1, () -> { })).as("read one byte").isEqualTo(1);
        purged.shutdown(Sock.SHUTDOWN_MASK, true);
        assertThat(purged.queued()).isZero();
        assertThat(recv(purged)).as("its own close purges sk_receive_queue: nothing left to read").isEqualTo("EOF");
    }

    @Test
    void aPurgedReceiveQueueHoldsOnlyWhatArrivesAfterThePurge() {
        StreamSock sk = new StreamSock("sk");
        sk.queueRcv(ABC, 3);
        byte[] one = new byte[1];
        assertThat(sk.recvmsg(file(sk), one, 1, () -> { })).isEqualTo(1);
        sk.purgeReceiveQueue();
        assertThat(sk.queued()).isZero();
        assertThat(recv(sk)).as("__skb_queue_purge dropped the rest of \"abc\"").isEqualTo("EAGAIN");
        sk.queueRcv(XY, 2);
        assertThat(recv(sk)).as("new data is read from its first byte").isEqualTo("xy");
    }

    @Test
    void sockDefErrorReportWakesTheSleepersWithEpollerrAndNobodyWithoutThem() {
        StreamSock sk = new StreamSock("sk");
        Sock.sockDefErrorReport(sk);
        List<String> keys = new ArrayList<>();
        sk.skWq.addWaitQueue(new WaitQueueEntry(null, (e, mode, flags, key) -> {
            keys.add(key == EPOLLERR ? "EPOLLERR" : Integer.toHexString(key));
            return 0;
        }, 0));
        sk.skErrorReport.accept(sk);
        assertThat(keys).as("sk_error_report is sock_def_error_report: EPOLLERR to the waiters").containsExactly(
                "EPOLLERR");
    }
}
