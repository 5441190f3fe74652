package herd.trace;

import static herd.course.kit.Traces.lines;
import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Schedulers;
import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.sched.Task;
import herd.uapi.Errno;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class FtraceFormatTest {
    private static final String HEADER = lines(
            "# tracer: function_graph",
            "#",
            "#     TIME        TASK/PID          FUNCTION CALLS",
            "#      |           |    |            |   |   |   |");
    private static final String SWITCH = " ------------------------------------------";

    @AutoClose
    private final Schedulers schedulers = new Schedulers();

    private static String ftrace(DeterministicScheduler sched) {
        return FtraceFormat.render(sched.trace().events());
    }

    @Test
    void anEmptyTraceIsTheHeader() {
        assertThat(FtraceFormat.render(List.of())).isEqualTo(HEADER);
    }

    /** Each traced call costs {@link Trace#CALL_COST_NS} (1 µs) on the trace's clock: the time moves as the CPU works. */
    @Test
    void callsNestAndALeafCallIsOneLine() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        sched.spawn("t", () -> {
            try (var outer = Ftrace.enter("outer")) {
                try (var leaf = Ftrace.enter("leaf")) {
                    // Nothing recorded in between: a leaf.
                }
                try (var middle = Ftrace.enter("middle")) {
                    Trace.mark("deep");
                }
                Trace.mark("back in outer");
            }
        });

        sched.run();

        assertThat(ftrace(sched)).isEqualTo(HEADER + lines(
                "     0.000000 |            t-100 |   outer() {",
                "     0.000001 |            t-100 |     leaf();",
                "     0.000002 |            t-100 |     middle() {",
                "     0.000003 |            t-100 |       /* deep */",
                "     0.000003 |            t-100 |     }",
                "     0.000003 |            t-100 |     /* back in outer */",
                "     0.000003 |            t-100 |   }",
                "     0.000003 |            t-100 |   /* sched_process_exit */"));
    }

    @Test
    void taskSwitchesAreSeparatedAndEachTaskKeepsItsDepth() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        Task a = sched.spawn("a", () -> {
            try (var fn = Ftrace.enter("a_wait")) {
                Sched.setCurrentState(TASK_INTERRUPTIBLE);
                Sched.schedule();
            }
        });
        sched.runUntilIdle();
        sched.spawn("b", () -> {
            Sched.scheduleTimeoutUninterruptible(1_500_000);
            Sched.wakeUpProcess(a);
        });

        sched.run();

        assertThat(ftrace(sched)).isEqualTo(HEADER + lines(
                "     0.000000 |            a-100 |   a_wait() {",
                "     0.000001 |            a-100 |     /* sched_switch: prev_state=TASK_INTERRUPTIBLE */",
                SWITCH,
                "  a-100 => b-101",
                SWITCH,
                "     0.000001 |            b-101 |   /* sched_switch: prev_state=TASK_UNINTERRUPTIBLE */",
                SWITCH,
                "  b-101 => <idle>-0",
                SWITCH,
                "     0.001500 |         <idle>-0 |   /* sched_wakeup: b-101 */",
                SWITCH,
                "  <idle>-0 => b-101",
                SWITCH,
                "     0.001500 |            b-101 |   try_to_wake_up() {",
                "     0.001501 |            b-101 |     /* sched_wakeup: a-100 */",
                "     0.001501 |            b-101 |   }",
                "     0.001501 |            b-101 |   /* sched_process_exit */",
                SWITCH,
                "  b-101 => a-100",
                SWITCH,
                "     0.001501 |            a-100 |   }",
                "     0.001501 |            a-100 |   /* sched_process_exit */"));
    }

    @Test
    void syscallsAreCommentsWithTheirStraceResult() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        sched.spawn("t", () -> {
            Strace.syscall("read", () -> "3, ", () -> {
                try (var fn = Ftrace.enter("ksys_read")) {
                    return 2;
                }
            }, n -> "\"hi\", " + n);
            Strace.syscall("close", () -> "3", Errno.EBADF::neg);
        });

        sched.run();

        assertThat(ftrace(sched)).isEqualTo(HEADER + lines(
                "     0.000000 |            t-100 |   /* sys_enter: read(3) */",
                "     0.000001 |            t-100 |   ksys_read();",
                "     0.000002 |            t-100 |   /* sys_exit: read = 2 */",
                "     0.000002 |            t-100 |   /* sys_enter: close(3) */",
                "     0.000003 |            t-100 |   /* sys_exit: close = -1 EBADF (Bad file descriptor) */",
                "     0.000003 |            t-100 |   /* sched_process_exit */"));
    }

    @Test
    void theTimeColumnIsSecondsAndMicroseconds() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        sched.pidsFrom(4242);
        sched.spawn("a-long-task-name", () -> {
            Sched.scheduleTimeoutUninterruptible(12_345_678_901L);
            Trace.mark("later");
        });

        sched.run();

        assertThat(ftrace(sched)).isEqualTo(HEADER + lines(
                "     0.000000 | a-long-task-name-4242 |   /* sched_switch: prev_state=TASK_UNINTERRUPTIBLE */",
                SWITCH,
                "  a-long-task-name-4242 => <idle>-0",
                SWITCH,
                "    12.345678 |         <idle>-0 |   /* sched_wakeup: a-long-task-name-4242 */",
                SWITCH,
                "  <idle>-0 => a-long-task-name-4242",
                SWITCH,
                "    12.345678 | a-long-task-name-4242 |   /* later */",
                "    12.345678 | a-long-task-name-4242 |   /* sched_process_exit */"));
    }

    @Test
    void aTimersWakeUpDoesNotTraceTheKernelFunctionsItCalls() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        sched.spawn("t", () -> Sched.scheduleTimeoutUninterruptible(1_000));

        sched.run();

        assertThat(sched.trace().events()).extracting(TraceEvent::kind)
                .doesNotContain(TraceEvent.Kind.FUNC_ENTRY, TraceEvent.Kind.FUNC_EXIT);
    }

    @Test
    void ftraceOutsideATaskRecordsNothing() {
        DeterministicScheduler sched = schedulers.deterministic(1);
        try (var fn = Ftrace.enter("from_the_test")) {
            Trace.mark("not a task");
        }
        sched.run();

        assertThat(sched.trace().events()).isEmpty();
    }
}
