package herd.fix.crosscheck;

import herd.sched.CpuCosts;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.LongStream;

/**
 * Measures on this machine's kernel what {@link CpuCosts} says the model's CPUs spend, and
 * prints it beside the costs the model uses ({@link CpuCosts#MEASURED}, calibrated once):
 *
 * <ul>
 * <li>a system call: an {@code epoll_wait} on an empty epoll with timeout 0, through JNA
 *     like the cross-check's servers;
 * <li>a kernel function: an eventfd {@code write()} that wakes a sleeping reader, less one
 *     system call, divided by the {@value #WAKE_FUNCTIONS} functions of a wake-up the model
 *     traces ({@code __wake_up}, {@code __wake_up_common}, the wake function,
 *     {@code try_to_wake_up}): the wake path, which the herd's cost is made of;
 * <li>a context switch: two threads pinned to CPU 0 passing a token through two eventfds,
 *     half a round trip less the two system calls of each half;
 * <li>an idle CPU's wake-up: a running thread writes an eventfd that another thread sleeps
 *     reading, 1 ms apart, so that the kernel puts the reader on the idle CPU; the deciles
 *     (5th to 95th percentile) of the time until the reader runs, less one system call.
 * </ul>
 *
 * Medians of many rounds; still noisy on a loaded machine, so run it on a quiet one. Linux only.
 */
public final class Calibration {
    private static final int ROUNDS = 2_000;
    /** The traced functions of one wake-up in the model: __wake_up, __wake_up_common, the wake function, try_to_wake_up. */
    static final int WAKE_FUNCTIONS = 4;
    /** {@code EFD_SEMAPHORE}: each read takes one write, even when writes came faster than the reads. */
    private static final int EFD_SEMAPHORE = 1;

    private Calibration() {
    }

    /** Prints the measured costs and the model's. */
    public static void main(String[] args) throws Exception {
        long syscall = syscall();
        long contextSwitch = contextSwitch(syscall);
        long[] wakingWrite = new long[1];
        List<Long> idle = idleWakeups(syscall, wakingWrite);
        long function = Math.max(1, (wakingWrite[0] - syscall) / WAKE_FUNCTIONS);
        CpuCosts model = CpuCosts.MEASURED;
        System.out.printf(Locale.ROOT, "| cost | measured here | the model's (CpuCosts.MEASURED) |%n|---|---:|---:|%n");
        System.out.printf(Locale.ROOT, "| system call (ns) | %d | %d |%n", syscall, model.syscall());
        System.out.printf(Locale.ROOT, "| write() that wakes a sleeping reader (ns) | %d | |%n", wakingWrite[0]);
        System.out.printf(Locale.ROOT, "| kernel function (ns) | %d | %d |%n", function, model.function());
        System.out.printf(Locale.ROOT, "| context switch (ns) | %d | %d |%n", contextSwitch, model.contextSwitch());
        System.out.printf(Locale.ROOT, "| idle CPU wake-up, deciles (ns) | %s | %s |%n", idle, model.idleWakeups());
        System.out.printf(Locale.ROOT, "%nnew CpuCosts(%d, %d, %d, List.of(%s), %d)%n", function, syscall,
                contextSwitch, String.join(", ", idle.stream().map(v -> v + "L").toList()), model.baseSlice());
    }

    /** Nanoseconds per {@code epoll_wait(ep, .., 1, 0)} on an empty epoll: the median of rounds of 100. */
    static long syscall() {
        int ep = LibC.epoll_create1(0);
        try {
            byte[] events = new byte[Sockaddr.EVENT_SIZE];
            long[] rounds = new long[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                long t = System.nanoTime();
                for (int i = 0; i < 100; i++) {
                    LibC.epoll_wait(ep, events, 1, 0);
                }
                rounds[r] = (System.nanoTime() - t) / 100;
            }
            return median(rounds);
        } finally {
            LibC.close(ep);
        }
    }

    /** Half a round trip of a token between two threads on CPU 0, less its two system calls. */
    static long contextSwitch(long syscall) throws InterruptedException {
        int ping = LibC.eventfd(0, 0);
        int pong = LibC.eventfd(0, 0);
        try {
            Thread echo = new Thread(() -> {
                pin(0);
                for (int r = 0; r < ROUNDS; r++) {
                    take(ping);
                    give(pong);
                }
            });
            echo.start();
            long[] halves = new long[ROUNDS];
            Thread main = new Thread(() -> {
                pin(0);
                for (int r = 0; r < ROUNDS; r++) {
                    long t = System.nanoTime();
                    give(ping);
                    take(pong);
                    halves[r] = (System.nanoTime() - t) / 2 - 2 * syscall;
                }
            });
            main.start();
            main.join();
            echo.join();
            return Math.max(0, median(halves));
        } finally {
            LibC.close(ping);
            LibC.close(pong);
        }
    }

    /**
     * The deciles of the wake-up of a reader sleeping on an eventfd by a writer that runs,
     * 1 ms apart (the writer spins meanwhile, so that only the reader's CPU goes idle): the
     * kernel places the reader on the idle CPU, as it places the herd's first woken worker.
     * The median time of those writes goes into {@code wakingWrite[0]}.
     */
    static List<Long> idleWakeups(long syscall, long[] wakingWrite) throws InterruptedException {
        if (Runtime.getRuntime().availableProcessors() < 2) {
            return List.of();
        }
        int fd = LibC.eventfd(0, EFD_SEMAPHORE);
        int rounds = ROUNDS / 4;
        long[] sent = new long[rounds];
        long[] written = new long[rounds];
        long[] woken = new long[rounds];
        try {
            Thread reader = new Thread(() -> {
                for (int r = 0; r < rounds; r++) {
                    take(fd);
                    woken[r] = System.nanoTime();
                }
            });
            reader.start();
            Thread writer = new Thread(() -> {
                for (int r = 0; r < rounds; r++) {
                    long until = System.nanoTime() + 1_000_000;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    sent[r] = System.nanoTime();
                    give(fd);
                    written[r] = System.nanoTime() - sent[r];
                }
            });
            writer.start();
            writer.join();
            reader.join();
            long[] latency = new long[rounds];
            for (int r = 0; r < rounds; r++) {
                latency[r] = Math.max(0, woken[r] - sent[r] - syscall);
            }
            Arrays.sort(latency);
            wakingWrite[0] = median(written);
            return LongStream.range(0, 10).map(d -> latency[(int) ((d * 10 + 5) * rounds / 100)]).boxed().toList();
        } finally {
            LibC.close(fd);
        }
    }

    private static void pin(int cpu) {
        LibC.sched_setaffinity(0, Long.BYTES, new long[] {1L << cpu});
    }

    private static void give(int fd) {
        LibC.write(fd, new byte[] {1, 0, 0, 0, 0, 0, 0, 0}, 8);
    }

    private static void take(int fd) {
        LibC.read(fd, new byte[8], 8);
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
