package herd.socket;

import herd.fs.File;
import herd.fs.FilesStruct;
import herd.fs.Process;
import herd.inet.AfInet;
import herd.inet.Net;
import herd.trace.Strace;
import herd.uapi.Errno;

/**
 * The socket syscalls of net/socket.c ({@code __sys_socket}, {@code __sys_bind},
 * {@code __sys_listen}, {@code __sys_connect}, {@code __sys_accept4},
 * {@code __sys_shutdown}, {@code __sys_setsockopt}, {@code __sys_getsockopt}), with their checks in the
 * kernel's order, traced as strace prints them. Each returns a result or a negated
 * {@link Errno}; {@code close} is {@link herd.fs.Vfs#close}.
 */
public final class SocketCalls {
    /** {@code NPROTO}: address families are below it. */
    private static final int NPROTO = 46;
    /** {@code IPPROTO_MAX}: {@code inet_create} rejects a protocol outside [0, 263) with {@code EINVAL}. */
    private static final int IPPROTO_MAX = 263;
    /** {@code SOCK_MAX}: socket types are below it. */
    private static final int SOCK_MAX = 11;
    /** {@code sizeof(struct sockaddr_storage)}: the most {@code move_addr_to_kernel} copies. */
    private static final int SOCKADDR_STORAGE = 128;

    private SocketCalls() {
    }

    // ---- socket ---------------------------------------------------------------------------

    /**
     * {@code socket(family, type, protocol)}: a descriptor for a new TCP socket.
     * {@code -EINVAL} for unknown flags in {@code type} or a type out of range,
     * {@code -EAFNOSUPPORT} for a family other than {@code AF_INET} (the model's only one),
     * {@code -EINVAL} for a protocol out of range,
     * {@code -ESOCKTNOSUPPORT} for a type other than {@code SOCK_STREAM},
     * {@code -EPROTONOSUPPORT} for a protocol other than TCP, {@code -EMFILE}.
     */
    public static long socket(int family, int type, int protocol) {
        return Strace.syscall("socket", () -> familyName(family) + ", " + typeName(type) + ", " + protocolName(protocol),
                () -> sysSocket(family, type, protocol));
    }

    private static long sysSocket(int family, int type, int protocol) {
        int flags = type & ~Socket.SOCK_TYPE_MASK;
        if ((flags & ~(Socket.SOCK_CLOEXEC | Socket.SOCK_NONBLOCK)) != 0) {
            return Errno.EINVAL.neg();
        }
        type &= Socket.SOCK_TYPE_MASK;
        if (family < 0 || family >= NPROTO) {
            return Errno.EAFNOSUPPORT.neg();
        }
        if (type >= SOCK_MAX) {
            return Errno.EINVAL.neg();
        }
        if (family != Socket.AF_INET) {
            return Errno.EAFNOSUPPORT.neg();
        }
        if (protocol < 0 || protocol >= IPPROTO_MAX) { // inet_create's first check
            return Errno.EINVAL.neg();
        }
        if (type != Socket.SOCK_STREAM) {
            return Errno.ESOCKTNOSUPPORT.neg();
        }
        if (protocol != Socket.IPPROTO_IP && protocol != Socket.IPPROTO_TCP) {
            return Errno.EPROTONOSUPPORT.neg();
        }
        Socket sock = new Socket(type);
        AfInet.inetCreate(sock);
        return sockMapFd(sock, flags);
    }

    /** {@code sock_map_fd()}: the socket's file and the lowest free descriptor for it. */
    private static long sockMapFd(Socket sock, int flags) {
        sock.file = new File("socket:[tcp]", SocketFile.FOPS, sock, flags & Socket.SOCK_NONBLOCK);
        return Process.current().files.installNew(sock.file);
    }

    // ---- bind, listen ---------------------------------------------------------------------

    /** {@code bind(fd, addr, addrlen)}: {@code -EBADF}, {@code -ENOTSOCK}, then the address checks, then {@code inet_bind}. */
    public static long bind(int fd, SockaddrIn addr, int addrlen) {
        return Strace.syscall("bind", () -> fd + ", " + shown(addr) + ", " + addrlen, () -> {
            long[] err = {0};
            Socket sock = Socket.sockfdLookupLight(fd, err);
            if (sock == null) {
                return err[0];
            }
            try {
                long ret = moveAddrToKernel(addr, addrlen);
                return ret != 0 ? ret : AfInet.inetBind(sock, addr, addrlen);
            } finally {
                sock.file.fput();
            }
        });
    }

