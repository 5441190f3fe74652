package herd.inet;

import static herd.sched.Task.TASK_UNINTERRUPTIBLE;
import static herd.wait.WaitQueueEntry.WQ_FLAG_EXCLUSIVE;

import herd.locking.SpinLock;
import herd.sched.Sched;
import herd.wait.Wait;
import herd.wait.WaitQueueEntry;
import herd.wait.WaitQueueHead;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * {@code socket_lock_t} with net/core/sock.c's {@code lock_sock} and {@code release_sock}:
 * a task owns the socket for a whole syscall and may sleep while it does; the softirq
 * only takes the spinlock ({@code bh_lock_sock}) and, when a task owns the socket, leaves
 * the segment on the backlog, which {@code release_sock} processes in the owner's context.
 */
final class SockLock {
    /** {@code sk_lock.slock}. */
    final SpinLock slock = new SpinLock();
    private final WaitQueueHead wq = new WaitQueueHead("sk_lock.wq");
    private final ArrayDeque<SkBuff> backlog = new ArrayDeque<>();
    private final Consumer<SkBuff> backlogRcv;
    private final Runnable releaseCb;
    private boolean owned;

    /**
     * A lock whose backlog is processed by {@code backlogRcv} ({@code sk_backlog_rcv}) and
     * whose {@code release_sock} ends with {@code releaseCb} ({@code sk_prot->release_cb}).
     */
    SockLock(Consumer<SkBuff> backlogRcv, Runnable releaseCb) {
        this.backlogRcv = backlogRcv;
        this.releaseCb = releaseCb;
    }

    /** {@code lock_sock()}: waits, uninterruptibly and first come first served, until no task owns the socket. */
    void lockSock() {
        slock.lock();
        if (owned) {
            WaitQueueEntry wait = WaitQueueEntry.initWaitEntry(WQ_FLAG_EXCLUSIVE);
            do {
                Wait.prepareToWaitExclusive(wq, wait, TASK_UNINTERRUPTIBLE);
                slock.unlock();
                Sched.schedule();
                slock.lock();
            } while (owned);
            Wait.finishWait(wq, wait);
        }
        owned = true;
        slock.unlock();
    }

    /**
     * {@code release_sock()}: processes the backlog ({@code __release_sock}), runs
     * {@code release_cb} (work the socket's timers left for the owner) with bottom halves
     * off, then lets the next owner in; what {@code release_cb} sent is received after that,
     * at {@code spin_unlock_bh}.
     */
    void releaseSock() {
        slock.lock();
        while (!backlog.isEmpty()) {
            SkBuff skb = backlog.pollFirst();
            slock.unlock();
            backlogRcv.accept(skb);
            slock.lock();
        }
        Loopback.localBhDisable();
        try {
            releaseCb.run();
        } finally {
            owned = false;
            if (wq.waitqueueActive()) {
                wq.wakeUp();
            }
            slock.unlock();
            Loopback.localBhEnable();
        }
    }

    /** {@code sock_owned_by_user()}; the caller holds {@link #slock}. */
    boolean ownedByUser() {
        return owned;
    }

    /** {@code sk_add_backlog()}; the caller holds {@link #slock}. */
    void addBacklog(SkBuff skb) {
        backlog.addLast(skb);
    }
}
