package herd.course.kit;

import herd.epoll.EpItem;
import herd.epoll.Epoll;
import herd.epoll.EpollEvent;
import herd.epoll.EppollEntry;
import herd.epoll.EventPoll;
import herd.fs.File;
import herd.fs.Poll;
import herd.fs.Process;
import herd.wait.WaitQueueEntry;
import herd.wait.WaitQueueHead;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Epolls in tests: the eventpoll behind a descriptor, its items and ready list, event
 * slots for {@code epoll_wait}, masks by name, who waits on a wait queue, and entries that
 * record their wake-ups.
 * Nothing here calls an exercise; for epolls and items made without the syscalls, see
 * {@code herd.epoll.EpollTests}.
 */
public final class Epolls {
    private Epolls() {
    }

    /** The eventpoll behind {@code epfd} of the current process. */
    public static EventPoll ep(int epfd) {
        File file = Process.current().files.fget(epfd);
        try {
            return (EventPoll) file.privateData;
        } finally {
            file.fput();
        }
    }

    /** {@code maxevents} empty slots for epoll_wait. */
    public static EpollEvent[] slots(int maxevents) {
        EpollEvent[] events = new EpollEvent[maxevents];
        for (int i = 0; i < maxevents; i++) {
            events[i] = new EpollEvent();
        }
        return events;
    }

    /** The data fields of the first {@code n} events. */
    public static List<Long> data(EpollEvent[] events, long n) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(events[i].data);
        }
        return out;
    }

    /** The fds of the items on the ready list, first to last. */
    public static List<Integer> readyFds(EventPoll ep) {
        return ep.readyList().stream().map(epi -> epi.ffd.fd()).toList();
    }

    /** The item of {@code ep} watching descriptor {@code fd}, or null. */
    public static EpItem item(EventPoll ep, int fd) {
        return ep.items().stream().filter(epi -> epi.ffd.fd() == fd).findFirst().orElse(null);
    }

    /** The descriptors {@code ep} watches, in tree order. */
    public static List<Integer> watched(EventPoll ep) {
        return ep.items().stream().map(epi -> epi.ffd.fd()).toList();
    }

    /** A mask written as {@code IN|OUT|ET|EXCLUSIVE}; {@code 0} for none. */
    public static int mask(String names) {
        int mask = 0;
        for (String name : names.trim().split("\\|")) {
            mask |= switch (name.trim()) {
                case "0" -> 0;
                case "IN" -> Poll.EPOLLIN;
                case "OUT" -> Poll.EPOLLOUT;
                case "PRI" -> Poll.EPOLLPRI;
                case "ERR" -> Poll.EPOLLERR;
                case "HUP" -> Poll.EPOLLHUP;
                case "RDNORM" -> Poll.EPOLLRDNORM;
                case "RDBAND" -> Poll.EPOLLRDBAND;
                case "WRNORM" -> Poll.EPOLLWRNORM;
                case "WRBAND" -> Poll.EPOLLWRBAND;
                case "MSG" -> Poll.EPOLLMSG;
                case "RDHUP" -> Poll.EPOLLRDHUP;
                case "ET" -> Epoll.EPOLLET;
                case "ONESHOT" -> Epoll.EPOLLONESHOT;
                case "WAKEUP" -> Epoll.EPOLLWAKEUP;
                case "EXCLUSIVE" -> Epoll.EPOLLEXCLUSIVE;
                default -> throw new IllegalArgumentException("unknown event " + name);
            };
        }
        return mask;
    }

    /**
     * The entries of {@code wq}, head first: an epoll entry as its epoll's name from
     * {@code names} (or "epoll?"), a task's entry as the task's name, any other as "poll";
     * each followed by " excl" when it has {@code WQ_FLAG_EXCLUSIVE}.
     */
    public static List<String> queue(WaitQueueHead wq, Map<EventPoll, String> names) {
        List<String> out = new ArrayList<>();
        wq.lock.lock();
        try {
            for (WaitQueueEntry e : wq.head.entries()) {
                String who = e instanceof EppollEntry pwq ? names.getOrDefault(pwq.base.ep, "epoll?")
                        : e.task != null ? e.task.comm() : "poll";
                out.add(who + (e.isExclusive() ? " excl" : ""));
            }
        } finally {
            wq.lock.unlock();
        }
        return out;
    }

    /** One call of a hand-made entry's wake function: whose, its mode and key, and whether ep->lock was held. */
    public record Call(String who, int mode, int key, boolean epLockHeld) {
        @Override
        public String toString() {
            return who + "(key " + Poll.names("EPOLL", key) + (epLockHeld ? ", under ep->lock)" : ")");
        }
    }

    /** A hand-made entry whose wake function records its calls in {@code calls} and accepts (returns 1). */
    public static WaitQueueEntry recorder(String who, EventPoll ep, List<Call> calls) {
        return new WaitQueueEntry(null, (wait, mode, sync, key) -> {
            calls.add(new Call(who, mode, key, ep.lock.isLocked()));
            return 1;
        }, 0);
    }
}
