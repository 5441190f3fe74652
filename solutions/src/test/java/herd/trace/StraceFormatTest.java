package herd.trace;

import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Schedulers;
import herd.sched.DeterministicScheduler;
import herd.sched.ParallelScheduler;
import herd.sched.Sched;
import herd.sched.Task;
import herd.uapi.Errno;
import herd.wait.WaitEvent;
import herd.wait.WaitQueueHead;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class StraceFormatTest {
    @AutoClose
    private final Schedulers schedulers = new Schedulers();

    private static String strace(DeterministicScheduler sched) {
        return StraceFormat.render(sched.trace().events());
    }

    @Test
    void aSyscallIsOneLineWithPidArgumentsAndResult() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        sched.spawn("t", () -> Strace.syscall("close", () -> "3", () -> 0));

        sched.run();

        assertThat(strace(sched)).isEqualTo("[pid   100] close(3) = 0\n");
    }

    @Test
    void argumentsKnownAtExitAreFormattedFromTheResult() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        long[] ret = {-1};
        sched.spawn("t", () -> ret[0] = Strace.syscall("read", () -> "5, ", () -> 5, n -> "\"hello\", " + n));

        sched.run();

        assertThat(ret[0]).isEqualTo(5);
        assertThat(strace(sched)).isEqualTo("[pid   100] read(5, \"hello\", 5) = 5\n");
    }

    @Test
    void anErrorIsMinusOneWithTheErrnoAndItsMessage() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        sched.spawn("t", () -> {
            Strace.syscall("accept4", () -> "3, NULL, NULL, SOCK_NONBLOCK", Errno.EAGAIN::neg);
            Strace.syscall("close", () -> "42", Errno.EBADF::neg);
        });

        sched.run();

        assertThat(strace(sched)).isEqualTo("""
                [pid   100] accept4(3, NULL, NULL, SOCK_NONBLOCK) = -1 EAGAIN (Resource temporarily unavailable)
                [pid   100] close(42) = -1 EBADF (Bad file descriptor)
                """);
    }

    @Test
    void aSignalInterruptedSleepIsRestartsys() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        WaitQueueHead wq = new WaitQueueHead("wq");
        long[] ret = {0};
        Task t = sched.spawn("acceptor", () -> ret[0] = Strace.syscall("accept4", () -> "3, NULL, NULL, 0",
                () -> WaitEvent.waitEventInterruptible(wq, () -> false)));
        sched.runUntilIdle();

        Sched.sendSignal(t);
        sched.run();

        assertThat(ret[0]).isEqualTo(Errno.ERESTARTSYS.neg());
        assertThat(strace(sched)).isEqualTo(
                "[pid   100] accept4(3, NULL, NULL, 0) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)\n");
    }

    @Test
    void anotherTasksSyscallBetweenEntryAndExitSplitsTheCall() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        boolean[] written = {false};
        Task reader = sched.spawn("reader", () -> Strace.syscall("read", () -> "3, ", () -> {
            while (!written[0]) {
                Sched.setCurrentState(TASK_INTERRUPTIBLE);
                if (!written[0]) {
                    Sched.schedule();
                }
                Sched.setCurrentState(Task.TASK_RUNNING);
            }
            return 1;
        }, n -> "\"x\", 1"));
        sched.runUntilIdle();
        sched.spawn("writer", () -> Strace.syscall("write", () -> "4, \"x\", 1", () -> {
            written[0] = true;
            Sched.wakeUpProcess(reader);
            return 1;
        }));

        sched.run();

        assertThat(strace(sched)).isEqualTo("""
                [pid   100] read(3,  <unfinished ...>
                [pid   101] write(4, "x", 1) = 1
                [pid   100] <... read resumed>"x", 1) = 1
                """);
    }

    @Test
    void twoSyscallsInFlightAreBothUnfinished() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        WaitQueueHead wq = new WaitQueueHead("wq");
        boolean[] ready = {false};
        Task first = sched.spawn("first", () -> Strace.syscall("epoll_wait", () -> "5, ",
                () -> WaitEvent.waitEventInterruptible(wq, () -> ready[0]), n -> "[], 1, -1"));
        sched.runUntilIdle();
        Task second = sched.spawn("second", () -> Strace.syscall("epoll_wait", () -> "6, ",
                () -> WaitEvent.waitEventInterruptible(wq, () -> ready[0]), n -> "[], 1, -1"));
        sched.runUntilIdle();

        assertThat(strace(sched)).as("a trace that ends inside a syscall").isEqualTo("""
                [pid   100] epoll_wait(5,  <unfinished ...>
                [pid   101] epoll_wait(6,  <unfinished ...>
                """);

        ready[0] = true;
        Sched.wakeUpProcess(first);
        sched.runUntilIdle();
        Sched.wakeUpProcess(second);
        sched.run();

        assertThat(strace(sched)).isEqualTo("""
                [pid   100] epoll_wait(5,  <unfinished ...>
                [pid   101] epoll_wait(6,  <unfinished ...>
                [pid   100] <... epoll_wait resumed>[], 1, -1) = 0
                [pid   101] <... epoll_wait resumed>[], 1, -1) = 0
                """);
    }

    @Test
    void anExitThatInterruptsAnotherTasksLineClosesItFirst() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        boolean[] ready = {false};
        WaitQueueHead wq = new WaitQueueHead("wq");
        Task sleeper = sched.spawn("sleeper", () -> Strace.syscall("read", () -> "3, ",
                () -> WaitEvent.waitEventInterruptible(wq, () -> ready[0]), n -> "\"\", 0"));
        sched.runUntilIdle();
        sched.spawn("waker", () -> Strace.syscall("write", () -> "4, ", () -> {
            ready[0] = true;
            wq.wakeUp();
            // The waker gives up the CPU inside its syscall: the sleeper's exit comes next.
            Sched.scheduleTimeoutUninterruptible(1_000);
            return 0;
        }, n -> "\"\", 0"));

        sched.run();

        assertThat(sleeper.state()).isEqualTo(Task.TASK_DEAD);
        assertThat(strace(sched)).isEqualTo("""
                [pid   100] read(3,  <unfinished ...>
                [pid   101] write(4,  <unfinished ...>
                [pid   100] <... read resumed>"", 0) = 0
                [pid   101] <... write resumed>"", 0) = 0
                """);
    }

    @Test
    void pidsAreRightAlignedInFiveColumns() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        sched.pidsFrom(31337);
        sched.spawn("t", () -> Strace.syscall("getpid", () -> "", () -> 31337));

        sched.run();

        assertThat(strace(sched)).isEqualTo("[pid 31337] getpid() = 31337\n");
    }

    @Test
    void eventsThatAreNoSyscallsAreLeftOut() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        sched.spawn("t", () -> {
            Trace.mark("before");
            try (var fn = Ftrace.enter("do_sys_open")) {
                Strace.syscall("openat", () -> "AT_FDCWD, \"/etc/hostname\", O_RDONLY", () -> 3);
            }
            Sched.scheduleTimeoutUninterruptible(10);
        });

        sched.run();

        assertThat(strace(sched)).isEqualTo("[pid   100] openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = 3\n");
    }

    @Test
    void nothingIsRecordedOutsideATaskOrWithTracingOff() {
        long outside = Strace.syscall("close", () -> "3", () -> 7);
        ParallelScheduler quiet = new ParallelScheduler();
        long[] inside = {0};
        try (quiet) {
            quiet.spawn("t", () -> inside[0] = Strace.syscall("close", () -> "3", () -> 8));
            quiet.awaitExit(Duration.ofSeconds(10));
        }

        assertThat(outside).isEqualTo(7);
        assertThat(inside[0]).isEqualTo(8);
        assertThat(quiet.trace().events()).isEmpty();
        assertThat(StraceFormat.render(List.of())).isEmpty();
    }

    @Test
    void resultsAsStraceShowsThem() {
        assertThat(StraceFormat.result(0)).isEqualTo("0");
        assertThat(StraceFormat.result(42)).isEqualTo("42");
        assertThat(StraceFormat.result(Errno.EINTR.neg())).isEqualTo("-1 EINTR (Interrupted system call)");
        assertThat(StraceFormat.result(Errno.ERESTARTSYS.neg()))
                .isEqualTo("? ERESTARTSYS (To be restarted if SA_RESTART is set)");
        assertThat(StraceFormat.result(-5000)).as("not an errno: a plain negative result").isEqualTo("-5000");
    }
}
