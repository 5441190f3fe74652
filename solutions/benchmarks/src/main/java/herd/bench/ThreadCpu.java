package herd.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The CPU time the JVM's threads have used, from {@link ThreadMXBean}: the steadier figure
 * beside wall-clock throughput. A thread waiting for a CPU, or parked, uses none, so
 * the CPU time of a connection changes little when other programs load the machine, where
 * its wall-clock time doubles. It counts every live Java thread (the model's tasks, the
 * client, JMH's own), not the JVM's internal ones (JIT compilers, GC).
 */
final class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ThreadCpu() {
    }

    /** The summed CPU time of every live thread, in nanoseconds; -1 where the JVM does not measure it. */
    static long total() {
        if (!THREADS.isThreadCpuTimeSupported()) {
            return -1;
        }
        if (!THREADS.isThreadCpuTimeEnabled()) {
            THREADS.setThreadCpuTimeEnabled(true);
        }
        long sum = 0;
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            if (t > 0) {
                sum += t; // -1: the thread ended meanwhile
            }
        }
        return sum;
    }
}
