package herd.wait;

import static herd.sched.Sched.tryToWakeUp;

import herd.list.ListHead;
import herd.sched.Task;
import herd.trace.Ftrace;

/**
 * {@code struct wait_queue_entry} (include/linux/wait.h): flags, the sleeping task
 * ({@code private}, null for a pure callback such as epoll's), the wake function, and
 * the list node that links it into a {@link WaitQueueHead}.
 *
 * <p>Not final: where the kernel embeds an entry in a larger struct and finds the struct
 * again with {@code container_of} (epoll's {@code eppoll_entry}), the model extends it.
 */
public class WaitQueueEntry {
    /** Wake-one: a wake-up stops after enough exclusive entries accepted it. */
    public static final int WQ_FLAG_EXCLUSIVE = 0x01;
    /** Set by {@code woken_wake_function}. */
    public static final int WQ_FLAG_WOKEN = 0x02;

    /** {@code flags}. */
    public int flags;
    /** {@code private}: the task to wake, or null. */
    public final Task task;
    /** {@code func}. */
    public final WakeFunction func;
    /** {@code entry}: the node on the wait queue's list; empty while not queued. */
    public final ListHead<WaitQueueEntry> entry = new ListHead<>(this);

    /** An entry for {@code task} woken by {@code func}, with {@code flags}. */
    public WaitQueueEntry(Task task, WakeFunction func, int flags) {
        this.task = task;
        this.func = func;
        this.flags = flags;
    }

    /** {@code init_waitqueue_entry()}: {@code p} woken by {@code default_wake_function}. */
    public static WaitQueueEntry initWaitqueueEntry(Task p) {
        return new WaitQueueEntry(p, WaitQueueEntry::defaultWakeFunction, 0);
    }

    /** {@code init_waitqueue_func_entry()}: a callback with no task, as epoll uses. */
    public static WaitQueueEntry initWaitqueueFuncEntry(WakeFunction func) {
        return new WaitQueueEntry(null, func, 0);
    }

    /** {@code init_wait_entry()} / {@code DEFINE_WAIT}: the current task, removed from the queue when woken. */
    public static WaitQueueEntry initWaitEntry(int flags) {
        return new WaitQueueEntry(Task.current(), WaitQueueEntry::autoremoveWakeFunction, flags);
    }

    /** True when the entry is exclusive. */
    public boolean isExclusive() {
        return (flags & WQ_FLAG_EXCLUSIVE) != 0;
    }

    /** {@code default_wake_function()}: wakes the entry's task; returns what {@code try_to_wake_up} returned. */
    public static int defaultWakeFunction(WaitQueueEntry wqEntry, int mode, int wakeFlags, int key) {
        try (var fn = Ftrace.enter("default_wake_function")) {
            // @exercise L01-E3 default_wake_function: wake the entry's task with try_to_wake_up
            return tryToWakeUp(wqEntry.task, mode, wakeFlags);
            // @end L01-E3
        }
    }

    /**
     * {@code autoremove_wake_function()}: {@code default_wake_function}, and if that woke
     * the task, takes the entry off the queue so the next wake-up does not see it.
     */
    public static int autoremoveWakeFunction(WaitQueueEntry wqEntry, int mode, int wakeFlags, int key) {
        try (var fn = Ftrace.enter("autoremove_wake_function")) {
            // @exercise L01-E3 autoremove_wake_function: default_wake_function, then unlink the entry only if
            //   it woke the task
            int ret = defaultWakeFunction(wqEntry, mode, wakeFlags, key);
            if (ret != 0) {
                wqEntry.entry.delInit();
            }
            return ret;
            // @end L01-E3
        }
    }

    @Override
    public String toString() {
        return (isExclusive() ? "exclusive " : "") + "entry of " + (task == null ? "a callback" : task);
    }
}
