package herd.fs;

import herd.epoll.EpItem;
import herd.epoll.EventPollFile;
import herd.list.ListHead;
import herd.locking.SpinLock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code struct file} (include/linux/fs.h): an open file description. File descriptors
 * in one or many processes point to it; it goes away when the last reference is put.
 */
public final class File {
    /** {@code O_NONBLOCK}. */
    public static final int O_NONBLOCK = 0x800;
    /** {@code O_CLOEXEC}; the model has no exec, so it is only accepted. */
    public static final int O_CLOEXEC = 0x80000;

    private static final AtomicLong ADDRESSES = new AtomicLong();

    /** Stands for the {@code struct file} pointer: epoll orders its tree by it. */
    public final long address = ADDRESSES.incrementAndGet();
    /** {@code f_op}. */
    public final FileOperations fOp;
    /** {@code private_data}: the object behind the file (an eventpoll, a socket...). */
    public final Object privateData;
    /** {@code f_flags}: {@link #O_NONBLOCK}. */
    public volatile int fFlags;
    /** {@code f_lock}: guards {@link #fEp}. */
    public final SpinLock fLock = new SpinLock();
    /** {@code f_ep}: the items of every epoll that watches this file. */
    public final ListHead<EpItem> fEp = new ListHead<>();
    private final AtomicLong fCount = new AtomicLong(1);
    private final String name;

    /** {@code alloc_file()}: one reference, held by the caller. {@code name} is what strace and reports show. */
    public File(String name, FileOperations fOp, Object privateData, int fFlags) {
        this.name = name;
        this.fOp = fOp;
        this.privateData = privateData;
        this.fFlags = fFlags;
    }

    /** {@code get_file()}: takes a reference. */
    public File getFile() {
        if (fCount.getAndIncrement() <= 0) {
            throw new IllegalStateException("BUG: get_file on a released file " + this);
        }
        return this;
    }

    /**
     * {@code fput()}: drops a reference; the last one releases the file
     * ({@code __fput}): every epoll watching it forgets it, then {@code ->release}.
     */
    public void fput() {
        long left = fCount.decrementAndGet();
        if (left < 0) {
            throw new IllegalStateException("BUG: fput of a released file " + this);
        }
        if (left == 0) {
            EventPollFile.eventpollRelease(this);
            fOp.release(this);
        }
    }

    /** {@code file_count()}. */
    public long fileCount() {
        return fCount.get();
    }

    /** True when reads and writes must not block. */
    public boolean nonBlocking() {
        return (fFlags & O_NONBLOCK) != 0;
    }

    @Override
    public String toString() {
        return name;
    }
}
