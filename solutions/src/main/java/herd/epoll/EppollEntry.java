package herd.epoll;

import herd.wait.WaitQueueEntry;
import herd.wait.WaitQueueHead;

/**
 * {@code struct eppoll_entry}: the wait queue entry an epoll item puts on a watched
 * file's wait queue. It embeds the entry (here: extends it), whose function is
 * {@link EpPollCallback#epPollCallback ep_poll_callback} and whose task is null, and
 * remembers the queue and the item.
 */
public final class EppollEntry extends WaitQueueEntry {
    /** {@code whead}: the queue the entry is on; null once a {@code POLLFREE} wake-up tore it down. */
    volatile WaitQueueHead whead;
    /** {@code base}: the item. */
    public final EpItem base;

    /** An entry of {@code epi} for the queue {@code whead}, not yet linked. */
    EppollEntry(EpItem epi, WaitQueueHead whead) {
        super(null, EpPollCallback::epPollCallback, 0);
        this.base = epi;
        this.whead = whead;
    }

    /** {@code ep_pwq_from_wait()} / {@code ep_item_from_wait()}: the container of a wait entry. */
    static EppollEntry fromWait(WaitQueueEntry wait) {
        return (EppollEntry) wait;
    }

    /** The queue the entry was put on. */
    public WaitQueueHead whead() {
        return whead;
    }
}
