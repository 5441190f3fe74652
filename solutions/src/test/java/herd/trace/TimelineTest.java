package herd.trace;

import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static herd.sched.Task.TASK_RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.sched.Task;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A run as a timeline ({@link Timeline}), drawn ({@link TimelineSvg}) and written for
 * Perfetto ({@link TraceEventJson}): task a sleeps in a syscall; b wakes it for nothing
 * (a sleeps again inside the same call: hidden), b sleeps 1 µs (the timer wakes it), then
 * b makes a's condition true and wakes it again, and a's call returns.
 */
class TimelineTest {
    private static Timeline timeline;

    @BeforeAll
    static void run() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            boolean[] ready = {false};
            Task a = sched.spawn("a", () -> Strace.syscall("epoll_wait", () -> "3, ", () -> {
                for (;;) {
                    Sched.setCurrentState(TASK_INTERRUPTIBLE);
                    if (ready[0]) {
                        Sched.setCurrentState(TASK_RUNNING);
                        return 1;
                    }
                    Sched.schedule();
                }
            }));
            sched.runUntilIdle();
            sched.spawn("b", () -> {
                Sched.wakeUpProcess(a);
                Sched.scheduleTimeoutUninterruptible(1_000);
                ready[0] = true;
                Sched.wakeUpProcess(a);
            });
            sched.run();
            timeline = Timeline.of("test", sched.trace().events());
        }
    }

    @Test
    void aLanePerTaskInPidOrderTheTimerContextLast() {
        assertThat(timeline.lanes()).extracting(Timeline.Lane::name).containsExactly("a-100", "b-101", "<idle>-0");
        assertThat(timeline.lanes()).extracting(Timeline.Lane::id).containsExactly(100L, 101L, 0L);
    }

    @Test
    void aSyscallIsABarWithItsResultAndOutsideOneTheOutermostFunction() {
        assertThat(timeline.bars().stream().filter(b -> b.lane() == 0).toList())
                .as("a's one syscall, from its entry to its exit")
                .singleElement().satisfies(b -> {
                    assertThat(b.name()).isEqualTo("epoll_wait");
                    assertThat(b.result()).isEqualTo("1");
                    assertThat(b.failed()).isFalse();
                    assertThat(b.cut()).isFalse();
                });
        assertThat(timeline.bars().stream().filter(b -> b.lane() == 1).map(Timeline.Bar::name).toList())
                .as("b makes no syscall: its outermost kernel functions").containsExactly("try_to_wake_up",
                        "try_to_wake_up");
    }

    @Test
    void theFirstWakeUpIsHiddenBecauseTheTaskSleepsAgainInsideTheSameCall() {
        assertThat(timeline.wakes()).extracting(w -> w.from() + "->" + w.to() + (w.hidden() ? " hidden" : "") + " in "
                + w.in()).containsExactly("1->0 hidden in epoll_wait", "2->1 in null", "1->0 in epoll_wait");
        assertThat(timeline.sleeps().stream().filter(s -> s.lane() == 0).toList()).as("a slept twice").hasSize(2);
    }

    @Test
    void theSvgHasTheLanesTheArrowsAndTheHiddenWakeUpMarked() {
        String svg = TimelineSvg.render(timeline);
        assertThat(svg).startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"").endsWith("</svg>\n")
                .containsSubsequence(">a-100</text>", ">b-101</text>", ">&lt;idle&gt;-0</text>")
                .contains("<title>hidden wake-up of a-100 by b-101</title>", "<title>wake-up of b-101 by &lt;idle&gt;-0</title>",
                        "<title>wake-up of a-100 by b-101</title>", ">hidden wake-up: asleep again inside epoll_wait</text>",
                        "<title>epoll_wait = 1</title>");
        assertThat(count(svg, "<title>wake-up of ")).as("plain wake-up arrows").isEqualTo(2);
        assertThat(count(svg, "<title>hidden wake-up of ")).as("hidden wake-up arrows").isEqualTo(1);
        assertThat(TimelineSvg.render(timeline)).as("the same timeline, the same bytes").isEqualTo(svg);
    }

    @Test
    void theTraceEventFormatHasAThreadPerLaneSlicesAndFlowArrows() {
        String json = TraceEventJson.render(timeline);
        assertThat(json).startsWith("{\"displayTimeUnit\":\"ns\"").contains(
                "{\"ph\":\"M\",\"pid\":1,\"tid\":100,\"name\":\"thread_name\",\"args\":{\"name\":\"a-100\"}}",
                "\"name\":\"epoll_wait\",\"cat\":\"call\",\"args\":{\"result\":\"1\"}}",
                "\"name\":\"hidden wake-up: asleep again inside epoll_wait\"");
        assertThat(count(json, "\"ph\":\"s\"")).as("a flow start per wake-up").isEqualTo(3);
        assertThat(count(json, "\"ph\":\"f\",\"bp\":\"e\"")).as("a flow end per wake-up").isEqualTo(3);
        assertThat(count(json, "\"name\":\"asleep\"")).as("a slice per sleep").isEqualTo(timeline.sleeps().size());
    }

    @Test
    void aTimelineFromAnIndexKeepsTheCallsUnderWayThenAsCut() {
        List<TraceEvent> events;
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            Task a = sched.spawn("a", () -> Strace.syscall("accept4", () -> "3, ", () -> {
                Sched.setCurrentState(TASK_INTERRUPTIBLE);
                Sched.schedule();
                return 4;
            }));
            sched.runUntilIdle();
            int from = sched.trace().events().size();
            sched.spawn("b", () -> Sched.wakeUpProcess(a));
            sched.run();
            events = sched.trace().events();
            Timeline t = Timeline.of("from the wake-up", events, from);
            assertThat(t.start()).isEqualTo(events.get(from).time());
            assertThat(t.bars().stream().filter(b -> b.name().equals("accept4")).toList()).singleElement()
                    .satisfies(b -> {
                        assertThat(b.cut()).as("it began before the timeline").isTrue();
                        assertThat(b.start()).isEqualTo(t.start());
                        assertThat(b.result()).isEqualTo("4");
                    });
            assertThat(t.wakes()).singleElement().satisfies(w -> assertThat(w.hidden()).isFalse());
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }
}
