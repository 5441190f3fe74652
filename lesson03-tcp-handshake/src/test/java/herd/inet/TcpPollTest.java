package herd.inet;

import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Processes.pause;
import static herd.course.kit.Sockets.SERVER;
import static herd.course.kit.Sockets.connectNonBlocking;
import static herd.course.kit.Sockets.listener;
import static herd.course.kit.Sockets.sk;
import static herd.course.kit.Syscalls.check;
import static herd.epoll.Epoll.EPOLL_CTL_ADD;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLOUT;
import static herd.fs.Poll.EPOLLRDNORM;
import static herd.inet.InetTests.listenerByHand;
import static herd.inet.InetTests.queueByHand;
import static herd.sched.Task.TASK_DEAD;
import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Sockets;
import herd.epoll.Epoll;
import herd.epoll.EpollEvent;
import herd.fs.File;
import herd.fs.Poll;
import herd.fs.PollFd;
import herd.fs.PollTable;
import herd.fs.Process;
import herd.fs.Select;
import herd.fs.Vfs;
import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.sched.Task;
import herd.trace.FtraceFormat;
import herd.trace.TraceEvent;
import herd.wait.WaitQueueHead;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * L03-E3: {@code tcp_poll} on a listener. Its start registers the caller on the socket's
 * wait queue through the poll table ({@code sock_poll_wait} -> {@code poll_wait}), and a
 * listener reports {@code inet_csk_listen_poll}: readable exactly while the ACCEPT queue
 * is not empty. Seen directly through the file's {@code poll}, through {@code poll(2)} and
 * through epoll, whose callback the handshake's last step runs in the client's task. No
 * test accepts (that is L03-E4): connections stay in the accept queue, or are taken out
 * by hand with {@code reqsk_queue_remove}.
 */
@Tag("lesson03")
@Tag("L03-E3")
@DisplayName("L03-E3: tcp_poll on a listener (sock_poll_wait, inet_csk_listen_poll)")
class TcpPollTest {
    /** The file's poll with a table that queues nothing ({@code vfs_poll} for a re-check). */
    private static int pollNow(int fd) {
        File file = file(fd);
        return file.fOp.poll(file, new PollTable(null));
    }

    private static String names(int mask) {
        return mask == 0 ? "0" : Poll.names("EPOLL", mask);
    }

    // ---- tcp_poll itself ------------------------------------------------------------------

    @Test
    @DisplayName("a listener made by hand (no listen(), no handshake): tcp_poll queues on sk_wq and reports 0 while "
            + "the accept queue is empty, EPOLLIN|EPOLLRDNORM once a connection is in it")
    void aListenerMadeByHand() {
        inProcess(() -> {
            int lfd = listenerByHand(8, 0);
            TcpSock sk = sk(lfd);
            File file = file(lfd);
            List<WaitQueueHead> queues = new ArrayList<>();
            PollTable pt = new PollTable((f, whead, p) -> queues.add(whead));

            int empty = file.fOp.poll(file, pt);
            queueByHand(sk, 40000);
            int one = file.fOp.poll(file, pt);

            assertThat(queues).as("each tcp_poll with a qproc hands it sk_wq once (sock_poll_wait)")
                    .containsExactly(sk.skWq, sk.skWq);
            assertThat(List.of(names(empty), names(one))).as("inet_csk_listen_poll with 0, then 1 connection in "
                    + "the accept queue").containsExactly("0", "EPOLLIN|EPOLLRDNORM");
        });
    }

    @Test
    @DisplayName("tcp_poll hands the socket's wait queue (sk_wq) to the poll table's queue procedure, for the "
            + "polled file, and reports 0 on an empty accept queue")
    void registersOnTheSocketsWaitQueue() {
        inProcess(() -> {
            int lfd = listener(8, 0);
            File file = file(lfd);
            List<WaitQueueHead> queues = new ArrayList<>();
            List<File> files = new ArrayList<>();
            PollTable pt = new PollTable((f, whead, p) -> {
                files.add(f);
                queues.add(whead);
            });

            int mask = file.fOp.poll(file, pt);

            assertThat(queues).as("sock_poll_wait -> poll_wait(file, sk_sleep(sk), pt): the table's qproc is called "
                    + "once, with the socket's own wait queue (the one sk_data_ready wakes)").containsExactly(sk(lfd).skWq);
            assertThat(files).as("poll_wait passes the polled file on to the qproc").containsExactly(file);
            assertThat(names(mask)).as("inet_csk_listen_poll: a listener with an empty accept queue has no event")
                    .isEqualTo("0");
        });
    }

