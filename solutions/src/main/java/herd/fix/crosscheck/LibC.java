package herd.fix.crosscheck;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The Linux system calls the cross-check makes itself, through JNA's direct mapping
 * (JDK 17 has no foreign-function API): the ones Java's sockets do not expose, so that
 * the real kernel's {@code EPOLLEXCLUSIVE} and blocking {@code accept4} can be measured.
 * A failing call throws {@link LastErrorException} with the errno.
 */
final class LibC {
    static final int AF_INET = 2;
    static final int SOCK_STREAM = 1;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_REUSEADDR = 2;
    static final int SHUT_RD = 0;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLLIN = 0x1;
    static final int EPOLLEXCLUSIVE = 1 << 28;
    static final int EAGAIN = 11;
    static final int EINVAL = 22;

    static {
        Native.register("c");
    }

    private LibC() {
    }

    static native int socket(int domain, int type, int protocol) throws LastErrorException;

    static native int setsockopt(int fd, int level, int name, int[] value, int len) throws LastErrorException;

    static native int bind(int fd, byte[] addr, int len) throws LastErrorException;

    static native int listen(int fd, int backlog) throws LastErrorException;

    static native int getsockname(int fd, byte[] addr, int[] len) throws LastErrorException;

    static native int accept4(int fd, Pointer addr, Pointer len, int flags) throws LastErrorException;

    static native int shutdown(int fd, int how) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native int epoll_create1(int flags) throws LastErrorException;

    static native int epoll_ctl(int epfd, int op, int fd, byte[] event) throws LastErrorException;

    static native int epoll_wait(int epfd, byte[] events, int maxevents, int timeout) throws LastErrorException;

    static native int eventfd(int initval, int flags) throws LastErrorException;

    static native long write(int fd, byte[] buf, long count) throws LastErrorException;

    static native long read(int fd, byte[] buf, long count) throws LastErrorException;

    /** {@code sched_setaffinity(0, ...)} pins the calling thread to the CPUs of {@code mask}. */
    static native int sched_setaffinity(int pid, long cpusetsize, long[] mask) throws LastErrorException;
}
