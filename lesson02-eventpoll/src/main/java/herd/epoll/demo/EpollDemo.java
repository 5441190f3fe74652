package herd.epoll.demo;

import static herd.epoll.Epoll.EPOLLET;
import static herd.epoll.Epoll.EPOLL_CTL_ADD;
import static herd.fs.Poll.EPOLLIN;

import herd.epoll.Epoll;
import herd.epoll.EpollEvent;
import herd.fs.EventFd;
import herd.fs.Process;
import herd.fs.Vfs;
import herd.sched.DeterministicScheduler;
import herd.sched.Task;
import herd.trace.AsciiSequenceFormat;
import herd.trace.FtraceFormat;
import herd.trace.MermaidFormat;
import herd.trace.StraceFormat;
import herd.trace.TraceEvent;
import java.util.List;

/**
 * Lesson 2's demo: two threads of one process sleep in {@code epoll_wait} on one epoll
 * that watches an eventfd; a third writes to the eventfd once. Level-triggered, both
 * threads return (the harvest re-queues the item and the end of the scan wakes the
 * other sleeper); edge-triggered, only one does. Prints each run as strace, the wake
 * path as an ftrace function graph, and the level-triggered run as a Mermaid diagram and
 * the same in plain text.
 */
public final class EpollDemo {
    private EpollDemo() {
    }

    /** Runs the level-triggered and the edge-triggered case. */
    public static void main(String[] args) {
        run("level-triggered (EPOLLIN)", EPOLLIN, true);
        run("edge-triggered (EPOLLIN|EPOLLET)", EPOLLIN | EPOLLET, false);
    }

    private static void run(String title, int events, boolean mermaid) {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            sched.pidsFrom(100);
            Process process = new Process(sched, "demo");
            int[] fds = new int[2];
            // worker1 makes the epoll and the eventfd, then both workers sleep in that order.
            Task worker1 = process.spawn("worker1", () -> {
                fds[0] = (int) Epoll.epollCreate1(0);
                fds[1] = (int) EventFd.eventfd2(0, EventFd.EFD_NONBLOCK);
                Epoll.epollCtl(fds[0], EPOLL_CTL_ADD, fds[1], new EpollEvent(events, fds[1]));
                Epoll.epollWait(fds[0], slots(8), 8, -1);
            });
            sched.runUntilIdle();
            Task worker2 = process.spawn("worker2", () -> Epoll.epollWait(fds[0], slots(8), 8, -1));
            sched.runUntilIdle();
            process.spawn("writer", () -> Vfs.write(fds[1], EventFd.value(1), Long.BYTES));
            sched.runUntilIdle();

            List<TraceEvent> trace = sched.trace().events();
            System.out.println("=== " + title + ": two threads in epoll_wait, one write to the eventfd ===");
            System.out.println();
            System.out.print(StraceFormat.render(trace));
            System.out.println();
            System.out.println("The kernel functions (ftrace function_graph): the add path, the sleeps, the wake path:");
            System.out.println(FtraceFormat.render(trace));
            if (mermaid) {
                System.out.println("The same, as a Mermaid sequence diagram:");
                System.out.println(MermaidFormat.fenced(fromTheWrite(trace)));
                System.out.println("The same diagram in plain text:");
                System.out.println(AsciiSequenceFormat.render(fromTheWrite(trace)));
            }
            for (Task t : List.of(worker1, worker2)) {
                System.out.printf("  %-8s %s%n", t.comm(), t.state() == Task.TASK_DEAD
                        ? "returned from epoll_wait" : "still asleep in epoll_wait");
            }
            System.out.println();
        }
    }

    private static List<TraceEvent> fromTheWrite(List<TraceEvent> trace) {
        for (int i = 0; i < trace.size(); i++) {
            if (trace.get(i).kind() == TraceEvent.Kind.SYSCALL_ENTER && trace.get(i).name().equals("write")) {
                return trace.subList(i, trace.size());
            }
        }
        return trace;
    }

    private static EpollEvent[] slots(int n) {
        EpollEvent[] events = new EpollEvent[n];
        for (int i = 0; i < n; i++) {
            events[i] = new EpollEvent();
        }
        return events;
    }
}
