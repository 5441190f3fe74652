package herd.fs;

import herd.locking.SpinLock;
import herd.uapi.Errno;
import java.util.BitSet;

/**
 * {@code struct files_struct} (include/linux/fdtable.h, fs/file.c): a process's file
 * descriptor table. A descriptor is an index into it; each slot holds one reference
 * to an open {@link File}. New descriptors take the lowest free number.
 */
public final class FilesStruct {
    /** {@code RLIMIT_NOFILE}'s usual soft limit: descriptors are below it. */
    public static final int NR_OPEN_DEFAULT = 1024;

    private final SpinLock fileLock = new SpinLock();
    private final File[] fd;
    private final BitSet openFds = new BitSet();

    /** An empty table with room for {@code max} descriptors. */
    public FilesStruct(int max) {
        this.fd = new File[max];
    }

    /** {@code get_unused_fd_flags()}: reserves the lowest free descriptor, or returns {@code -EMFILE}. */
    public int getUnusedFd() {
        fileLock.lock();
        try {
            int free = openFds.nextClearBit(0);
            if (free >= fd.length) {
                return (int) Errno.EMFILE.neg();
            }
            openFds.set(free);
            return free;
        } finally {
            fileLock.unlock();
        }
    }

    /** {@code put_unused_fd()}: gives back a reserved descriptor that was never installed. */
    public void putUnusedFd(int n) {
        fileLock.lock();
        try {
            openFds.clear(n);
        } finally {
            fileLock.unlock();
        }
    }

    /** {@code fd_install()}: the reserved descriptor {@code n} now holds the caller's reference to {@code file}. */
    public void fdInstall(int n, File file) {
        fileLock.lock();
        try {
            if (!openFds.get(n) || fd[n] != null) {
                throw new IllegalStateException("BUG: fd_install on fd " + n + ", which is not reserved");
            }
            fd[n] = file;
        } finally {
            fileLock.unlock();
        }
    }

    /** Reserves a descriptor and installs {@code file} in it; on {@code -EMFILE} the caller's reference is put. */
    public int installNew(File file) {
        int n = getUnusedFd();
        if (n < 0) {
            file.fput();
            return n;
        }
        fdInstall(n, file);
        return n;
    }

    /** {@code fget()}: a new reference to the file behind {@code n}, or null if {@code n} is not open. */
    public File fget(int n) {
        fileLock.lock();
        try {
            File file = n >= 0 && n < fd.length ? fd[n] : null;
            return file == null ? null : file.getFile();
        } finally {
            fileLock.unlock();
        }
    }

    /** {@code close_fd()}: frees descriptor {@code n} and puts its reference; {@code -EBADF} if it is not open. */
    public long closeFd(int n) {
        File file;
        fileLock.lock();
        try {
            file = n >= 0 && n < fd.length ? fd[n] : null;
            if (file == null) {
                return Errno.EBADF.neg();
            }
            fd[n] = null;
            openFds.clear(n);
        } finally {
            fileLock.unlock();
        }
        file.fput();
        return 0;
    }

    /** {@code dup()}: the lowest free descriptor, sharing the open file of {@code oldfd}. */
    public long dup(int oldfd) {
        File file = fget(oldfd);
        if (file == null) {
            return Errno.EBADF.neg();
        }
        return installNew(file);
    }

    /** {@code dup_fd()}, for fork: a copy of the table whose descriptors share the same open files. */
    public FilesStruct dupFd() {
        FilesStruct copy = new FilesStruct(fd.length);
        fileLock.lock();
        try {
            for (int n = 0; n < fd.length; n++) {
                if (fd[n] != null) {
                    copy.fd[n] = fd[n].getFile();
                    copy.openFds.set(n);
                }
            }
        } finally {
            fileLock.unlock();
        }
        return copy;
    }

    /** {@code close_files()}, when the process exits: puts every open descriptor. */
    public void closeFiles() {
        for (int n = openFds.nextSetBit(0); n >= 0; n = openFds.nextSetBit(n + 1)) {
            closeFd(n);
        }
    }

    /** The open descriptors, lowest first. */
    public int[] openFds() {
        fileLock.lock();
        try {
            return openFds.stream().filter(n -> fd[n] != null).toArray();
        } finally {
            fileLock.unlock();
        }
    }
}
