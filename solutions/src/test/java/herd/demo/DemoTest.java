package herd.demo;

import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.DemoOutput;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

@Isolated("it captures System.out, which concurrent course checks print to")
class DemoTest {
    private static String runDemo(String... args) {
        return DemoOutput.of(Demo::main, args);
    }

    @Test
    void theDemoShowsWakeOneOnAWaitQueue() {
        String output = runDemo();
        List<String> lines = output.lines().toList();

        assertThat(lines.get(0))
                .isEqualTo("Three tasks sleep on demo_wq; then waker calls wake_up() once (seed 1).");
        int queue = lines.indexOf("The wait queue before wake_up(), head first:");
        assertThat(queue).isPositive();
        assertThat(lines.subList(queue + 1, queue + 5)).containsExactly(
                "  reader-100  (non-exclusive)",
                "  acceptor1-101  WQ_FLAG_EXCLUSIVE",
                "  acceptor2-102  WQ_FLAG_EXCLUSIVE",
                "");
        assertThat(lines).containsSubsequence(
                "  reader     woken: returned from wait_event",
                "  acceptor1  woken: returned from wait_event",
                "  acceptor2  still asleep in TASK_INTERRUPTIBLE");
    }

    @Test
    void theDemoPrintsAFunctionGraphAndAMermaidBlock() {
        String output = runDemo();
        List<String> lines = output.lines().toList();

        assertThat(lines).contains("# tracer: function_graph",
                "     0.000003 |        waker-103 |   /* data ready; wake_up(&demo_wq) */",
                "     0.000008 |        waker-103 |             /* sched_wakeup: reader-100 */",
                "     0.000011 |        waker-103 |             /* sched_wakeup: acceptor1-101 */");
        assertThat(output).doesNotContain("sched_wakeup: acceptor2-102");

        int begin = lines.indexOf("```mermaid");
        int end = lines.lastIndexOf("```");
        assertThat(begin).isPositive();
        assertThat(end).isGreaterThan(begin);
        assertThat(lines.subList(begin + 1, end)).startsWith("sequenceDiagram").contains(
                "    participant acceptor2_102 as acceptor2-102",
                "    waker_103->>reader_100: try_to_wake_up",
                "    waker_103->>acceptor1_101: try_to_wake_up",
                "    Note over acceptor2_102: sleeps (TASK_INTERRUPTIBLE)")
                .doesNotContain("    waker_103->>acceptor2_102: try_to_wake_up");
    }

    @Test
    void theMermaidBlockHasAPlainTextRenderingBesideIt() {
        List<String> lines = runDemo().lines().toList();
        int text = lines.indexOf("The same diagram in plain text:");
        assertThat(text).as("after the Mermaid block").isGreaterThan(lines.lastIndexOf("```"));
        assertThat(lines.subList(text + 1, lines.size())).containsSubsequence(
                "   reader-100     acceptor1-101   acceptor2-102     waker-103",
                "        |               |               |               |",
                "        * sleeps (TASK_INTERRUPTIBLE)   |               |",
                "        |               |               |               * data ready; wake_up(&demo_wq)",
                "        |<---------------try_to_wake_up-----------------|",
                "        |               |<-------try_to_wake_up---------|",
                "        * exits         |               |               |");
        assertThat(lines).as("and the run's timeline").contains("The timeline of this run: "
                + herd.trace.TimelineFiles.dir("lesson01-waitqueue").resolve("wake-up-seed-1.svg")
                + " (open it in a browser); the same for Perfetto (https://ui.perfetto.dev) or chrome://tracing: "
                + herd.trace.TimelineFiles.dir("lesson01-waitqueue").resolve("wake-up-seed-1.json"));
    }

    @Test
    void theSeedIsAnArgumentAndDoesNotChangeTheOutcome() {
        String output = runDemo("12345");

        assertThat(output).startsWith("Three tasks sleep on demo_wq; then waker calls wake_up() once (seed 12345).\n")
                .contains("  acceptor2  still asleep in TASK_INTERRUPTIBLE\n");
    }
}
