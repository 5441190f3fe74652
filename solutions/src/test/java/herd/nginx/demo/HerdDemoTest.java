package herd.nginx.demo;

import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.DemoOutput;
import herd.nginx.HerdRun;
import herd.sched.DeterministicScheduler;
import herd.trace.Trace;
import herd.trace.TraceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The lesson's demo prints the famous nginx log of the herd: one {@code telnet}, two
 * workers woken, on 3 CPUs both return from {@code epoll_wait}, worker 1's {@code accept4}
 * gets the connection and worker 2's gets {@code EAGAIN}; then on one CPU, where the
 * loser's wake-up stays hidden inside {@code epoll_wait}. Pids from 2100: the master 2100,
 * the workers 2101 and 2102, telnet 2103.
 */
@Isolated("it captures System.out, which concurrent course checks print to")
class HerdDemoTest {
    private static final String LISTEN_EVENT = "[{events=EPOLLIN, data={u32=6, u64=6}}], 512, -1) = 1";
    private static final String PEER = "{sa_family=AF_INET, sin_port=htons(32768), sin_addr=inet_addr(\"127.0.0.1\")}";
    private static final String HEADER = "worker   callbacks wake-ups  epoll_wait  accepts  EAGAIN  hidden";

    private static List<String> lines;
    private static List<String> first;
    private static List<String> second;

