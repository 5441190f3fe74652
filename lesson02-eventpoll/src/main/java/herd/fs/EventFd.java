package herd.fs;

import static herd.fs.Poll.EPOLLERR;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLOUT;

import herd.trace.Ftrace;
import herd.trace.Strace;
import herd.uapi.Errno;
import herd.wait.WaitEvent;
import herd.wait.WaitQueueHead;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * fs/eventfd.c: a file that is a 64-bit counter. A write adds to it and wakes the
 * readers with {@code EPOLLIN}; a read takes the whole count (0 blocks or gives
 * {@code EAGAIN}) and wakes the writers with {@code EPOLLOUT}. The smallest pollable
 * file there is, and the one the epoll selftests use.
 *
 * <p>Not modelled: {@code EFD_SEMAPHORE}, and a blocking write that waits for room (a
 * write that would overflow gives {@code EAGAIN} as a non-blocking one does).
 */
public final class EventFd implements FileOperations {
    /** {@code EFD_NONBLOCK} ({@code O_NONBLOCK}). */
    public static final int EFD_NONBLOCK = File.O_NONBLOCK;
    /** {@code EFD_CLOEXEC} ({@code O_CLOEXEC}). */
    public static final int EFD_CLOEXEC = File.O_CLOEXEC;
    /** {@code ULLONG_MAX}, as a Java long. */
    private static final long ULLONG_MAX = -1L;
    private static final EventFd FOPS = new EventFd();

    /** {@code struct eventfd_ctx}. */
    public static final class Ctx {
        /** {@code wqh}: readers, writers and pollers wait here; its lock guards the count. */
        public final WaitQueueHead wqh = new WaitQueueHead("eventfd.wqh");
        private volatile long count;

        /** The counter, unsigned. */
        public long count() {
            return count;
        }
    }

    private EventFd() {
    }

    /** {@code eventfd2(initval, flags)}: a new descriptor, or {@code -EINVAL}, {@code -EMFILE}. */
    public static long eventfd2(int initval, int flags) {
        return Strace.syscall("eventfd2", () -> Integer.toUnsignedString(initval) + ", " + flagNames(flags),
                () -> {
                    if ((flags & ~(EFD_NONBLOCK | EFD_CLOEXEC)) != 0) {
                        return Errno.EINVAL.neg();
                    }
                    Ctx ctx = new Ctx();
                    ctx.count = Integer.toUnsignedLong(initval);
                    return Process.current().files.installNew(
                            new File("anon_inode:[eventfd]", FOPS, ctx, flags & EFD_NONBLOCK));
                });
    }

    /** The flags as strace prints them ({@code printflags(efd_flags, ...)}, in its order). */
    private static String flagNames(int flags) {
        StringBuilder out = new StringBuilder();
        int rest = flags;
        if ((flags & EFD_CLOEXEC) != 0) {
            out.append("EFD_CLOEXEC");
            rest &= ~EFD_CLOEXEC;
        }
        if ((flags & EFD_NONBLOCK) != 0) {
            out.append(out.length() == 0 ? "" : "|").append("EFD_NONBLOCK");
            rest &= ~EFD_NONBLOCK;
        }
        if (rest != 0) {
            String hex = "0x" + Integer.toHexString(rest);
            out.append(out.length() == 0 ? hex + " /* EFD_??? */" : "|" + hex);
        }
        return out.length() == 0 ? "0" : out.toString();
    }

    /** {@code eventfd_poll()}. */
    @Override
    public int poll(File file, PollTable wait) {
        try (var fn = Ftrace.enter("eventfd_poll")) {
            return eventfdPoll(file, wait);
        }
    }

    private static int eventfdPoll(File file, PollTable wait) {
        Ctx ctx = (Ctx) file.privateData;
        PollTable.pollWait(file, ctx.wqh, wait);
        long count = ctx.count;
        int events = 0;
        if (count != 0) {
            events |= EPOLLIN;
        }
        if (count == ULLONG_MAX) {
            events |= EPOLLERR;
        }
        if (Long.compareUnsigned(ULLONG_MAX - 1, count) > 0) {
            events |= EPOLLOUT;
        }
        return events;
    }

    /** {@code eventfd_read()}: the count as 8 bytes, then 0; {@code -EAGAIN} or a sleep while it is 0. */
    @Override
    public long read(File file, byte[] buf, int count) {
        try (var fn = Ftrace.enter("eventfd_read")) {
            return eventfdRead(file, buf, count);
        }
    }

    private static long eventfdRead(File file, byte[] buf, int count) {
        Ctx ctx = (Ctx) file.privateData;
        if (count < Long.BYTES) {
            return Errno.EINVAL.neg();
        }
        for (;;) {
            ctx.wqh.lock.lock();
            try {
                long ucnt = ctx.count;
                if (ucnt != 0) {
                    ctx.count = 0;
                    ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder()).putLong(0, ucnt);
                    if (ctx.wqh.waitqueueActive()) {
                        ctx.wqh.wakeUpLockedPoll(EPOLLOUT);
                    }
                    return Long.BYTES;
                }
                if (file.nonBlocking()) {
                    return Errno.EAGAIN.neg();
                }
            } finally {
                ctx.wqh.lock.unlock();
            }
            long err = WaitEvent.waitEventInterruptible(ctx.wqh, () -> ctx.count != 0);
            if (err != 0) {
                return err;
            }
        }
    }

    /** {@code eventfd_write()}: adds the 8-byte value and wakes the readers with {@code EPOLLIN}. */
    @Override
    public long write(File file, byte[] buf, int count) {
        try (var fn = Ftrace.enter("eventfd_write")) {
            return eventfdWrite(file, buf, count);
        }
    }

    private static long eventfdWrite(File file, byte[] buf, int count) {
        Ctx ctx = (Ctx) file.privateData;
        if (count < Long.BYTES) {
            return Errno.EINVAL.neg();
        }
        long ucnt = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder()).getLong(0);
        if (ucnt == ULLONG_MAX) {
            return Errno.EINVAL.neg();
        }
        ctx.wqh.lock.lock();
        try {
            if (Long.compareUnsigned(ULLONG_MAX - ctx.count, ucnt) <= 0) {
                return Errno.EAGAIN.neg();
            }
            ctx.count += ucnt;
            if (ctx.wqh.waitqueueActive()) {
                ctx.wqh.wakeUpLockedPoll(EPOLLIN);
            }
            return Long.BYTES;
        } finally {
            ctx.wqh.lock.unlock();
        }
    }

    /**
     * {@code eventfd_signal()}: the kernel's own increment (a driver, io_uring, a timer):
     * adds 1, saturating, and wakes the readers with {@code EPOLLIN}, as a write would.
     */
    public static void eventfdSignal(Ctx ctx) {
        ctx.wqh.lock.lock();
        try {
            if (ctx.count != ULLONG_MAX) {
                ctx.count++;
            }
            if (ctx.wqh.waitqueueActive()) {
                ctx.wqh.wakeUpLockedPoll(EPOLLIN);
            }
        } finally {
            ctx.wqh.lock.unlock();
        }
    }

    /** An 8-byte buffer holding {@code value}, as {@code eventfd_write} takes it. */
    public static byte[] value(long value) {
        byte[] buf = new byte[Long.BYTES];
        ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder()).putLong(0, value);
        return buf;
    }
}
