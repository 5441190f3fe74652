package herd.epoll;

import herd.list.ListHead;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code struct epitem}: one watched (file, fd) of one epoll. It is in the epoll's
 * tree while it exists, on the ready list ({@link #rdllink}) or the overflow chain
 * ({@link #next}) while it has events to report, and has one {@link EppollEntry} on each
 * wait queue the file's {@code poll} offered.
 */
public final class EpItem {
    /** {@code rdllink}: on the ready list (or a scan's private batch), or empty. */
    public final ListHead<EpItem> rdllink = new ListHead<>(this);
    /** {@code next}: the overflow chain while a scan runs; {@link EventPoll#EP_UNACTIVE_PTR} when not on it. */
    EpItem next;
    /** {@code ffd}: the watched file and the fd it was added with. */
    public final EpollFileFd ffd;
    /** {@code pwqlist}: the entries on the file's wait queues. */
    final List<EppollEntry> pwqlist = new ArrayList<>();
    /** {@code ep}: the epoll this item belongs to. */
    public final EventPoll ep;
    /** {@code fllink}: this item on the watched file's {@code f_ep} list. */
    final ListHead<EpItem> fllink = new ListHead<>(this);
    /** {@code event}: the interest mask with its flags, and the user's data. */
    public final EpollEvent event;
    /**
     * {@code dying}: set under the watched file's {@code f_lock} by
     * {@link EventPollFile#eventpollRelease eventpoll_release_file} before it waits for
     * {@code ep->mtx}; a concurrent {@code ep_clear_and_put} then leaves the item to it.
     */
    boolean dying;

    /** An item of {@code ep} for {@code ffd} with a copy of {@code event}, on no list. */
    EpItem(EventPoll ep, EpollFileFd ffd, EpollEvent event) {
        this.ep = ep;
        this.ffd = ffd;
        this.event = new EpollEvent(event.events, event.data);
        this.next = EventPoll.EP_UNACTIVE_PTR;
    }

    /** The overflow-chain sentinel, {@link EventPoll#EP_UNACTIVE_PTR}: an item of no epoll. */
    EpItem() {
        this.ep = null;
        this.ffd = null;
        this.event = new EpollEvent();
    }

    /** The entries this item has on wait queues. */
    public List<EppollEntry> pwqlist() {
        return List.copyOf(pwqlist);
    }

    @Override
    public String toString() {
        return ffd == null ? "EP_UNACTIVE_PTR" : "epitem(fd " + ffd.fd() + ", " + ffd.file() + ")";
    }
}
