package herd.inet;

import herd.locking.SpinLock;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code struct request_sock_queue} (include/net/request_sock.h), a listener's
 * {@code icsk_accept_queue}: the FIFO of completed connections ({@code rskq_accept_head}
 * to {@code rskq_accept_tail}) and {@code qlen}, the number of requests in the SYN queue.
 */
public final class RequestSockQueue {
    /** {@code rskq_lock}: guards the FIFO. */
    final SpinLock rskqLock = new SpinLock();
    private final ArrayDeque<RequestSock> accept = new ArrayDeque<>();
    private final AtomicInteger qlen = new AtomicInteger();

    /** {@code reqsk_queue_empty()}: no completed connection waits. */
    public boolean isEmpty() {
        rskqLock.lock();
        try {
            return accept.isEmpty();
        } finally {
            rskqLock.unlock();
        }
    }

    /** {@code reqsk_queue_len()}: requests in the SYN queue. */
    public int len() {
        return qlen.get();
    }

    /** {@code reqsk_queue_added()}: one more request in the SYN queue. */
    void added() {
        qlen.incrementAndGet();
    }

    /** {@code reqsk_queue_removed()}: one request left the SYN queue. */
    void removed() {
        qlen.decrementAndGet();
    }

    /** Links {@code req} at the tail of the FIFO; the caller holds {@link #rskqLock}. */
    void linkTail(RequestSock req) {
        accept.addLast(req);
    }

    /** Unlinks the head of the FIFO, or returns null; the caller holds {@link #rskqLock}. */
    RequestSock unlinkHead() {
        return accept.pollFirst();
    }

    /** The completed connections, oldest first. */
    public List<RequestSock> acceptQueue() {
        rskqLock.lock();
        try {
            return List.copyOf(accept);
        } finally {
            rskqLock.unlock();
        }
    }
}
