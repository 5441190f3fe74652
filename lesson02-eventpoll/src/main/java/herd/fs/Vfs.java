package herd.fs;

import herd.trace.Strace;
import herd.uapi.Errno;

/**
 * The file syscalls every kind of file shares: {@code close} (fs/open.c), {@code dup}
 * (fs/file.c), {@code read} and {@code write} (fs/read_write.c), and the {@code FIONBIO}
 * ioctl (fs/ioctl.c). Each acts on the current process's descriptor table and returns
 * what the kernel ABI returns: a result or a negated {@link Errno}.
 */
public final class Vfs {
    private Vfs() {
    }

    /** {@code close(fd)}: 0, or {@code -EBADF}. The open file lives on while another descriptor refers to it. */
    public static long close(int fd) {
        return Strace.syscall("close", () -> Integer.toString(fd), () -> Process.current().files.closeFd(fd));
    }

    /** {@code dup(oldfd)}: the lowest free descriptor, sharing the open file; {@code -EBADF}, {@code -EMFILE}. */
    public static long dup(int oldfd) {
        return Strace.syscall("dup", () -> Integer.toString(oldfd), () -> Process.current().files.dup(oldfd));
    }

    /** {@code read(fd, buf, count)}: bytes read, 0 at end of file, or {@code -EBADF}, {@code -EAGAIN}... */
    public static long read(int fd, byte[] buf, int count) {
        return Strace.syscall("read", () -> fd + ", ", () -> rw(fd, buf, count, true),
                ret -> quote(buf, ret) + ", " + count);
    }

    /** {@code write(fd, buf, count)}: bytes written, or {@code -EBADF}, {@code -EPIPE}... */
    public static long write(int fd, byte[] buf, int count) {
        return Strace.syscall("write", () -> fd + ", " + quote(buf, count) + ", " + count, () -> rw(fd, buf, count, false));
    }

    /** {@code FIONBIO}, the ioctl that sets or clears {@code O_NONBLOCK}. */
    public static final int FIONBIO = 0x5421;

    /** {@code ioctl(fd, FIONBIO, [on])}: sets ({@code on != 0}) or clears the file's {@code O_NONBLOCK}; 0 or {@code -EBADF}. */
    public static long ioctlFionbio(int fd, int on) {
        return Strace.syscall("ioctl", () -> fd + ", FIONBIO, [" + on + "]", () -> {
            File file = Process.current().files.fget(fd);
            if (file == null) {
                return Errno.EBADF.neg();
            }
            try {
                file.fLock.lock();
                try {
                    file.fFlags = on != 0 ? file.fFlags | File.O_NONBLOCK : file.fFlags & ~File.O_NONBLOCK;
                } finally {
                    file.fLock.unlock();
                }
                return 0;
            } finally {
                file.fput();
            }
        });
    }

    private static long rw(int fd, byte[] buf, int count, boolean read) {
        if (count < 0 || buf == null || count > buf.length) {
            return Errno.EFAULT.neg();
        }
        File file = Process.current().files.fget(fd);
        if (file == null) {
            return Errno.EBADF.neg();
        }
        try {
            return Errno.toUser(read ? file.fOp.read(file, buf, count) : file.fOp.write(file, buf, count));
        } finally {
            file.fput();
        }
    }

    /**
     * A buffer as strace prints it ({@code printstr}, {@code string_quote}): the first 32
     * bytes in quotes, C escapes, other bytes in octal ({@code \ooo} in full when an octal
     * digit follows), {@code ...} when cut; the address when the buffer cannot be read.
     */
    static String quote(byte[] buf, long len) {
        if (buf == null) {
            return "NULL";
        }
        if (len < 0 || len > buf.length) {
            return "0x7ffc0000";
        }
        StringBuilder out = new StringBuilder("\"");
        int shown = (int) Math.min(len, 32);
        for (int i = 0; i < shown; i++) {
            int c = buf[i] & 0xff;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 0x0b -> out.append("\\v");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        out.append((char) c);
                    } else {
                        boolean octalDigitFollows = i + 1 < shown && buf[i + 1] >= '0' && buf[i + 1] <= '7';
                        out.append('\\').append(octalDigitFollows ? String.format("%03o", c)
                                : Integer.toOctalString(c));
                    }
                }
            }
        }
        return out.append(len > shown ? "\"..." : "\"").toString();
    }
}
