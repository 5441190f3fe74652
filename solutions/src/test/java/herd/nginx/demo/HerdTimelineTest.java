package herd.nginx.demo;

import static org.assertj.core.api.Assertions.assertThat;

import herd.nginx.HerdRun;
import herd.sched.DeterministicScheduler;
import herd.trace.Timeline;
import herd.trace.TimelineSvg;
import org.junit.jupiter.api.Test;

/**
 * Lesson 4's timelines, for the two seeds its README shows side by side: one telnet, two
 * workers, both woken by the telnet's {@code connect()}; at seed 0 the loser returns and
 * its {@code accept4} fails, at seed 12 its wake-up is hidden inside {@code epoll_wait}.
 */
class HerdTimelineTest {
    private static Timeline timeline(long seed) {
        try (DeterministicScheduler sched = new DeterministicScheduler(seed, HerdDemo.PREEMPTION)) {
            sched.pidsFrom(2100);
            HerdRun run = HerdRun.run(sched, 2, 1, false);
            return Timeline.of("seed " + seed, sched.trace().events(), run.traceStart());
        }
    }

    @Test
    void theDemoShowsSeed0AndSeed12() {
        assertThat(HerdDemo.exploringSeed(true)).as("the first seed whose loser returns and gets EAGAIN").isZero();
        assertThat(HerdDemo.exploringSeed(false)).as("the first seed whose loser's wake-up is hidden").isEqualTo(12);
    }

    @Test
    void seed12TheTelnetWakesBothWorkersAndWorker2sWakeUpIsHidden() {
        Timeline t = timeline(12);
        assertThat(t.lanes()).extracting(Timeline.Lane::name).containsExactly("worker1-2101", "worker2-2102",
                "telnet-2103");
        assertThat(t.wakes()).extracting(w -> w.from() + "->" + w.to() + (w.hidden() ? " hidden in " + w.in() : ""))
                .containsExactlyInAnyOrder("2->0", "2->1 hidden in epoll_wait");
        String svg = TimelineSvg.render(t);
        assertThat(svg).containsSubsequence(">worker1-2101</text>", ">worker2-2102</text>", ">telnet-2103</text>")
                .contains("<title>wake-up of worker1-2101 by telnet-2103</title>",
                        "<title>hidden wake-up of worker2-2102 by telnet-2103</title>",
                        ">hidden wake-up: asleep again inside epoll_wait</text>")
                .doesNotContain("<title>accept4 = -1 EAGAIN");
    }

    @Test
    void seed0BothWorkersReturnAndWorker2sAccept4Fails() {
        Timeline t = timeline(0);
        assertThat(t.wakes()).extracting(w -> w.from() + "->" + w.to() + (w.hidden() ? " hidden" : ""))
                .containsExactlyInAnyOrder("2->0", "2->1");
        assertThat(t.bars().stream().filter(b -> b.lane() == 1 && b.name().equals("accept4")).toList())
                .as("worker 2's accept4").singleElement().satisfies(b -> {
                    assertThat(b.failed()).isTrue();
                    assertThat(b.result()).isEqualTo("-1 EAGAIN (Resource temporarily unavailable)");
                });
        assertThat(TimelineSvg.render(t)).contains("<title>wake-up of worker2-2102 by telnet-2103</title>",
                "<title>accept4 = -1 EAGAIN (Resource temporarily unavailable)</title>").doesNotContain("hidden wake-up of");
    }
}
