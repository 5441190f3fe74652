package herd.fs;

import herd.trace.Strace;

/**
 * A file on disk, the kind epoll refuses ({@code EPERM}): it has no {@code ->poll}, so
 * poll(2) reports it always readable and writable ({@code DEFAULT_POLLMASK}). Its
 * contents do not matter to the course; reads find the end of the file.
 */
public final class RegularFile implements FileOperations {
    private static final RegularFile FOPS = new RegularFile();

    private RegularFile() {
    }

    /** {@code openat(AT_FDCWD, path, O_RDONLY)}: a new descriptor, or {@code -EMFILE}. */
    public static long open(String path) {
        return open(path, "O_RDONLY");
    }

    /** {@code openat(AT_FDCWD, path, O_WRONLY|O_CREAT|O_APPEND, 0644)}, as a server opens its logs. */
    public static long openLog(String path) {
        return open(path, "O_WRONLY|O_CREAT|O_APPEND, 0644");
    }

    private static long open(String path, String flags) {
        return Strace.syscall("openat", () -> "AT_FDCWD, \"" + path + "\", " + flags,
                () -> Process.current().files.installNew(file(path)));
    }

    /** An open file for {@code path}, one reference held by the caller. */
    static File file(String path) {
        return new File(path, FOPS, null, 0);
    }

    @Override
    public boolean canPoll() {
        return false;
    }

    @Override
    public int poll(File file, PollTable wait) {
        throw new IllegalStateException("BUG: ->poll called on a file without one; use vfs_poll");
    }

    @Override
    public long read(File file, byte[] buf, int count) {
        return 0;
    }
}
