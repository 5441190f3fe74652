package herd.socket;

import herd.fs.File;
import herd.fs.FileOperations;
import herd.fs.PollTable;
import herd.inet.AfInet;
import herd.inet.Tcp;
import herd.trace.Ftrace;

/**
 * {@code socket_file_ops} (net/socket.c): a socket as a file. Each call goes to the
 * protocol: {@code sock_poll} to {@code tcp_poll}, reads and writes to
 * {@code tcp_recvmsg} and {@code tcp_sendmsg}, the last close to {@code inet_release}.
 */
public final class SocketFile implements FileOperations {
    /** The one instance, shared by every socket file. */
    public static final SocketFile FOPS = new SocketFile();

    private SocketFile() {
    }

    private static Socket sock(File file) {
        return (Socket) file.privateData;
    }

    /** {@code sock_poll()}. */
    @Override
    public int poll(File file, PollTable wait) {
        try (var fn = Ftrace.enter("sock_poll")) {
            return Tcp.tcpPoll(file, sock(file).sk, wait);
        }
    }

    /** {@code sock_read_iter()}. */
    @Override
    public long read(File file, byte[] buf, int count) {
        return Tcp.tcpRecvmsg(file, sock(file).sk, buf, count);
    }

    /** {@code sock_write_iter()}. */
    @Override
    public long write(File file, byte[] buf, int count) {
        return Tcp.tcpSendmsg(file, sock(file).sk, buf, count);
    }

    /** {@code sock_close()}. */
    @Override
    public void release(File file) {
        AfInet.inetRelease(sock(file));
    }
}
