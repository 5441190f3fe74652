package herd.inet;

import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLRDNORM;
import static herd.inet.TcpSock.TCP_CLOSE;
import static herd.inet.TcpSock.TCP_LISTEN;
import static herd.sched.Task.TASK_INTERRUPTIBLE;

import herd.fs.File;
import herd.sched.Sched;
import herd.trace.Ftrace;
import herd.uapi.Errno;
import herd.wait.Wait;
import herd.wait.WaitQueueEntry;

/**
 * net/ipv4/inet_connection_sock.c: a listener's life ({@code inet_csk_listen_start},
 * {@code inet_csk_listen_stop}), its two queues and their limits, the hand-over of a
 * child to the accept queue, and {@code accept()} ({@code inet_csk_accept},
 * {@code inet_csk_wait_for_connect}).
 */
public final class InetConnectionSock {
    private InetConnectionSock() {
    }

    // ---- listening ------------------------------------------------------------------------

    /**
     * {@code inet_csk_listen_start()}: an empty accept queue, state {@code LISTEN}, the
     * port (taken again, so a conflict now gives {@code EADDRINUSE} and state
     * {@code CLOSE}), then the listening hash ({@code inet_hash}), joining a reuseport
     * group first when {@code SO_REUSEPORT} is set.
     */
    static long inetCskListenStart(TcpSock sk) {
        try (var fn = Ftrace.enter("inet_csk_listen_start")) {
            sk.skAckBacklog = 0;
            sk.skState = TCP_LISTEN;
            InetHashtables hashinfo = sk.net.hashinfo;
            if (!hashinfo.getPort(sk, sk.num)) {
                sk.skState = TCP_CLOSE;
                return Errno.EADDRINUSE.neg();
            }
            if (sk.skReuseport) {
                SockReuseport.inetReuseportAddSock(sk, hashinfo.listeners(sk.num));
            }
            hashinfo.listenHash(sk);
            return 0;
        }
    }

    /**
     * {@code inet_csk_listen_stop()}: every connection still in the accept queue is reset
     * and forgotten ({@code inet_child_forget}). Requests still in the SYN queue die when
     * their next segment finds the listener closed ({@code tcp_v4_rcv}).
     */
    static void inetCskListenStop(TcpSock sk) {
        RequestSock req;
        while ((req = reqskQueueRemove(sk.icskAcceptQueue, sk)) != null) {
            inetChildForget(req.sk);
        }
    }

    /** {@code inet_child_forget()}: a child nobody will accept is reset ({@code tcp_disconnect}) and orphaned. */
    private static void inetChildForget(TcpSock child) {
        TcpOutput.tcpSendActiveReset(child);
        child.dead = true;
        Tcp.tcpSetState(child, TCP_CLOSE);
    }

    // ---- the queues -----------------------------------------------------------------------

    /**
     * {@code inet_csk_reqsk_queue_is_full()}: the SYN queue is full only ABOVE the backlog,
     * like the accept queue, so {@code listen(fd, 0)} still admits one connection. (Before
     * "tcp/dccp: allow a connection when sk_max_ack_backlog is zero", 2025, it was {@code >=}.)
     */
    public static boolean inetCskReqskQueueIsFull(TcpSock sk) {
        // @exercise L03-E1 inet_csk_reqsk_queue_is_full: the SYN queue (reqsk_queue_len) is full only when it
        //   is strictly greater than sk_max_ack_backlog
        return sk.icskAcceptQueue.len() > sk.skMaxAckBacklog;
        // @end L03-E1
    }

    /** {@code inet_csk_reqsk_queue_hash_add()}: a new request into the established hash and the SYN queue. */
    static void inetCskReqskQueueHashAdd(TcpSock sk, RequestSock req) {
        sk.net.hashinfo.ehashInsert(req);
        sk.icskAcceptQueue.added();
    }

    /** {@code inet_csk_reqsk_queue_drop()}: a request leaves the established hash and the SYN queue; true if it was there. */
    static boolean inetCskReqskQueueDrop(TcpSock sk, RequestSock req) {
        boolean unlinked = sk.net.hashinfo.ehashRemove(req.key(), req);
        if (unlinked) {
            sk.icskAcceptQueue.removed();
        }
        return unlinked;
    }

    /**
     * {@code inet_csk_complete_hashdance()}: the child owns the request (it took its place
     * in the established hash), so the request leaves the SYN queue and the child joins
     * the accept queue. Null when another CPU took the request first or the listener
     * closed meanwhile.
     */
    static TcpSock inetCskCompleteHashdance(TcpSock sk, TcpSock child, RequestSock req, boolean ownReq) {
        if (ownReq) {
            sk.icskAcceptQueue.removed();
            if (inetCskReqskQueueAdd(sk, req, child) != null) {
                return child; // still locked: tcp_child_process unlocks it
            }
        } else {
            sk.net.hashinfo.putPort(child); // too bad, another child took ownership of the request: undo
        }
        child.skLock.slock.unlock(); // bh_unlock_sock(child): the lock sk_clone_lock took
        return null;
    }

    /**
     * {@code inet_csk_reqsk_queue_add()}: under the queue lock, a listener that stopped
     * listening forgets the child; otherwise the child goes to the TAIL of the accept
     * queue and {@code sk_ack_backlog} grows ({@code sk_acceptq_added}).
     */
    static TcpSock inetCskReqskQueueAdd(TcpSock sk, RequestSock req, TcpSock child) {
        try (var fn = Ftrace.enter("inet_csk_reqsk_queue_add")) {
            RequestSockQueue queue = sk.icskAcceptQueue;
            req.queuedAt = sk.net.clock();
            // @exercise L03-E2 inet_csk_reqsk_queue_add: under rskq_lock, forget the child if the listener is
            //   no longer LISTEN; else link the request (with req.sk = child) at the tail and count it in
            //   sk_ack_backlog
            queue.rskqLock.lock();
            try {
                if (sk.skState != TCP_LISTEN) {
                    inetChildForget(child);
                    return null;
                }
                req.sk = child;
                queue.linkTail(req);
                sk.skAckBacklog++;
                return child;
            } finally {
                queue.rskqLock.unlock();
            }
            // @end L03-E2
        }
    }