    @Test
    @DisplayName("poll_wait does nothing with a table without qproc (or no table): tcp_poll must go through "
            + "poll_wait, not queue an entry itself")
    void aTableWithoutQprocQueuesNothing() {
        inProcess(() -> {
            int lfd = listener(8, 0);
            File file = file(lfd);
            int withNullQproc = file.fOp.poll(file, new PollTable(null));
            int withoutTable = file.fOp.poll(file, null);
            assertThat(sk(lfd).skWq.waitqueueActive()).as("a re-poll (qproc null) or a poll without a table must "
                    + "leave the socket's wait queue empty").isFalse();
            assertThat(List.of(names(withNullQproc), names(withoutTable))).as("the mask is still reported")
                    .containsExactly("0", "0");
        });
    }

    @Test
    @DisplayName("readable exactly while the accept queue is not empty, and then exactly EPOLLIN|EPOLLRDNORM (never "
            + "EPOLLOUT): before any connection, with two, and as they are taken out one by one")
    void readableExactlyWhileTheAcceptQueueIsNotEmpty() {
        inProcess(() -> {
            int lfd = listener(8, 0);
            TcpSock sk = sk(lfd);
            List<String> masks = new ArrayList<>();
            masks.add(names(pollNow(lfd)));
            connectNonBlocking();
            connectNonBlocking();
            assertThat(sk.icskAcceptQueue.acceptQueue()).as("precondition: the loopback completed both handshakes, "
                    + "the children wait in the accept queue").hasSize(2);
            masks.add(names(pollNow(lfd)));
            InetConnectionSock.reqskQueueRemove(sk.icskAcceptQueue, sk);
            masks.add(names(pollNow(lfd)));
            InetConnectionSock.reqskQueueRemove(sk.icskAcceptQueue, sk);
            masks.add(names(pollNow(lfd)));
            assertThat(masks).as("tcp_poll with 0, 2, 1, then 0 connections in the accept queue "
                    + "(inet_csk_listen_poll: EPOLLIN|EPOLLRDNORM when not empty, nothing else)")
                    .containsExactly("0", "EPOLLIN|EPOLLRDNORM", "EPOLLIN|EPOLLRDNORM", "0");
        });
    }

    @Test
    @DisplayName("requests only in the SYN queue (SYN-ACKs dropped) never make a listener readable, for tcp_poll "
            + "nor for poll(2)")
    void theSynQueueNeverMakesAListenerReadable() {
        inProcess(() -> {
            int lfd = listener(8, 0);
            Net.current().setDropFilter(skb -> skb.has(SkBuff.SYN | SkBuff.ACK));
            for (int i = 0; i < 3; i++) {
                connectNonBlocking();
            }
            TcpSock sk = sk(lfd);
            assertThat(sk.icskAcceptQueue.len()).as("precondition: 3 requests in the SYN queue").isEqualTo(3);
            assertThat(sk.icskAcceptQueue.acceptQueue()).as("precondition: nothing completed").isEmpty();

            PollFd pfd = new PollFd(lfd, EPOLLIN | EPOLLRDNORM);
            long polled = Select.poll(new PollFd[] {pfd}, 0);

            assertThat(names(pollNow(lfd))).as("inet_csk_listen_poll looks at the accept queue only: 3 half-open "
                    + "requests are not readable").isEqualTo("0");
            assertThat(polled).as("poll(2) with timeout 0 on a listener with only SYN-queue requests").isZero();
            assertThat(pfd.revents).as("revents").isZero();
        });
    }

    @Test
    @DisplayName("a request whose final ACK was lost stays in the SYN queue, not readable; the client's next segment "
            + "(it carries the ACK) completes the handshake and the listener becomes readable")
    void aLostFinalAckKeepsTheListenerUnreadable() {
        inProcess(() -> {
            int lfd = listener(8, 0);
            TcpSock sk = sk(lfd);
            Net.current().setDropFilter(skb -> skb.flags() == SkBuff.ACK && skb.dport() == SERVER.port());
            int cfd = connectNonBlocking();
            assertThat(sk(cfd).skState).as("precondition: the client got the SYN-ACK, it is connected")
                    .isEqualTo(TcpSock.TCP_ESTABLISHED);
            int lost = pollNow(lfd);
            int synQueue = sk.icskAcceptQueue.len();

            Net.current().setDropFilter(skb -> false);
            check(Vfs.write(cfd, new byte[] {'x'}, 1));
            int completed = pollNow(lfd);

            assertThat(synQueue).as("precondition: the request waits in the SYN queue").isEqualTo(1);
            assertThat(names(lost)).as("final ACK lost: no child yet, the accept queue is empty").isEqualTo("0");
            assertThat(names(completed)).as("the data segment's ACK completed the handshake: the child is in the "
                    + "accept queue").isEqualTo("EPOLLIN|EPOLLRDNORM");
        });
    }

