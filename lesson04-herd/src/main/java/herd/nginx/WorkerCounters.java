package herd.nginx;

import herd.epoll.EventPoll;
import herd.sched.SyscallStats;
import herd.sched.Task;
import herd.uapi.Errno;
import java.util.ArrayList;
import java.util.List;

/**
 * One worker's raw herd counters, read as a tracer would read them: the
 * {@code ep_poll_callback} calls for its epoll (a kprobe count), and from the worker's
 * own syscalls ({@code strace -c} and the scheduler's counts): the wake-ups while it
 * slept in {@code epoll_wait}, the returns of {@code epoll_wait}, the successful and the
 * {@code EAGAIN} {@code accept4} calls, and the hidden wake-ups (woken inside
 * {@code epoll_wait}, found nothing and slept again without returning).
 *
 * @param worker           the worker's name
 * @param callbacks        {@code ep_poll_callback} calls for the worker's epoll
 * @param wakeups          successful {@code try_to_wake_up} of the worker while in {@code epoll_wait} (or the call it sleeps in)
 * @param epollWaitReturns {@code epoll_wait} calls that returned
 * @param accepts          {@code accept4} calls that returned a connection
 * @param eagain           {@code accept4} calls that returned {@code EAGAIN}
 * @param hiddenWakeups    wake-ups inside {@code epoll_wait} (or the call it sleeps in) that did not end the call
 */
public record WorkerCounters(String worker, long callbacks, long wakeups, long epollWaitReturns, long accepts,
                             long eagain, long hiddenWakeups) {
    /** The counters of {@code w} now. */
    public static WorkerCounters of(NgxWorker w) {
        return of(w.toString(), w.task(), w.eventPoll(), "epoll_wait");
    }

    /**
     * The counters of the worker {@code name} running as {@code task} now: its epoll's
     * callbacks ({@code ep}, null for none), and its wake-ups and hidden wake-ups inside
     * {@code sleepsIn}, the call it waits in ({@code epoll_wait}, or {@code accept4} for a
     * blocking acceptor).
     */
    public static WorkerCounters of(String name, Task task, EventPoll ep, String sleepsIn) {
        SyscallStats stats = task.syscallStats();
        long accept4 = stats.returned("accept4");
        long failed = 0;
        for (Errno e : Errno.values()) {
            failed += stats.errors("accept4", e);
        }
        return new WorkerCounters(name, ep == null ? 0 : ep.callbacks.sum(), stats.wakeupsInside(sleepsIn, task),
                stats.returned("epoll_wait"), accept4 - failed, stats.errors("accept4", Errno.EAGAIN),
                stats.hiddenWakeups(sleepsIn, task));
    }

    /** The counters of every worker of {@code master}, in spawn order. */
    public static List<WorkerCounters> of(NgxMaster master) {
        return master.workers.stream().map(WorkerCounters::of).toList();
    }

    /** Each worker's counts since {@code before} (read with {@link #of(NgxMaster)}), in worker order. */
    public static List<WorkerCounters> since(NgxMaster master, List<WorkerCounters> before) {
        return since(of(master), before);
    }

    /** Each worker's counts between {@code before} and {@code now}, both read in the same worker order. */
    public static List<WorkerCounters> since(List<WorkerCounters> now, List<WorkerCounters> before) {
        List<WorkerCounters> out = new ArrayList<>();
        for (int i = 0; i < now.size(); i++) {
            out.add(now.get(i).minus(before.get(i)));
        }
        return List.copyOf(out);
    }

    /** This worker's counts since {@code before} was read. */
    public WorkerCounters minus(WorkerCounters before) {
        return new WorkerCounters(worker, callbacks - before.callbacks, wakeups - before.wakeups,
                epollWaitReturns - before.epollWaitReturns, accepts - before.accepts, eagain - before.eagain,
                hiddenWakeups - before.hiddenWakeups);
    }
}