    /** {@code move_addr_to_kernel()}: {@code -EINVAL} for a length outside [0, 128], {@code -EFAULT} for no address. */
    private static long moveAddrToKernel(SockaddrIn addr, int addrlen) {
        if (addrlen < 0 || addrlen > SOCKADDR_STORAGE) {
            return Errno.EINVAL.neg();
        }
        return addr == null && addrlen > 0 ? Errno.EFAULT.neg() : 0;
    }

    /**
     * {@code listen(fd, backlog)}: the backlog capped at {@code net.core.somaxconn}, then
     * {@code inet_listen}.
     */
    public static long listen(int fd, int backlog) {
        return Strace.syscall("listen", () -> fd + ", " + backlog, () -> {
            long[] err = {0};
            Socket sock = Socket.sockfdLookupLight(fd, err);
            if (sock == null) {
                return err[0];
            }
            try {
                return AfInet.inetListen(sock, cappedBacklog(backlog, Net.current().somaxconn));
            } finally {
                sock.file.fput();
            }
        });
    }

    /** The cap {@code __sys_listen} applies: compared as unsigned, so a negative backlog becomes somaxconn too. */
    static int cappedBacklog(int backlog, int somaxconn) {
        // >>> L03-E1
        // __sys_listen: a backlog above net.core.somaxconn, compared as UNSIGNED (a negative one
        // too), becomes somaxconn
        throw herd.course.Todo.exercise("L03-E1", "__sys_listen: a backlog above net.core.somaxconn, compared as UNSIGNED (a negative one too), becomes somaxconn");
        // <<< L03-E1
    }

    // ---- connect, accept4 -----------------------------------------------------------------

    /**
     * {@code connect(fd, addr, addrlen)}: {@code -EBADF}, the address checks,
     * {@code -ENOTSOCK}, then {@code inet_stream_connect} with the file's {@code O_NONBLOCK}.
     */
    public static long connect(int fd, SockaddrIn addr, int addrlen) {
        return Strace.syscall("connect", () -> fd + ", " + shown(addr) + ", " + addrlen, () -> {
            File file = Process.current().files.fget(fd);
            if (file == null) {
                return Errno.EBADF.neg();
            }
            try {
                long ret = moveAddrToKernel(addr, addrlen);
                if (ret != 0) {
                    return ret;
                }
                Socket sock = Socket.sockFromFile(file);
                if (sock == null) {
                    return Errno.ENOTSOCK.neg();
                }
                return Errno.toUser(AfInet.inetStreamConnect(sock, addr, addrlen, file.fFlags));
            } finally {
                file.fput();
            }
        });
    }

    /**
     * {@code accept4(fd, upeer_sockaddr, upeer_addrlen, flags)}: a descriptor for the next
     * connection, whose address goes to {@code upeerSockaddr[0]} and length to
     * {@code upeerAddrlen[0]} (both may be null). In the order of Linux 5.15 and later:
     * {@code -EBADF}, {@code -EINVAL} for flags other than {@code SOCK_NONBLOCK|SOCK_CLOEXEC},
     * {@code -EMFILE}, {@code -ENOTSOCK}; then {@code inet_accept}, which blocks unless the
     * LISTENING file is {@code O_NONBLOCK} ({@code SOCK_NONBLOCK} is for the new file):
     * {@code -EAGAIN}, {@code -EINVAL}, {@code -EINTR}. The descriptor is reserved before the
     * wait and freed on failure.
     */
    public static long accept4(int fd, SockaddrIn[] upeerSockaddr, int[] upeerAddrlen, int flags) {
        int inLen = upeerAddrlen == null ? 0 : upeerAddrlen[0];
        return Strace.syscall("accept4", () -> fd + ", ", () -> Errno.toUser(sysAccept4(fd, upeerSockaddr, upeerAddrlen, flags)),
                ret -> (upeerSockaddr == null ? "NULL" : ret >= 0 ? String.valueOf(upeerSockaddr[0]) : "0x7ffc0000")
                        + ", " + (upeerAddrlen == null ? "NULL" : ret >= 0 ? "[" + inLen + " => " + upeerAddrlen[0] + "]"
                        : "[" + inLen + "]") + ", " + acceptFlagsName(flags));
    }

