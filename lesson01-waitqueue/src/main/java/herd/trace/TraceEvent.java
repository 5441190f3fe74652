package herd.trace;

/**
 * One recorded event: a syscall entry or exit, a kernel function entry or exit, a
 * wake-up, a task going to sleep, a task exit, or a free-form mark.
 *
 * @param time   virtual (or real) nanoseconds of the scheduler's clock
 * @param pid    the task that recorded it (0 for the idle/timer context)
 * @param comm   that task's name
 * @param kind   what happened
 * @param name   syscall or function name, or the event's name
 * @param detail syscall arguments, the sleep state, or the mark's text
 * @param ret    the syscall's return value (exits only)
 * @param peer   the other task of a wake-up ({@code null} otherwise)
 * @param cpu    the CPU it ran on ({@code smp_processor_id()}, ftrace's CPU column): 0 on a one-CPU
 *               scheduler, the virtual CPU on {@code DeterministicScheduler.smp}, -1 on real threads
 */
public record TraceEvent(long time, int pid, String comm, Kind kind, String name, String detail, long ret,
                         String peer, int cpu) {
    /** An event on CPU 0. */
    public TraceEvent(long time, int pid, String comm, Kind kind, String name, String detail, long ret, String peer) {
        this(time, pid, comm, kind, name, detail, ret, peer, 0);
    }

    /** The kinds of event. */
    public enum Kind {
        SYSCALL_ENTER, SYSCALL_EXIT, FUNC_ENTRY, FUNC_EXIT, WAKEUP, SLEEP, EXIT, MARK
    }

    /** The task as ftrace shows it: {@code comm-pid}. */
    public String task() {
        return comm + "-" + pid;
    }
}
