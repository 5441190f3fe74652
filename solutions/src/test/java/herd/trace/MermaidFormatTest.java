package herd.trace;

import static herd.course.kit.Traces.lines;
import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static org.assertj.core.api.Assertions.assertThat;

import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.sched.Task;
import herd.uapi.Errno;
import java.util.List;
import org.junit.jupiter.api.Test;

class MermaidFormatTest {
    @Test
    void anEmptyTraceIsAnEmptyDiagram() {
        assertThat(MermaidFormat.render(List.of())).isEqualTo("sequenceDiagram\n");
    }

    @Test
    void participantsWakeUpArrowsAndNotes() {
        String diagram;
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            Task a = sched.spawn("a", () -> {
                Sched.setCurrentState(TASK_INTERRUPTIBLE);
                Sched.schedule();
                Strace.syscall("accept4", () -> "3, NULL, NULL, SOCK_NONBLOCK", Errno.EAGAIN::neg);
            });
            sched.runUntilIdle();
            sched.spawn("b", () -> {
                Sched.scheduleTimeoutUninterruptible(1_000);
                Trace.mark("data ready; wake a");
                try (var fn = Ftrace.enter("not_in_the_diagram")) {
                    Sched.wakeUpProcess(a);
                }
            });
            sched.run();
            diagram = MermaidFormat.render(sched.trace().events());
        }

        assertThat(diagram).isEqualTo(lines(
                "sequenceDiagram",
                "    participant a_100 as a-100",
                "    participant b_101 as b-101",
                "    participant _idle__0 as #lt;idle#gt;-0",
                "    Note over a_100: sleeps (TASK_INTERRUPTIBLE)",
                "    Note over b_101: sleeps (TASK_UNINTERRUPTIBLE)",
                "    _idle__0->>b_101: try_to_wake_up",
                "    Note over b_101: data ready, wake a",
                "    b_101->>a_100: try_to_wake_up",
                "    Note over b_101: exits",
                "    Note over a_100: accept4() = -1 EAGAIN (Resource temporarily unavailable)",
                "    Note over a_100: exits"));
    }

    @Test
    void aWakeUpFromTheTestComesFromTheIdleContext() {
        String diagram;
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            sched.pidsFrom(7);
            Task sleeper = sched.spawn("sleeper", () -> {
                Sched.setCurrentState(TASK_INTERRUPTIBLE);
                Sched.schedule();
            });
            sched.runUntilIdle();
            Sched.wakeUpProcess(sleeper);
            sched.run();
            diagram = MermaidFormat.render(sched.trace().events());
        }

        assertThat(diagram).isEqualTo(lines(
                "sequenceDiagram",
                "    participant sleeper_7 as sleeper-7",
                "    participant _idle__0 as #lt;idle#gt;-0",
                "    Note over sleeper_7: sleeps (TASK_INTERRUPTIBLE)",
                "    _idle__0->>sleeper_7: try_to_wake_up",
                "    Note over sleeper_7: exits"));
    }

    @Test
    void aTaskSeenOnlyAsThePeerOfAWakeUpIsAParticipantToo() {
        List<TraceEvent> events = List.of(
                new TraceEvent(0, 0, "<idle>", TraceEvent.Kind.WAKEUP, "sched_wakeup", null, 0, "worker.1-12"),
                new TraceEvent(0, 0, "<idle>", TraceEvent.Kind.FUNC_ENTRY, "run_timer", null, 0, null),
                new TraceEvent(0, 0, "<idle>", TraceEvent.Kind.SYSCALL_ENTER, "nothing", "", 0, null));

        assertThat(MermaidFormat.render(events)).isEqualTo(lines(
                "sequenceDiagram",
                "    participant _idle__0 as #lt;idle#gt;-0",
                "    participant worker_1_12 as worker.1-12",
                "    _idle__0->>worker_1_12: try_to_wake_up"));
    }
}
