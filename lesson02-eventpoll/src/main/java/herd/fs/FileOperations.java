package herd.fs;

import herd.uapi.Errno;

/**
 * {@code struct file_operations} (include/linux/fs.h): what a kind of file does. The
 * methods the course needs are here; one a file type lacks behaves as the kernel's
 * NULL pointer does.
 */
public interface FileOperations {
    /**
     * {@code ->poll}: registers the caller on the file's wait queues through
     * {@link PollTable#pollWait} and returns the events that are ready now.
     */
    int poll(File file, PollTable wait);

    /** {@code file_can_poll()}: false for a file without {@code ->poll} (a regular file). */
    default boolean canPoll() {
        return true;
    }

    /** {@code ->read}: bytes read into {@code buf}, 0 at end of file, or a negated errno. */
    default long read(File file, byte[] buf, int count) {
        return Errno.EINVAL.neg();
    }

    /** {@code ->write}: bytes written from {@code buf}, or a negated errno. */
    default long write(File file, byte[] buf, int count) {
        return Errno.EINVAL.neg();
    }

    /** {@code ->release}: the last reference to the file is gone. */
    default void release(File file) {
    }
}
