package herd.epoll.demo;

import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.DemoOutput;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

@Isolated("it captures System.out, which concurrent course checks print to")
class EpollDemoTest {
    private static List<String> runDemo() {
        return DemoOutput.lines(EpollDemo::main);
    }

    @Test
    void levelTriggeredBothThreadsReturnEdgeTriggeredOne() {
        List<String> lines = runDemo();
        int et = lines.indexOf("=== edge-triggered (EPOLLIN|EPOLLET): two threads in epoll_wait, one write to the eventfd ===");
        assertThat(et).as("the edge-triggered part").isPositive();
        List<String> lt = lines.subList(0, et);
        List<String> edge = lines.subList(et, lines.size());

        assertThat(lt).as("the level-triggered strace, as in the lesson README").containsSubsequence(
                "[pid   100] epoll_create1(0) = 3",
                "[pid   100] eventfd2(0, EFD_NONBLOCK) = 4",
                "[pid   100] epoll_ctl(3, EPOLL_CTL_ADD, 4, {events=EPOLLIN, data={u32=4, u64=4}}) = 0",
                "[pid   100] epoll_wait(3,  <unfinished ...>",
                "[pid   101] epoll_wait(3,  <unfinished ...>",
                "[pid   102] write(4, \"\\1\\0\\0\\0\\0\\0\\0\\0\", 8) = 8",
                "[pid   101] <... epoll_wait resumed>[{events=EPOLLIN, data={u32=4, u64=4}}], 8, -1) = 1",
                "[pid   100] <... epoll_wait resumed>[{events=EPOLLIN, data={u32=4, u64=4}}], 8, -1) = 1");
        assertThat(lt).contains("  worker1  returned from epoll_wait", "  worker2  returned from epoll_wait");
        assertThat(lt).as("the add path in the function graph").containsSubsequence(
                "     0.000003 |      worker1-100 |   ep_insert() {",
                "     0.000004 |      worker1-100 |     ep_item_poll() {",
                "     0.000005 |      worker1-100 |       eventfd_poll() {",
                "     0.000006 |      worker1-100 |         ep_ptable_queue_proc();");
        assertThat(lt).as("the wake path, then the end-of-scan wake-up of the other thread").containsSubsequence(
                "     0.000014 |       writer-102 |       ep_poll_callback() {",
                "     0.000020 |       writer-102 |                   /* sched_wakeup: worker2-101 */",
                "     0.000023 |      worker2-101 |       ep_done_scan() {",
                "     0.000029 |      worker2-101 |                   /* sched_wakeup: worker1-100 */");
        assertThat(lt).contains("```mermaid");

        assertThat(edge).contains("  worker1  still asleep in epoll_wait", "  worker2  returned from epoll_wait");
        assertThat(edge).noneMatch(line -> line.contains("sched_wakeup: worker1-100"));
    }
}