    @BeforeAll
    static void runDemo() {
        lines = DemoOutput.lines(HerdDemo::main);
        List<Integer> headers = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("=== ")) {
                headers.add(i);
            }
        }
        assertThat(headers).as("the demo shows two runs, each under a '=== K CPUs, seed N: ...' title").hasSize(2);
        first = lines.subList(headers.get(0), headers.get(1));
        second = lines.subList(headers.get(1), lines.size());
    }

    /**
     * A regular expression for one strace line of {@code pid}'s syscall {@code name}: either
     * the whole call ({@code name(entry rest}) or its resumed end ({@code <... name resumed>rest}).
     */
    private static String call(int pid, String name, String entry, String rest) {
        return Pattern.quote(String.format("[pid %5d] ", pid)) + "(" + Pattern.quote(name + "(" + entry) + "|"
                + Pattern.quote("<... " + name + " resumed>") + ")" + Pattern.quote(rest);
    }

    /**
     * A regular expression for the strace line of a call whose arguments are all known at
     * entry ({@code epoll_ctl}): {@code name(args) = ret}, or {@code name(args <unfinished ...>}
     * when another task's call came before its end.
     */
    private static String entry(int pid, String callWithArgs, String ret) {
        return Pattern.quote(String.format("[pid %5d] ", pid) + callWithArgs) + "(" + Pattern.quote(") = " + ret)
                + "|" + Pattern.quote(" <unfinished ...>") + ")";
    }

    /** Asserts that lines matching {@code regexes} come in this order; returns the index after the last. */
    private static int assertInOrder(List<String> in, String why, String... regexes) {
        int from = 0;
        List<String> found = new ArrayList<>();
        for (String regex : regexes) {
            Pattern p = Pattern.compile(regex);
            int at = -1;
            for (int i = from; i < in.size() && at < 0; i++) {
                if (p.matcher(in.get(i)).matches()) {
                    at = i;
                }
            }
            assertThat(at).as("%s: after %s, a line matching %s", why, found, regex).isNotNegative();
            found.add(in.get(at));
            from = at + 1;
        }
        return from;
    }

    @Test
    void theTitlesNameBothOutcomes() {
        assertThat(first.get(0)).as("the first run: the famous log, with a free CPU for each woken worker").matches(
                "=== 3 CPUs, seed \\d+: both workers return from epoll_wait; the loser's accept4 fails with EAGAIN ===");
        assertThat(second.get(0)).as("the second run: the hidden wake-up, on one CPU").isEqualTo(
                "=== 1 CPU, seed 0: the loser is woken, finds nothing and sleeps again inside epoll_wait ===");
    }

    @Test
    void bothWorkersReturnFromEpollWaitThenWorker1AcceptsAndWorker2GetsEagain() {
        assertInOrder(first, "one connection, both workers return the listening socket from epoll_wait; worker1's "
                + "accept4 takes the connection (fd 10, the peer's 16-byte address in a 112-byte buffer); worker2's "
                + "finds the queue empty: EAGAIN, as in the nginx log",
                Pattern.quote("[pid  2103] connect(3, {sa_family=AF_INET, sin_port=htons(80), "
                        + "sin_addr=inet_addr(\"127.0.0.1\")}, 16") + ".*",
                call(2101, "epoll_wait", "7, ", LISTEN_EVENT),
                call(2102, "epoll_wait", "8, ", LISTEN_EVENT),
                call(2101, "accept4", "6, ", PEER + ", [112 => 16], SOCK_NONBLOCK) = 10"),
                call(2102, "accept4", "6, ",
                        "0x7ffc0000, [112], SOCK_NONBLOCK) = -1 EAGAIN (Resource temporarily unavailable)"));
        assertInOrder(first, "then each worker goes back to epoll_wait: worker1 after adding the new connection "
                + "edge-triggered",
                entry(2101, "epoll_ctl(7, EPOLL_CTL_ADD, 10, {events=EPOLLIN|EPOLLRDHUP|EPOLLET, "
                        + "data={u32=10, u64=10}}", "0"),
                Pattern.quote("[pid  2101] epoll_wait(7,  <unfinished ...>"));
    }

    @Test
    void theFirstRunStartsWithTheMasterAndItsWorkers() {
        assertInOrder(first, "the master's listening socket, then each worker's epoll watching fd 6",
                Pattern.quote("[pid  2100] socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 6"),
                Pattern.quote("[pid  2100] ioctl(6, FIONBIO, [1]) = 0"),
                Pattern.quote("[pid  2100] listen(6, 511) = 0"),
                Pattern.quote("[pid  2100] socketpair(AF_UNIX, SOCK_STREAM, 0, [7, 8]) = 0"));
        assertInOrder(first, "worker1's epoll 7 watches the listening socket",
                entry(2101, "epoll_ctl(7, EPOLL_CTL_ADD, 6, {events=EPOLLIN|EPOLLRDHUP, data={u32=6, u64=6}}", "0"));
        assertInOrder(first, "worker2's epoll 8 watches the listening socket",
                entry(2102, "epoll_ctl(8, EPOLL_CTL_ADD, 6, {events=EPOLLIN|EPOLLRDHUP, data={u32=6, u64=6}}", "0"));
    }

    @Test
    void theFtraceShowsTwoEpPollCallbacksUnderSockDefReadableInTheTelnetTask() {
        int tracer = first.indexOf("# tracer: function_graph");
        assertThat(tracer).as("the first run prints the ftrace function graph of the connect").isPositive();
        List<String> graph = first.subList(tracer, first.size());
        Pattern readable = Pattern.compile(".*\\|\\s+telnet-2103 \\|( +)sock_def_readable\\(\\) \\{");
        int at = -1;
        for (int i = 0; i < graph.size() && at < 0; i++) {
            if (readable.matcher(graph.get(i)).matches()) {
                at = i;
            }
        }
        assertThat(at).as("the telnet task's connect() runs sock_def_readable on the listening socket (the "
                + "handshake's last ACK, tcp_child_process)").isNotNegative();
        int depth = graph.get(at).indexOf("sock_def_readable");
        int end = at + 1;
        while (end < graph.size() && !graph.get(end).startsWith(" ------")) {
            end++;
        }
        List<String> block = graph.subList(at, end);
        List<String> callbacks = block.stream().filter(l -> l.contains("ep_poll_callback() {")).toList();
        assertThat(callbacks).as("sock_def_readable wakes the listener's wait queue: one ep_poll_callback per "
                + "worker's epoll, two, before any other task runs").hasSize(2);
        assertThat(callbacks).as("both in the telnet task, nested under sock_def_readable").allSatisfy(l -> {
            assertThat(l).as("the task column").contains("|      telnet-2103 |");
            assertThat(l.indexOf("ep_poll_callback")).as("nested deeper than sock_def_readable").isGreaterThan(depth);
        });
        assertThat(block.stream().filter(l -> l.contains("/* sched_wakeup: ")).toList())
                .as("each callback wakes one worker from the telnet task: both workers are woken")
                .hasSize(2)
                .allSatisfy(l -> assertThat(l).as("woken by telnet").contains("telnet-2103"))
                .anySatisfy(l -> assertThat(l).as("worker1 woken").endsWith("/* sched_wakeup: worker1-2101 */"))
                .anySatisfy(l -> assertThat(l).as("worker2 woken").endsWith("/* sched_wakeup: worker2-2102 */"));
        assertThat(first).as("the Mermaid diagram shows telnet waking both workers").contains(
                "```mermaid",
                "    telnet_2103->>worker1_2101: try_to_wake_up",
                "    telnet_2103->>worker2_2102: try_to_wake_up");
    }

    @Test
    void theFirstRunsCountersShowOneAcceptAndOneEagain() {
        assertThat(first).as("the counters: one callback and one wake-up each; both epoll_wait returned; worker1 "
                + "accepted, worker2 got EAGAIN; nothing hidden").containsSubsequence(
                HEADER,
                "worker1          1        1           1        1       0       0",
                "worker2          1        1           1        0       1       0");
    }

    @Test
    void theSecondRunHidesTheLosersWakeupInsideEpollWait() {
        assertThat(second).as("the counters on one CPU: worker2, woken first (the walk is newest first), runs first "
                + "once telnet sleeps and accepts; worker1 was woken (one callback, one wake-up) but its epoll_wait "
                + "never returned: one hidden wake-up, no accept4 at all").containsSubsequence(
                HEADER,
                "worker1          1        1           0        0       0       1",
                "worker2          1        1           1        1       0       0");
        assertInOrder(second, "telnet connects and worker2 accepts", Pattern.quote("[pid  2103] connect(3, ") + ".*",
                call(2102, "accept4", "6, ", PEER + ", [112 => 16], SOCK_NONBLOCK) = 11"));
        int connect = assertInOrder(second, "telnet connects", Pattern.quote("[pid  2103] connect(3, ") + ".*");
        assertThat(second.subList(connect, second.size()))
                .as("after the connect, worker1 never makes an accept4, nor returns from epoll_wait: its wake-up "
                        + "is invisible to strace")
                .noneMatch(l -> l.startsWith("[pid  2101] ") && l.contains("accept4"))
                .noneMatch(l -> l.startsWith("[pid  2101] <... epoll_wait resumed>"));
        assertThat(second).as("only the first run prints the ftrace").doesNotContain("# tracer: function_graph");
    }

    /**
     * The ftrace TIME column moves by a fixed cost per traced call ({@link Trace#CALL_COST_NS},
     * 1 µs), so the wake path's length shows: {@code sock_def_readable} in the client's
     * {@code connect()} walks one {@code ep_poll_callback} per worker, each waking its worker.
     */
    @Test
    void theWakePathTakesLongerWithEveryWorker() {
        List<Long> micros = new ArrayList<>();
        for (int workers : new int[] {1, 2, 4, 8}) {
            try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
                HerdRun run = HerdRun.run(sched, workers, 1, false);
                List<TraceEvent> events = sched.trace().events();
                long start = -1;
                for (TraceEvent e : events.subList(run.traceStart(), events.size())) {
                    if (e.comm().equals("telnet") && e.name().equals("sock_def_readable")) {
                        if (e.kind() == TraceEvent.Kind.FUNC_ENTRY) {
                            start = e.time();
                        } else if (e.kind() == TraceEvent.Kind.FUNC_EXIT) {
                            micros.add((e.time() - start) / 1_000);
                        }
                    }
                }
            }
        }
        assertThat(micros).as("µs in sock_def_readable for 1, 2, 4, 8 workers: 3 calls of its own, then per worker "
                + "ep_poll_callback, __wake_up, __wake_up_common, ep_autoremove_wake_function, default_wake_function, "
                + "try_to_wake_up").containsExactly(9L, 15L, 27L, 51L);
    }
}
