package herd.epoll;

import static herd.epoll.EventPoll.EP_MAX_NESTS;
import static herd.epoll.EventPoll.isFileEpoll;

import herd.locking.Mutex;
import herd.sched.Sched;
import herd.sched.Scheduler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The check that keeps the graph of epolls watching epolls acyclic and shallow
 * ({@code ep_loop_check} in fs/eventpoll.c, as mainline has it since 2025): adding
 * epoll {@code to} into epoll {@code ep} fails when {@code ep} can be reached from
 * {@code to} (a cycle), or when the longest chain through the new link would have more
 * than {@link EventPoll#EP_MAX_NESTS} links (more than 5 epolls).
 *
 * <p>Not modelled: the kernel caches depths per check generation, and its
 * {@code reverse_path_check} limits how many wake-up paths lead to one ordinary file
 * ({@code -EINVAL} beyond 1000/500/100/50/10 paths of length 1..5).
 */
public final class EpollLoopCheck {
    /** {@code epnested_mutex} (5.15's {@code epmutex}): one loop check at a time, one mutex per kernel (scheduler). */
    private static final Map<Scheduler, Mutex> EPNESTED_MUTEX = Collections.synchronizedMap(new WeakHashMap<>());

    private EpollLoopCheck() {
    }

    /** The {@code epnested_mutex} of the current task's kernel. */
    static Mutex epnestedMutex() {
        return EPNESTED_MUTEX.computeIfAbsent(Sched.current().scheduler(), sched -> new Mutex());
    }

    /** {@code ep_loop_check()}: 0 if {@code to} may be added into {@code ep}, -1 for a cycle or too deep a chain. */
    static int epLoopCheck(EventPoll ep, EventPoll to) {
        // >>> L02-E6
        // ep_loop_check: depth = epLoopCheckProc(ep, to, 0), -1 if above EP_MAX_NESTS; then -1 if
        // depth + 1 + epGetUpwardsDepthProc(ep) > EP_MAX_NESTS, else 0
        throw herd.course.Todo.exercise("L02-E6", "ep_loop_check: depth = epLoopCheckProc(ep, to, 0), -1 if above EP_MAX_NESTS; then -1 if depth + 1 + epGetUpwardsDepthProc(ep) > EP_MAX_NESTS, else 0");
        // <<< L02-E6
    }

    /**
     * {@code ep_loop_check_proc()}: the longest chain of epoll links below {@code ep}, or
     * more than {@code EP_MAX_NESTS} if {@code insertingInto} is among them (a cycle) or
     * the walk goes too deep.
     */
    private static int epLoopCheckProc(EventPoll insertingInto, EventPoll ep, int depth) {
        // >>> L02-E6
        // ep_loop_check_proc: for each epoll among ep's items (watchedEpolls(ep, depth)):
        // EP_MAX_NESTS + 1 if it is insertingInto or depth > EP_MAX_NESTS, else the max of (its own
        // result at depth + 1) + 1; stop once above EP_MAX_NESTS
        throw herd.course.Todo.exercise("L02-E6", "ep_loop_check_proc: for each epoll among ep's items (watchedEpolls(ep, depth)): EP_MAX_NESTS + 1 if it is insertingInto or depth > EP_MAX_NESTS, else the max of (its own result at depth + 1) + 1; stop once above EP_MAX_NESTS");
        // <<< L02-E6
    }

    /** {@code ep_get_upwards_depth_proc()}: the longest chain of epolls above {@code ep} (that watch it). */
    private static int epGetUpwardsDepthProc(EventPoll ep) {
        // >>> L02-E6
        // ep_get_upwards_depth_proc: the max over the epolls watching ep (the items on ep.file.fEp,
        // read under f_lock) of their own result + 1
        throw herd.course.Todo.exercise("L02-E6", "ep_get_upwards_depth_proc: the max over the epolls watching ep (the items on ep.file.fEp, read under f_lock) of their own result + 1");
        // <<< L02-E6
    }

    /**
     * The epolls among {@code ep}'s items, read under its mutex, which {@code ep_loop_check_proc}
     * takes at lockdep subclass {@code depth + 1}: it nests inside the mutex of the epoll
     * being added to, which {@code epoll_ctl} holds at subclass 0.
     */
    private static List<EventPoll> watchedEpolls(EventPoll ep, int depth) {
        List<EventPoll> children = new ArrayList<>();
        ep.mtx.lockNested(depth + 1);
        try {
            for (EpItem epi : ep.rbr.values()) {
                if (isFileEpoll(epi.ffd.file())) {
                    children.add((EventPoll) epi.ffd.file().privateData);
                }
            }
        } finally {
            ep.mtx.unlock();
        }
        return children;
    }
}
