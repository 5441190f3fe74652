package herd.socket;

import herd.fs.File;
import herd.fs.Process;
import herd.inet.TcpSock;
import herd.uapi.Errno;

/**
 * {@code struct socket} (include/linux/net.h): what a socket file's
 * {@code private_data} points to, between the file and the protocol's sock; with the
 * constants of the socket API.
 */
public final class Socket {
    /** {@code AF_UNSPEC}. */
    public static final int AF_UNSPEC = 0;
    /** {@code AF_INET}. */
    public static final int AF_INET = 2;
    /** {@code SOCK_STREAM}. */
    public static final int SOCK_STREAM = 1;
    /** {@code SOCK_TYPE_MASK}: the type's bits; the rest are flags. */
    public static final int SOCK_TYPE_MASK = 0xf;
    /** {@code SOCK_NONBLOCK}: {@code O_NONBLOCK} on the new file. */
    public static final int SOCK_NONBLOCK = File.O_NONBLOCK;
    /** {@code SOCK_CLOEXEC}: accepted; the model has no exec. */
    public static final int SOCK_CLOEXEC = File.O_CLOEXEC;
    /** {@code IPPROTO_IP}: the default protocol. */
    public static final int IPPROTO_IP = 0;
    /** {@code IPPROTO_TCP}. */
    public static final int IPPROTO_TCP = 6;

    /** {@code SS_UNCONNECTED}. */
    public static final int SS_UNCONNECTED = 1;
    /** {@code SS_CONNECTING}. */
    public static final int SS_CONNECTING = 2;
    /** {@code SS_CONNECTED}. */
    public static final int SS_CONNECTED = 3;
    /** {@code SS_DISCONNECTING}: a disconnect that did not complete. */
    public static final int SS_DISCONNECTING = 4;

    /** {@code SHUT_RD}: no more receptions. */
    public static final int SHUT_RD = 0;
    /** {@code SHUT_WR}: no more transmissions. */
    public static final int SHUT_WR = 1;
    /** {@code SHUT_RDWR}: neither. */
    public static final int SHUT_RDWR = 2;

    /** {@code state}: {@link #SS_UNCONNECTED}, {@link #SS_CONNECTING}, {@link #SS_CONNECTED}. */
    public volatile int state = SS_UNCONNECTED;
    /** {@code type}: {@link #SOCK_STREAM}. */
    public final int type;
    /** {@code sk}: the protocol's side. */
    public volatile TcpSock sk;
    /** {@code file}: the open file the descriptors point to. */
    public volatile File file;

    /** {@code sock_alloc()} of {@code type}. */
    public Socket(int type) {
        this.type = type;
    }

    /** The socket behind an open file, or null when it is not a socket ({@code sock_from_file}). */
    public static Socket sockFromFile(File file) {
        return file.fOp instanceof SocketFile ? (Socket) file.privateData : null;
    }

    /**
     * {@code sockfd_lookup_light()}: the socket behind {@code fd} with a reference on its
     * file (put it with {@code file.fput()}); null with {@code -EBADF} or {@code -ENOTSOCK}
     * in {@code err[0]}.
     */
    public static Socket sockfdLookupLight(int fd, long[] err) {
        File file = Process.current().files.fget(fd);
        if (file == null) {
            err[0] = Errno.EBADF.neg();
            return null;
        }
        Socket sock = sockFromFile(file);
        if (sock == null) {
            file.fput();
            err[0] = Errno.ENOTSOCK.neg();
        }
        return sock;
    }

    @Override
    public String toString() {
        return file == null ? "socket" : file.toString();
    }
}