    // ---- poll(2) ---------------------------------------------------------------------------

    @Test
    @DisplayName("poll(2) on a listener with an empty accept queue times out: 0 after exactly the timeout")
    void pollTimesOutOnAnEmptyQueue() {
        inProcess(() -> {
            int lfd = listener(8, 0);
            PollFd pfd = new PollFd(lfd, EPOLLIN);
            long start = Sched.current().scheduler().clock();
            long ret = Select.poll(new PollFd[] {pfd}, 250);
            long slept = Sched.current().scheduler().clock() - start;
            assertThat(ret).as("poll([listener POLLIN], 1, 250) with nothing to accept").isZero();
            assertThat(pfd.revents).as("revents").isZero();
            assertThat(slept).as("virtual ns poll slept: it registered on sk_wq and slept the whole 250 ms")
                    .isEqualTo(250_000_000L);
            assertThat(sk(lfd).skWq.waitqueueActive()).as("poll_freewait took poll's entry off the socket's queue")
                    .isFalse();
        });
    }

    @Test
    @DisplayName("poll(2) timeout 0 on a listener with a queued connection: POLLIN|POLLRDNORM at once; asked for "
            + "POLLOUT only, 0 (a listener is never writable)")
    void pollReportsAQueuedConnection() {
        inProcess(() -> {
            int lfd = listener(8, 0);
            connectNonBlocking();
            PollFd in = new PollFd(lfd, EPOLLIN | EPOLLRDNORM);
            PollFd out = new PollFd(lfd, EPOLLOUT);
            long switches = Sched.current().voluntarySwitches();
            long retIn = Select.poll(new PollFd[] {in}, 0);
            long retOut = Select.poll(new PollFd[] {out}, 0);
            assertThat(retIn).as("poll([listener POLLIN|POLLRDNORM], 1, 0) with a connection queued").isEqualTo(1);
            assertThat(Poll.names("POLL", in.revents)).as("revents").isEqualTo("POLLIN|POLLRDNORM");
            assertThat(retOut).as("poll([listener POLLOUT], 1, 0): tcp_poll never reports POLLOUT for a listener")
                    .isZero();
            assertThat(Sched.current().voluntarySwitches()).as("timeout 0 never sleeps").isEqualTo(switches);
        });
    }

    @Test
    @DisplayName("a task blocked in poll(2) on an empty listener is woken by another task's connect and returns "
            + "POLLIN; the wake-up is done by the connecting task")
    void aBlockedPollIsWokenByAConnect() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            Process p = new Process(sched, "server");
            PollFd pfd = new PollFd(3, EPOLLIN);
            AtomicLong ret = new AtomicLong(-999);
            Task server = p.spawn("server", () -> {
                assertThat(listener(8, 0)).as("the listener's fd").isEqualTo(3);
                ret.set(Select.poll(new PollFd[] {pfd}, -1));
            });
            sched.runUntilIdle();
            assertThat(server.state()).as("poll(-1) on an empty listener sleeps").isEqualTo(TASK_INTERRUPTIBLE);
            int mark = sched.trace().events().size();

            Task client = p.spawn("client", Sockets::connectNonBlocking);
            sched.run();