    /**
     * {@code __sys_accept4()}: the descriptor is resolved first ({@code -EBADF}), everything
     * else is {@code __sys_accept4_file}'s. (Up to Linux 5.4 the flags were checked before
     * the descriptor: {@code accept4(-1, ..., 1)} was {@code -EINVAL}, now {@code -EBADF}.)
     */
    private static long sysAccept4(int fd, SockaddrIn[] upeerSockaddr, int[] upeerAddrlen, int flags) {
        File file = Process.current().files.fget(fd);
        if (file == null) {
            return Errno.EBADF.neg();
        }
        try {
            return sysAccept4File(file, upeerSockaddr, upeerAddrlen, flags);
        } finally {
            file.fput();
        }
    }

    /**
     * {@code __sys_accept4_file()}: {@code -EINVAL} for unknown flags, then the new
     * descriptor is reserved ({@code -EMFILE}) before {@code do_accept} even looks at the
     * socket (since 5.15, "net: add accept helper not installing fd"), and installed only
     * when {@code do_accept} succeeded.
     */
    private static long sysAccept4File(File file, SockaddrIn[] upeerSockaddr, int[] upeerAddrlen, int flags) {
        if ((flags & ~(Socket.SOCK_CLOEXEC | Socket.SOCK_NONBLOCK)) != 0) {
            return Errno.EINVAL.neg();
        }
        FilesStruct files = Process.current().files;
        int newfd = files.getUnusedFd();
        if (newfd < 0) {
            return newfd;
        }
        long[] err = {0};
        File newfile = doAccept(file, upeerSockaddr, upeerAddrlen, flags, err);
        if (newfile == null) {
            files.putUnusedFd(newfd);
            return err[0];
        }
        files.fdInstall(newfd, newfile);
        return newfd;
    }

    /**
     * {@code do_accept()}: {@code -ENOTSOCK} for a file that is not a socket; a new socket
     * and its file; {@code inet_accept} with the listening file's flags; the peer's address.
     * The new file, or null with the error in {@code err[0]} (the new file is put).
     */
    private static File doAccept(File file, SockaddrIn[] upeerSockaddr, int[] upeerAddrlen, int flags, long[] err) {
        Socket sock = Socket.sockFromFile(file);
        if (sock == null) {
            err[0] = Errno.ENOTSOCK.neg();
            return null;
        }
        Socket newsock = new Socket(sock.type);
        File newfile = new File("socket:[tcp]", SocketFile.FOPS, newsock, flags & Socket.SOCK_NONBLOCK);
        newsock.file = newfile;
        long ret = AfInet.inetAccept(sock, newsock, sock.file.fFlags);
        if (ret == 0 && upeerSockaddr != null) {
            ret = moveAddrToUser(AfInet.inetGetname(newsock, true), upeerSockaddr, upeerAddrlen);
        }
        if (ret != 0) {
            newfile.fput();
            err[0] = ret;
            return null;
        }
        return newfile;
    }

    // ---- shutdown -----------------------------------------------------------------------------

    /**
     * {@code shutdown(fd, how)} ({@code __sys_shutdown}): {@code -EBADF}, {@code -ENOTSOCK},
     * then {@code inet_shutdown}: {@code -EINVAL} for a {@code how} other than
     * {@code SHUT_RD}, {@code SHUT_WR}, {@code SHUT_RDWR}; {@code -ENOTCONN} on a closed
     * socket. On a listener, {@code SHUT_RD} (or {@code SHUT_RDWR}) stops it listening and
     * wakes every task blocked in {@code accept()}.
     */
    public static long shutdown(int fd, int how) {
        return Strace.syscall("shutdown", () -> fd + ", " + shutdownHowName(how), () -> {
            long[] err = {0};
            Socket sock = Socket.sockfdLookupLight(fd, err);
            if (sock == null) {
                return err[0];
            }
            try {
                return AfInet.inetShutdown(sock, how);
            } finally {
                sock.file.fput();
            }
        });
    }

    /** {@code move_addr_to_user()}: {@code -EFAULT} without a length, {@code -EINVAL} for a negative one. */
    private static long moveAddrToUser(SockaddrIn addr, SockaddrIn[] uaddr, int[] ulen) {
        if (ulen == null) {
            return Errno.EFAULT.neg();
        }
        if (ulen[0] < 0) {
            return Errno.EINVAL.neg();
        }
        if (ulen[0] > 0) {
            uaddr[0] = addr;
        }
        ulen[0] = SockaddrIn.SIZE;
        return 0;
    }

    // ---- options ----------------------------------------------------------------------------

