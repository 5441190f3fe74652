package herd.trace;

import herd.sched.Task;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A syscall's entry and exit in the trace, as strace sees them. Arguments known at
 * entry are printed then; the rest (buffers the kernel fills) are formatted at exit
 * from the return value. Both are formatted only while the trace records, as strace
 * costs nothing to a process it is not attached to. Every call is also counted in the
 * task's {@link herd.sched.SyscallStats}, traced or not.
 */
public final class Strace {
    private Strace() {
    }

    /**
     * Runs {@code body} as syscall {@code name} of the current task and records it.
     *
     * @param entryArgs the arguments as strace prints them before the call blocks, e.g. {@code "8, "}
     * @param body      the syscall; returns a result or a negated errno
     * @param exitArgs  the rest of the arguments, formatted from the result
     */
    public static long syscall(String name, Supplier<String> entryArgs, LongSupplier body,
                               LongFunction<String> exitArgs) {
        Task task = Task.current();
        if (task == null) {
            return body.getAsLong();
        }
        task.syscallStats().enter(name, task.wakeups());
        Trace trace = Trace.ofCurrent();
        if (trace != null) {
            trace.record(task, TraceEvent.Kind.SYSCALL_ENTER, name, entryArgs.get(), 0, null);
        }
        long ret = body.getAsLong();
        task.syscallStats().exit(ret, task.wakeups());
        if (trace != null) {
            trace.record(task, TraceEvent.Kind.SYSCALL_EXIT, name, exitArgs.apply(ret), ret, null);
        }
        return ret;
    }

    /** A syscall whose arguments are all known at entry. */
    public static long syscall(String name, Supplier<String> args, LongSupplier body) {
        return syscall(name, args, body, ret -> "");
    }
}
