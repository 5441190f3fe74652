package herd.wait;

/**
 * {@code wait_queue_func_t}: what {@code __wake_up_common} calls for each entry it visits.
 *
 * <p>A positive return means the entry accepted the wake-up (it counts against the
 * exclusive budget if the entry is exclusive), zero means it did not, and a negative
 * value stops the walk.
 */
@FunctionalInterface
public interface WakeFunction {
    /**
     * @param wqEntry   the entry being woken
     * @param mode      the task states the waker may wake ({@code TASK_NORMAL}, {@code TASK_INTERRUPTIBLE})
     * @param wakeFlags {@code WF_SYNC} or 0
     * @param key       the poll mask of a poll wake-up ({@code EPOLLIN}...), 0 for none (the kernel's NULL)
     */
    int wake(WaitQueueEntry wqEntry, int mode, int wakeFlags, int key);
}
