package herd.trace;

import herd.uapi.Errno;
import java.util.List;

/**
 * Renders the syscalls of a trace as {@code strace -f} prints them: one line per call,
 * {@code <unfinished ...>} and {@code <... resumed>} when another task's syscall comes
 * between a call's entry and its exit, and errors as {@code = -1 EAGAIN (...)}.
 */
public final class StraceFormat {
    private StraceFormat() {
    }

    /** The strace lines of {@code events}. */
    public static String render(List<TraceEvent> events) {
        StringBuilder out = new StringBuilder();
        int open = -1;
        for (TraceEvent e : events) {
            if (e.kind() == TraceEvent.Kind.SYSCALL_ENTER) {
                if (open >= 0) {
                    out.append(" <unfinished ...>\n");
                }
                out.append(prefix(e)).append(e.name()).append('(').append(e.detail());
                open = e.pid();
            } else if (e.kind() == TraceEvent.Kind.SYSCALL_EXIT) {
                if (open != e.pid()) {
                    if (open >= 0) {
                        out.append(" <unfinished ...>\n");
                    }
                    out.append(prefix(e)).append("<... ").append(e.name()).append(" resumed>");
                }
                out.append(e.detail()).append(") = ").append(result(e.ret())).append('\n');
                open = -1;
            }
        }
        if (open >= 0) {
            out.append(" <unfinished ...>\n");
        }
        return out.toString();
    }

    private static String prefix(TraceEvent e) {
        return String.format("[pid %5d] ", e.pid());
    }

    /** A return value as strace shows it. */
    static String result(long ret) {
        if (!Errno.isError(ret)) {
            return Long.toString(ret);
        }
        Errno errno = Errno.of(ret);
        String value = errno == Errno.ERESTARTSYS ? "?" : "-1";
        return value + " " + errno.name() + " (" + errno.message() + ")";
    }
}