    /**
     * {@code reqsk_queue_remove()}: the oldest completed connection, or null;
     * {@code sk_acceptq_removed}. The time it spent in the queue goes to
     * {@link Net#acceptQueueSojourns}.
     */
    static RequestSock reqskQueueRemove(RequestSockQueue queue, TcpSock parent) {
        queue.rskqLock.lock();
        try {
            RequestSock req = queue.unlinkHead();
            if (req != null) {
                parent.skAckBacklog--;
                parent.net.acceptQueueSojourns.add(parent.net.clock() - req.queuedAt);
            }
            return req;
        } finally {
            queue.rskqLock.unlock();
        }
    }

    /** {@code inet_csk_listen_poll()}: readable exactly when the accept queue is not empty; the SYN queue never counts. */
    public static int inetCskListenPoll(TcpSock sk) {
        // @exercise L03-E3 inet_csk_listen_poll: EPOLLIN|EPOLLRDNORM when the accept queue is not empty, else
        //   0
        return sk.icskAcceptQueue.isEmpty() ? 0 : EPOLLIN | EPOLLRDNORM;
        // @end L03-E3
    }

    // ---- accept ---------------------------------------------------------------------------

    /**
     * {@code inet_csk_accept()}: under the socket lock, {@code -EINVAL} unless listening;
     * on an empty queue {@code -EAGAIN} when the timeout is 0 (an {@code O_NONBLOCK}
     * listener, {@code sock_rcvtimeo}), else {@code inet_csk_wait_for_connect}; then the
     * oldest connection. The child, or null with the error in {@code err[0]}.
     */
    public static TcpSock inetCskAccept(TcpSock sk, int flags, long[] err) {
        try (var fn = Ftrace.enter("inet_csk_accept")) {
            RequestSockQueue queue = sk.icskAcceptQueue;
            sk.lockSock();
            try {
                // @exercise L03-E4 inet_csk_accept: -EINVAL unless LISTEN; an empty queue gives -EAGAIN when
                //   sock_rcvtimeo(sk, flags & O_NONBLOCK) is 0, else inet_csk_wait_for_connect; then
                //   reqsk_queue_remove and return req.sk
                if (sk.skState != TCP_LISTEN) {
                    err[0] = Errno.EINVAL.neg();
                    return null;
                }
                if (queue.isEmpty()) {
                    long timeo = sk.sockRcvtimeo((flags & File.O_NONBLOCK) != 0);
                    if (timeo == 0) {
                        err[0] = Errno.EAGAIN.neg();
                        return null;
                    }
                    long error = inetCskWaitForConnect(sk, timeo);
                    if (error != 0) {
                        err[0] = error;
                        return null;
                    }
                }
                return reqskQueueRemove(queue, sk).sk;
                // @end L03-E4
            } finally {
                sk.releaseSock();
            }
        }
    }

    /**
     * {@code inet_csk_wait_for_connect()}: sleeps EXCLUSIVE at the tail of the socket's
     * queue ({@code prepare_to_wait_exclusive}), so one connection wakes one acceptor and
     * acceptors are served in the order they slept. Returns 0 once a connection waits,
     * {@code -EINVAL} if the socket stopped listening, {@code sock_intr_errno} on a signal,
     * {@code -EAGAIN} when the timeout ran out.
     */
    static long inetCskWaitForConnect(TcpSock sk, long timeo) {
        try (var fn = Ftrace.enter("inet_csk_wait_for_connect")) {
            // @exercise L03-E5 inet_csk_wait_for_connect: loop {
            //   prepare_to_wait_exclusive(TASK_INTERRUPTIBLE); release_sock; schedule_timeout only if the
            //   queue is still empty; lock_sock; then 0 / -EINVAL / sock_intr_errno / -EAGAIN }; finish_wait
            WaitQueueEntry wait = WaitQueueEntry.initWaitEntry(0);
            long err;
            for (;;) {
                Wait.prepareToWaitExclusive(sk.skWq, wait, TASK_INTERRUPTIBLE);
                sk.releaseSock();
                if (sk.icskAcceptQueue.isEmpty()) {
                    timeo = Sched.scheduleTimeout(timeo);
                }
                sk.lockSock();
                err = 0;
                if (!sk.icskAcceptQueue.isEmpty()) {
                    break;
                }
                err = Errno.EINVAL.neg();
                if (sk.skState != TCP_LISTEN) {
                    break;
                }
                err = sockIntrErrno(timeo);
                if (Sched.signalPending(Sched.current())) {
                    break;
                }
                err = Errno.EAGAIN.neg();
                if (timeo == 0) {
                    break;
                }
            }
            Wait.finishWait(sk.skWq, wait);
            return err;
            // @end L03-E5
        }
    }

    /** {@code sock_intr_errno()}: a signal restarts a wait without timeout ({@code -ERESTARTSYS}) and interrupts a timed one ({@code -EINTR}). */
    static long sockIntrErrno(long timeo) {
        return timeo == Sched.MAX_SCHEDULE_TIMEOUT ? Errno.ERESTARTSYS.neg() : Errno.EINTR.neg();
    }
}
