package herd.net;

import static herd.fs.Poll.EPOLLOUT;
import static herd.fs.Poll.EPOLLWRBAND;
import static herd.fs.Poll.EPOLLWRNORM;

import herd.fs.File;
import herd.fs.FileOperations;
import herd.fs.PollTable;
import herd.fs.Process;
import herd.trace.Ftrace;
import herd.trace.Strace;
import herd.uapi.Errno;

/**
 * net/unix/af_unix.c, stream sockets made by {@code socketpair(AF_UNIX, SOCK_STREAM)}:
 * a write queues the bytes on the peer and calls the peer's {@code sk_data_ready}
 * ({@code sock_def_readable}: a wake-up keyed {@code EPOLLIN|...}); a read takes bytes
 * and calls the writer's {@code sk_write_space} (a wake-up keyed {@code EPOLLOUT|...});
 * closing one end shuts the other down and wakes it with no key.
 *
 * <p>Not modelled: a send buffer limit (a socket is always writable), socket errors,
 * and {@code SIGPIPE} (a write to a closed peer gives {@code EPIPE} only).
 */
public final class UnixStream implements FileOperations {
    /** {@code AF_UNIX}. */
    public static final int AF_UNIX = 1;
    /** {@code SOCK_STREAM}. */
    public static final int SOCK_STREAM = 1;
    /** {@code SOCK_NONBLOCK}, or-ed into the type. */
    public static final int SOCK_NONBLOCK = File.O_NONBLOCK;
    private static final UnixStream FOPS = new UnixStream();

    /** {@code struct unix_sock}: a stream socket with its peer. */
    public static final class UnixSock extends StreamSock {
        UnixSock peer;

        UnixSock(String name) {
            super(name);
        }
    }

    private UnixStream() {
    }

    /** {@code socketpair(AF_UNIX, SOCK_STREAM[|SOCK_NONBLOCK], 0, sv)}: 0 and two connected descriptors in {@code sv}. */
    public static long socketpair(int domain, int type, int protocol, int[] sv) {
        return Strace.syscall("socketpair", () -> "AF_UNIX, SOCK_STREAM" + ((type & SOCK_NONBLOCK) != 0
                ? "|SOCK_NONBLOCK" : "") + ", " + protocol + ", ", () -> doSocketpair(domain, type, protocol, sv),
                ret -> ret == 0 ? "[" + sv[0] + ", " + sv[1] + "]" : "0x7ffc0000");
    }

    private static long doSocketpair(int domain, int type, int protocol, int[] sv) {
        if (domain != AF_UNIX || (type & ~SOCK_NONBLOCK) != SOCK_STREAM || protocol != 0) {
            throw new IllegalArgumentException("the model's socketpair makes AF_UNIX SOCK_STREAM sockets only");
        }
        if (sv == null || sv.length < 2) {
            return Errno.EFAULT.neg();
        }
        UnixSock a = new UnixSock("unix.sk_wq");
        UnixSock b = new UnixSock("unix.sk_wq");
        a.peer = b;
        b.peer = a;
        int flags = type & SOCK_NONBLOCK;
        long fd0 = Process.current().files.installNew(new File("socket:[unix]", FOPS, a, flags));
        if (fd0 < 0) {
            return fd0;
        }
        long fd1 = Process.current().files.installNew(new File("socket:[unix]", FOPS, b, flags));
        if (fd1 < 0) {
            Process.current().files.closeFd((int) fd0);
            return fd1;
        }
        sv[0] = (int) fd0;
        sv[1] = (int) fd1;
        return 0;
    }

    /** {@code unix_poll()}. */
    @Override
    public int poll(File file, PollTable wait) {
        try (var fn = Ftrace.enter("unix_poll")) {
            return unixPoll(file, wait);
        }
    }

    private static int unixPoll(File file, PollTable wait) {
        UnixSock sk = (UnixSock) file.privateData;
        PollTable.pollWait(file, sk.skWq, wait);
        int mask = sk.pollRead();
        // Always writable (no send buffer limit), also once the peer is gone: "this prevents stuck sockets".
        // Unlike unix_dgram_poll, unix_poll has no poll_requested_events() shortcut.
        return mask | EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
    }

    /** {@code unix_stream_sendmsg()}: queues the bytes on the peer, then the peer's {@code sk_data_ready}. */
    @Override
    public long write(File file, byte[] buf, int count) {
        try (var fn = Ftrace.enter("unix_stream_sendmsg")) {
            return unixStreamSendmsg(file, buf, count);
        }
    }

    private static long unixStreamSendmsg(File file, byte[] buf, int count) {
        UnixSock sk = (UnixSock) file.privateData;
        UnixSock other = sk.peer;
        if ((sk.skShutdown & Sock.SEND_SHUTDOWN) != 0 || !other.queueRcv(buf, count)) {
            return Errno.EPIPE.neg();
        }
        other.skDataReady.accept(other);
        return count;
    }

    /**
     * {@code unix_stream_recvmsg()}: up to {@code count} queued bytes; 0 once the peer
     * closed and nothing is left; {@code -EAGAIN} or a sleep while nothing is queued. Each
     * buffer used up tells its writer there is room ({@code unix_write_space}).
     */
    @Override
    public long read(File file, byte[] buf, int count) {
        try (var fn = Ftrace.enter("unix_stream_recvmsg")) {
            return unixStreamRecvmsg(file, buf, count);
        }
    }

    private static long unixStreamRecvmsg(File file, byte[] buf, int count) {
        UnixSock sk = (UnixSock) file.privateData;
        // Each buffer used up is freed (consume_skb -> sock_wfree), which calls the writer's sk_write_space.
        return sk.recvmsg(file, buf, count, () -> unixWriteSpace(sk.peer));
    }

    /** {@code unix_write_space()}: the writer may write again, wake it with {@code EPOLLOUT|EPOLLWRNORM|EPOLLWRBAND}. */
    private static void unixWriteSpace(UnixSock sk) {
        if (sk.skwqHasSleeper()) {
            sk.skWq.wakeUpInterruptibleSyncPoll(EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
        }
    }

    /** {@code unix_release_sock()}: this end is gone; the peer is shut down both ways and told so. */
    @Override
    public void release(File file) {
        UnixSock sk = (UnixSock) file.privateData;
        UnixSock skpair = sk.peer;
        sk.shutdown(Sock.SHUTDOWN_MASK, true);
        skpair.shutdown(Sock.SHUTDOWN_MASK, false);
        skpair.skStateChange.accept(skpair);
    }
}
