package herd.sched;

import herd.trace.TraceEvent;
import java.util.List;
import java.util.Random;

/**
 * What the virtual CPUs of {@link DeterministicScheduler#smp} spend, in nanoseconds of
 * virtual time. The values of {@link #MEASURED} were calibrated once against this course's
 * reference machine's kernel ({@code herd.fix.crosscheck.Calibration} measures them again
 * on any Linux machine).
 *
 * @param function      a traced kernel function ({@code Ftrace.enter})
 * @param syscall       a system call entered ({@code Strace.syscall}): entry and exit, and the
 *                      user-space code of the loop around it
 * @param contextSwitch {@code __schedule()} switching a CPU from one task to another
 * @param idleWakeups   an idle CPU's wake-up latency, from {@code try_to_wake_up} on another CPU
 *                      until the woken task runs (the IPI and the exit from idle): one of these,
 *                      each as likely, is drawn from the seed for each wake-up
 * @param baseSlice     {@code sysctl_sched_base_slice} before scaling (0.75 ms)
 */
public record CpuCosts(long function, long syscall, long contextSwitch, List<Long> idleWakeups, long baseSlice) {
    /**
     * The costs calibrated on the course's machine (2 vCPUs of a VM, AMD EPYC, Linux 6.18,
     * OpenJDK 17; 2026-12-07, load average about 25 from other builds), with
     * {@code herd.fix.crosscheck.Calibration}, the least disturbed of three runs: a kernel
     * function 1.7 µs (an eventfd {@code write()} that wakes a sleeping reader took 8.5 µs:
     * in a VM the wake-up's IPI to the reader's CPU costs the writer several µs), a system
     * call 1.7 µs, a context switch 3.7 µs, and an idle CPU that polls before it halts wakes
     * in 2.8 to 4 µs, sometimes 15 µs. The other two runs were up to 3 times slower, and their
     * "idle" CPUs sometimes ran other processes for milliseconds: load, not the kernel's path.
     */
    public static final CpuCosts MEASURED = new CpuCosts(1_715, 1_682, 3_679,
            List.of(2_846L, 3_057L, 3_147L, 3_228L, 3_347L, 3_439L, 3_559L, 3_708L, 3_948L, 14_569L), 750_000);

    /** The cost of a traced call of {@code kind}; 0 for what is not a call. */
    long of(TraceEvent.Kind kind) {
        return switch (kind) {
            case FUNC_ENTRY -> function;
            case SYSCALL_ENTER -> syscall;
            default -> 0;
        };
    }

    /** One idle CPU's wake-up latency, drawn from {@code random}. */
    long idleWakeup(Random random) {
        return idleWakeups.get(random.nextInt(idleWakeups.size()));
    }

    /**
     * The slice on {@code cpus} CPUs: {@code sysctl_sched_base_slice} scaled by
     * {@code 1 + ilog2(min(cpus, 8))} ({@code get_update_sysctl_factor()}, the default
     * {@code SCHED_TUNABLESCALING_LOG}).
     */
    long slice(int cpus) {
        int factor = 1 + (31 - Integer.numberOfLeadingZeros(Math.min(cpus, 8)));
        return baseSlice * factor;
    }
}
