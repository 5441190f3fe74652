package herd.course.kit;

import herd.uapi.Errno;

/** Checking syscall results in tests: every lesson's syscalls return a result or a negated errno. */
public final class Syscalls {
    private Syscalls() {
    }

    /** Fails with the errno's name if {@code ret} is an error; returns it otherwise. */
    public static long check(long ret) {
        if (Errno.isError(ret)) {
            throw new AssertionError("syscall failed with " + Errno.of(ret));
        }
        return ret;
    }

    /** The errno of a result by name, or the number for a success: for messages and tables. */
    public static String errno(long ret) {
        return Errno.isError(ret) ? Errno.of(ret).name() : Long.toString(ret);
    }
}
