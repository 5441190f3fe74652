package herd.net;

import static herd.fs.Poll.EPOLLHUP;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLRDHUP;
import static herd.fs.Poll.EPOLLRDNORM;

import herd.fs.File;
import herd.locking.SpinLock;
import herd.uapi.Errno;
import herd.wait.WaitEvent;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The receive side that stream sockets share (AF_UNIX streams, TCP): {@code sk_receive_queue}
 * with one buffer per write, the blocking read of {@code unix_stream_recvmsg} and
 * {@code tcp_recvmsg} ({@code sk_wait_data}), and the read half of their poll masks.
 */
public class StreamSock extends Sock {
    /** The socket's spinlock ({@code unix_state_lock}, {@code bh_lock_sock}): guards the queue and the shutdown state. */
    public final SpinLock lock = new SpinLock();
    private final ArrayDeque<byte[]> receiveQueue = new ArrayDeque<>();
    private int consumed;
    /** Bytes queued and not yet read ({@code tcp_inq}: {@code rcv_nxt - copied_seq}); guarded by {@link #lock}. */
    private int unread;

    /** A socket whose wait queue is called {@code name} in reports. */
    public StreamSock(String name) {
        super(name);
    }

    /** Bytes waiting to be read. */
    public int queued() {
        lock.lock();
        try {
            return unread;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Appends {@code count} bytes of {@code buf} to the receive queue unless this end no
     * longer receives ({@code RCV_SHUTDOWN}); the caller then calls {@code sk_data_ready}.
     */
    public boolean queueRcv(byte[] buf, int count) {
        lock.lock();
        try {
            if ((skShutdown & RCV_SHUTDOWN) != 0) {
                return false;
            }
            receiveQueue.addLast(Arrays.copyOf(buf, count));
            unread += count;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Sets {@code how} ({@link #RCV_SHUTDOWN}, {@link #SEND_SHUTDOWN}) under the lock; {@code purge} also drops unread data. */
    public void shutdown(int how, boolean purge) {
        lock.lock();
        try {
            skShutdown |= how;
            if (purge) {
                receiveQueue.clear();
                consumed = 0;
                unread = 0;
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@code __skb_queue_purge(&sk->sk_receive_queue)}: unread data is dropped. */
    public void purgeReceiveQueue() {
        lock.lock();
        try {
            receiveQueue.clear();
            consumed = 0;
            unread = 0;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The stream {@code recvmsg}: up to {@code count} queued bytes; 0 once nothing more
     * can arrive and nothing is left; {@code -EAGAIN} or a sleep ({@code sk_wait_data})
     * while nothing is queued. {@code freed} runs once per buffer used up ({@code consume_skb}).
     */
    public long recvmsg(File file, byte[] buf, int count, Runnable freed) {
        for (;;) {
            int copied = 0;
            int freedBuffers = 0;
            lock.lock();
            try {
                while (copied < count && !receiveQueue.isEmpty()) {
                    byte[] skb = receiveQueue.peekFirst();
                    int n = Math.min(count - copied, skb.length - consumed);
                    System.arraycopy(skb, consumed, buf, copied, n);
                    copied += n;
                    consumed += n;
                    unread -= n;
                    if (consumed == skb.length) {
                        receiveQueue.removeFirst();
                        consumed = 0;
                        freedBuffers++;
                    }
                }
                if (copied == 0 && (skShutdown & RCV_SHUTDOWN) != 0) {
                    return 0;
                }
                if (copied == 0 && file.nonBlocking()) {
                    return Errno.EAGAIN.neg();
                }
            } finally {
                lock.unlock();
            }
            for (int i = 0; i < freedBuffers; i++) {
                freed.run();
            }
            if (copied > 0) {
                return copied;
            }
            long err = WaitEvent.waitEventInterruptible(skWq,
                    () -> queued() > 0 || (skShutdown & RCV_SHUTDOWN) != 0);
            if (err != 0) {
                return err;
            }
        }
    }

    /**
     * The read half of {@code unix_poll} and {@code tcp_poll}: {@code EPOLLHUP} when shut
     * down both ways, {@code EPOLLRDHUP|EPOLLIN|EPOLLRDNORM} once nothing more can arrive,
     * {@code EPOLLIN|EPOLLRDNORM} while data is queued.
     */
    public int pollRead() {
        int mask = 0;
        int shutdown = skShutdown;
        if (shutdown == SHUTDOWN_MASK) {
            mask |= EPOLLHUP;
        }
        if ((shutdown & RCV_SHUTDOWN) != 0) {
            mask |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;
        }
        if (queued() > 0) {
            mask |= EPOLLIN | EPOLLRDNORM;
        }
        return mask;
    }
}