            assertThat(ret.get()).as("poll's result once the connection completed").isEqualTo(1);
            assertThat(Poll.names("POLL", pfd.revents)).as("revents: POLLIN (what was asked of IN|RDNORM)")
                    .isEqualTo("POLLIN");
            assertThat(server.wakeups()).as("the poller was woken once").isEqualTo(1);
            assertThat(wakersOf(sched.trace().events().subList(mark, sched.trace().events().size()), server))
                    .as("who woke the poller: the handshake's last step runs in the client's connect()")
                    .containsExactly(client.toString());
        }
    }

    // ---- epoll ----------------------------------------------------------------------------

    /** A buffer for one event. */
    private static EpollEvent[] oneSlot() {
        return new EpollEvent[] {new EpollEvent()};
    }

    /** The tasks (comm-pid) that recorded a wake-up of {@code sleeper} in {@code events}. */
    private static List<String> wakersOf(List<TraceEvent> events, Task sleeper) {
        return events.stream().filter(e -> e.kind() == TraceEvent.Kind.WAKEUP && sleeper.toString().equals(e.peer()))
                .map(TraceEvent::task).toList();
    }

    /** A server process whose "worker" makes the listener (3) and an epoll (4) watching it for EPOLLIN, then runs {@code then}. */
    private static Task epollWorker(DeterministicScheduler sched, Process p, Runnable then) {
        Task worker = p.spawn("worker", () -> {
            assertThat(listener(8, 0)).as("the listener's fd").isEqualTo(3);
            assertThat(check(Epoll.epollCreate1(0))).as("the epoll's fd").isEqualTo(4);
            check(Epoll.epollCtl(4, EPOLL_CTL_ADD, 3, new EpollEvent(EPOLLIN, 42)));
            then.run();
        });
        sched.runUntilIdle();
        return worker;
    }

    @Test
    @DisplayName("a worker sleeping in epoll_wait on a listener is woken by a client's connect: one EPOLLIN event, "
            + "and the wake-up is done inside the client's task")
    void epollWaitIsWokenByAConnect() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            Process p = new Process(sched, "server");
            EpollEvent[] events = {new EpollEvent(), new EpollEvent()};
            AtomicLong ret = new AtomicLong(-999);
            Task worker = epollWorker(sched, p, () -> ret.set(Epoll.epollWait(4, events, 2, -1)));
            assertThat(worker.state()).as("epoll_wait(-1) with an empty accept queue sleeps")
                    .isEqualTo(TASK_INTERRUPTIBLE);
            int mark = sched.trace().events().size();

            Task client = p.spawn("client", Sockets::connectNonBlocking);
            sched.run();

            assertThat(ret.get()).as("epoll_wait's result").isEqualTo(1);
            assertThat(Epoll.names(events[0].events)).as("the event of the listener").isEqualTo("EPOLLIN");
            assertThat(events[0].data).as("its data, as given to EPOLL_CTL_ADD").isEqualTo(42);
            assertThat(worker.wakeups()).as("the worker was woken exactly once").isEqualTo(1);
            assertThat(wakersOf(sched.trace().events().subList(mark, sched.trace().events().size()), worker))
                    .as("who woke the worker: the client, whose connect() ran the whole handshake on the loopback")
                    .containsExactly(client.toString());
        }
    }

    @Test
    @DisplayName("the listener becomes ready on the handshake's LAST step: while the SYN, the SYN-ACK and the final "
            + "ACK are sent the worker still sleeps; the final ACK's processing wakes it")
    void readyExactlyOnTheLastStep() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            Process p = new Process(sched, "server");
            AtomicLong ret = new AtomicLong(-999);
            Task worker = epollWorker(sched, p, () -> ret.set(Epoll.epollWait(4, oneSlot(), 1, -1)));
            List<String> seen = new CopyOnWriteArrayList<>();
            // Never drops: records, as each segment leaves, whether the worker has been woken yet.
            Net.of(sched).setDropFilter(skb -> {
                seen.add(segment(skb) + ": " + (worker.wakeups() == 0 ? "asleep" : "woken"));
                return false;
            });

            p.spawn("client", () -> {
                connectNonBlocking();
                pause();
            });
            sched.runUntilIdle();

            assertThat(seen).as("each segment of the handshake as it is sent, and the worker's state then")
                    .containsExactly("SYN: asleep", "SYN-ACK: asleep", "ACK: asleep");
            assertThat(worker.wakeups()).as("woken once, by the final ACK's processing (tcp_child_process)")
                    .isEqualTo(1);
            assertThat(ret.get()).as("epoll_wait's result").isEqualTo(1);
        }
    }

    private static String segment(SkBuff skb) {
        return switch (skb.flags()) {
            case SkBuff.SYN -> "SYN";
            case SkBuff.SYN | SkBuff.ACK -> "SYN-ACK";
            case SkBuff.ACK -> "ACK";
            default -> skb.toString();
        };
    }

    @Test
    @DisplayName("final ACK lost: the listener's epoll is not ready (worker asleep, epoll_wait(0) = 0) although "
            + "the client is connected; the client's first data segment completes it and wakes the worker")
    void aLostFinalAckLeavesTheEpollUnready() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            Process p = new Process(sched, "server");
            AtomicLong ret = new AtomicLong(-999);
            Task worker = epollWorker(sched, p, () -> ret.set(Epoll.epollWait(4, oneSlot(), 1, -1)));
            Net.of(sched).setDropFilter(skb -> skb.flags() == SkBuff.ACK && skb.dport() == SERVER.port());
            int[] cfd = new int[1];
            AtomicLong checked = new AtomicLong(-999);
            p.spawn("client", () -> {
                cfd[0] = connectNonBlocking();
                checked.set(Epoll.epollWait(4, oneSlot(), 1, 0));
                pause();
            });
            sched.runUntilIdle();
            assertThat(worker.wakeups()).as("final ACK lost: nothing in the accept queue, the worker sleeps on")
                    .isZero();
            assertThat(checked.get()).as("epoll_wait(epfd, 0) from the client's task: the listener is not ready")
                    .isZero();

            Net.of(sched).setDropFilter(skb -> false);
            p.spawn("writer", () -> check(Vfs.write(cfd[0], new byte[] {'x'}, 1)));
            sched.runUntilIdle();

            assertThat(worker.wakeups()).as("the data segment carries the ACK: the handshake completes, the worker "
                    + "is woken").isEqualTo(1);
            assertThat(ret.get()).as("the worker's epoll_wait result").isEqualTo(1);
        }
    }

    @Test
    @DisplayName("ftrace: the wake-up runs in the client's connect() as tcp_v4_rcv -> tcp_child_process -> "
            + "sock_def_readable -> __wake_up -> __wake_up_common -> ep_poll_callback, which wakes the worker")
    void theWakeUpPathInTheFunctionGraph() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            Process p = new Process(sched, "server");
            Task worker = epollWorker(sched, p, () -> Epoll.epollWait(4, oneSlot(), 1, -1));
            int mark = sched.trace().events().size();

            Task client = p.spawn("client", Sockets::connectNonBlocking);
            sched.run();

            List<TraceEvent> events = sched.trace().events().subList(mark, sched.trace().events().size());
            List<TraceEvent> ofClient = events.stream().filter(e -> e.pid() == client.pid()).toList();
            String graph = FtraceFormat.render(ofClient);
            List<String> atCallback = stackAt(ofClient,
                    e -> e.kind() == TraceEvent.Kind.FUNC_ENTRY && e.name().equals("ep_poll_callback"));
            List<String> atWakeup = stackAt(ofClient,
                    e -> e.kind() == TraceEvent.Kind.WAKEUP && worker.toString().equals(e.peer()));

            assertThat(atCallback).as("the client's task calls ep_poll_callback; its function graph:%n%s", graph)
                    .isNotNull();
            assertThat(atCallback.subList(atCallback.lastIndexOf("tcp_v4_rcv"), atCallback.size()))
                    .as("the calls that lead to ep_poll_callback, outermost first: the final ACK found the request "
                            + "(tcp_v4_rcv), the child processed it (tcp_child_process), which called the listener's "
                            + "sk_data_ready (sock_def_readable), whose wake-up walked sk_wq; function graph:%n%s", graph)
                    .containsExactly("tcp_v4_rcv", "tcp_child_process", "sock_def_readable", "__wake_up",
                            "__wake_up_common", "ep_poll_callback");
            assertThat(atCallback.get(0)).as("all of it inside the client's connect(); function graph:%n%s", graph)
                    .isEqualTo("inet_stream_connect");
            assertThat(atWakeup).as("the client's task records the worker's sched_wakeup, from inside "
                    + "ep_poll_callback; function graph:%n%s", graph).isNotNull().contains("ep_poll_callback");
            assertThat(events.stream().filter(e -> e.kind() == TraceEvent.Kind.WAKEUP
                    && worker.toString().equals(e.peer())).map(TraceEvent::pid))
                    .as("every wake-up of the worker is recorded by the client's task").containsExactly(client.pid());
            assertThat(worker.state()).as("the worker returned from epoll_wait and exited").isEqualTo(TASK_DEAD);
        }
    }

    /**
     * The function stack (outermost first) of {@code events}, all of one task, at the first
     * event {@code at} accepts (a function's entry counts as inside it); null if none does.
     */
    private static List<String> stackAt(List<TraceEvent> events, Predicate<TraceEvent> at) {
        Deque<String> stack = new ArrayDeque<>();
        for (TraceEvent e : events) {
            if (e.kind() == TraceEvent.Kind.FUNC_ENTRY) {
                stack.addLast(e.name());
            } else if (e.kind() == TraceEvent.Kind.FUNC_EXIT) {
                stack.pollLast();
            }
            if (at.test(e)) {
                return List.copyOf(stack);
            }
        }
        return null;
    }
}