    /** {@code setsockopt(fd, SOL_SOCKET, optname, [val], 4)}: see {@link SockOptions}. */
    public static long setsockopt(int fd, int level, int optname, int val) {
        return setsockopt(fd, level, optname, (Object) val);
    }

    /** {@code setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, {tv_sec, tv_usec}, 16)}: see {@link SockOptions}. */
    public static long setsockopt(int fd, int level, int optname, Timeval tv) {
        return setsockopt(fd, level, optname, (Object) tv);
    }

    private static long setsockopt(int fd, int level, int optname, Object value) {
        requireSolSocket(level);
        String shown = value instanceof Timeval ? value.toString() : "[" + value + "]";
        return Strace.syscall("setsockopt", () -> fd + ", SOL_SOCKET, " + SockOptions.name(optname) + ", " + shown + ", "
                + SockOptions.sizeOf(value), () -> {
                    long[] err = {0};
                    Socket sock = Socket.sockfdLookupLight(fd, err);
                    if (sock == null) {
                        return err[0];
                    }
                    try {
                        return value instanceof Timeval tv ? SockOptions.sockSetsockopt(sock.sk, optname, tv)
                                : SockOptions.sockSetsockopt(sock.sk, optname, (Integer) value);
                    } finally {
                        sock.file.fput();
                    }
                });
    }

    /** {@code getsockopt(fd, SOL_SOCKET, optname, optval, optlen)} of an int option: see {@link SockOptions}. */
    public static long getsockopt(int fd, int level, int optname, int[] optval, int[] optlen) {
        requireSolSocket(level);
        return Strace.syscall("getsockopt", () -> fd + ", SOL_SOCKET, " + SockOptions.name(optname) + ", ", () -> {
            long[] err = {0};
            Socket sock = Socket.sockfdLookupLight(fd, err);
            if (sock == null) {
                return err[0];
            }
            try {
                return SockOptions.sockGetsockopt(sock.sk, optname, optval, optlen);
            } finally {
                sock.file.fput();
            }
        }, ret -> ret == 0 ? "[" + optval[0] + "], [" + optlen[0] + "]" : "0x7ffc0000, 0x7ffc0004");
    }

    private static void requireSolSocket(int level) {
        if (level != SockOptions.SOL_SOCKET) {
            throw new IllegalArgumentException("the model has SOL_SOCKET options only, not level " + level);
        }
    }

    // ---- strace names -------------------------------------------------------------------------

    /** An address argument as strace prints it: {@code NULL} for none. */
    private static String shown(SockaddrIn addr) {
        return addr == null ? "NULL" : addr.toString();
    }

    private static String familyName(int family) {
        return family == Socket.AF_INET ? "AF_INET" : family == Socket.AF_UNSPEC ? "AF_UNSPEC" : Integer.toString(family);
    }

    private static String typeName(int type) {
        int base = type & Socket.SOCK_TYPE_MASK;
        String name = base == Socket.SOCK_STREAM ? "SOCK_STREAM" : Integer.toString(base);
        return name + flagNames(type & ~Socket.SOCK_TYPE_MASK, "|");
    }

    private static String protocolName(int protocol) {
        return protocol == Socket.IPPROTO_IP ? "IPPROTO_IP" : protocol == Socket.IPPROTO_TCP ? "IPPROTO_TCP"
                : Integer.toString(protocol);
    }

    private static String shutdownHowName(int how) {
        return switch (how) {
            case Socket.SHUT_RD -> "SHUT_RD";
            case Socket.SHUT_WR -> "SHUT_WR";
            case Socket.SHUT_RDWR -> "SHUT_RDWR";
            default -> Integer.toString(how);
        };
    }

    private static String acceptFlagsName(int flags) {
        String names = flagNames(flags, "|");
        return names.isEmpty() ? "0" : names.substring(1);
    }

    private static String flagNames(int flags, String sep) {
        StringBuilder out = new StringBuilder();
        if ((flags & Socket.SOCK_CLOEXEC) != 0) {
            out.append(sep).append("SOCK_CLOEXEC");
        }
        if ((flags & Socket.SOCK_NONBLOCK) != 0) {
            out.append(sep).append("SOCK_NONBLOCK");
        }
        int rest = flags & ~(Socket.SOCK_CLOEXEC | Socket.SOCK_NONBLOCK);
        if (rest != 0) {
            out.append(sep).append("0x").append(Integer.toHexString(rest));
        }
        return out.toString();
    }
}
