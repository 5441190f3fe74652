package herd.nginx;

import static herd.course.kit.Processes.file;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.Seeds;
import herd.course.kit.Schedulers;
import herd.epoll.EpItem;
import herd.epoll.EventPoll;
import herd.fs.File;
import herd.fs.Poll;
import herd.fs.Process;
import herd.sched.DeterministicScheduler;
import herd.sched.Task;
import herd.trace.StraceFormat;
import herd.trace.TraceEvent;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The nginx master and its workers as the reference models them: the master's syscalls
 * (logs on 3-5, the listening socket 6, a socketpair channel per worker), what each
 * worker inherits and closes, and its own epoll watching the one shared listening file.
 */
@ExtendWith(Seeds.Resolver.class)
class NgxMasterTest {
    @AutoClose
    private final Schedulers schedulers = new Schedulers();

    /** nginx with {@code workers} workers on a fresh scheduler, run until every task sleeps. */
    private NgxMaster start(long seed, double preemption, int workers) {
        DeterministicScheduler sched = schedulers.deterministic(seed, preemption);
        NgxMaster master = NgxMaster.start(sched, workers);
        sched.runUntilIdle();
        return master;
    }

    /** The strace lines of one process's first task alone: no other task's call comes between. */
    private static List<String> straceOf(Process p) {
        Task task = p.tasks().get(0);
        DeterministicScheduler sched = (DeterministicScheduler) task.scheduler();
        return StraceFormat.render(sched.trace().events().stream().filter(e -> e.pid() == task.pid()).toList())
                .lines().toList();
    }

    private static String prefix(Process p) {
        return String.format("[pid %5d] ", p.pid());
    }

    @Test
    void theMastersStraceOpensTheLogsThenTheListeningSocketThenAChannelPerWorker() {
        NgxMaster master = start(1, 0.5, 2);
        List<String> lines = straceOf(master.process());
        String pid = prefix(master.process());
        assertThat(master.process().pid()).as("the master is the first task spawned").isEqualTo(100);
        assertThat(lines).as("the master's syscalls: three log files, the socket, two channels, then the wait")
                .hasSize(11);
        for (int i = 0; i < 3; i++) {
            assertThat(lines.get(i)).as("line %d: the log files are opened first, on descriptors 3, 4 and 5", i + 1)
                    .startsWith(pid + "openat(AT_FDCWD, \"/").endsWith(") = " + (3 + i));
        }
        assertThat(lines.subList(3, 11)).as("ngx_open_listening_sockets: socket 6, SO_REUSEADDR, FIONBIO, bind to "
                + "0.0.0.0:80, listen with NGX_LISTEN_BACKLOG 511; then ngx_spawn_process makes a socketpair "
                + "channel per worker; then the master waits").containsExactly(
                pid + "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 6",
                pid + "setsockopt(6, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0",
                pid + "ioctl(6, FIONBIO, [1]) = 0",
                pid + "bind(6, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"0.0.0.0\")}, 16) = 0",
                pid + "listen(6, 511) = 0",
                pid + "socketpair(AF_UNIX, SOCK_STREAM, 0, [7, 8]) = 0",
                pid + "socketpair(AF_UNIX, SOCK_STREAM, 0, [9, 10]) = 0",
                pid + "poll([], 0, -1 <unfinished ...>");
        assertThat(master.listenFd()).as("the listening descriptor").isEqualTo(6);
    }

    @Test
    void withThreeWorkersTheMasterMakesThreeChannels() {
        NgxMaster master = start(1, 0.0, 3);
        String pid = prefix(master.process());
        assertThat(straceOf(master.process())).as("one socketpair per worker, each on the next two descriptors")
                .containsSubsequence(
                        pid + "listen(6, 511) = 0",
                        pid + "socketpair(AF_UNIX, SOCK_STREAM, 0, [7, 8]) = 0",
                        pid + "socketpair(AF_UNIX, SOCK_STREAM, 0, [9, 10]) = 0",
                        pid + "socketpair(AF_UNIX, SOCK_STREAM, 0, [11, 12]) = 0");
        assertThat(master.workers).as("three workers, in spawn order").extracting(NgxWorker::toString)
                .containsExactly("worker1", "worker2", "worker3");
    }

    @Test
    void everyWorkersDescriptor6IsTheMastersListeningFile() {
        NgxMaster master = start(1, 0.5, 3);
        File listening = file(master.process(), 6);
        for (NgxWorker w : master.workers) {
            assertThat(w.process()).as("%s is a process of its own", w).isNotSameAs(master.process());
            assertThat(file(w.process(), 6))
                    .as("%s's fd 6 is the SAME open file as the master's: fork shares open files, it does not "
                            + "copy them; one socket, one accept queue, one wait queue for every worker", w)
                    .isSameAs(listening);
        }
        assertThat(listening.nonBlocking()).as("FIONBIO made the listening file O_NONBLOCK, so every worker's "
                + "accept4 returns EAGAIN instead of sleeping when another worker was faster").isTrue();
    }

    @Test
    void eachWorkerClosesTheChannelEndsItDoesNotUseAndMakesItsEpoll() {
        NgxMaster master = start(1, 0.5, 2);
        Process w1 = master.workers.get(0).process();
        Process w2 = master.workers.get(1).process();
        assertThat(straceOf(w1)).as("worker1 closes the master's end of its channel (7), then epoll_create(512) "
                + "takes the lowest free descriptor, 7").startsWith(
                prefix(w1) + "close(7) = 0",
                prefix(w1) + "epoll_create(512) = 7");
        assertThat(straceOf(w2)).as("worker2 closes worker1's end (8) and the master's end of its own channel "
                + "(9); its epoll gets 8").startsWith(
                prefix(w2) + "close(8) = 0",
                prefix(w2) + "close(9) = 0",
                prefix(w2) + "epoll_create(512) = 8");
        assertThat(straceOf(w1)).as("worker1's epoll watches the listening socket 6 (level-triggered) and its "
                + "channel end 8").containsSubsequence(
                prefix(w1) + "epoll_ctl(7, EPOLL_CTL_ADD, 6, {events=EPOLLIN|EPOLLRDHUP, data={u32=6, u64=6}}) = 0",
                prefix(w1) + "epoll_ctl(7, EPOLL_CTL_ADD, 8, {events=EPOLLIN|EPOLLRDHUP, data={u32=8, u64=8}}) = 0",
                prefix(w1) + "epoll_wait(7,  <unfinished ...>");
        assertThat(straceOf(w2)).as("worker2's epoll 8 watches 6 and its channel end 10").containsSubsequence(
                prefix(w2) + "epoll_ctl(8, EPOLL_CTL_ADD, 6, {events=EPOLLIN|EPOLLRDHUP, data={u32=6, u64=6}}) = 0",
                prefix(w2) + "epoll_ctl(8, EPOLL_CTL_ADD, 10, {events=EPOLLIN|EPOLLRDHUP, data={u32=10, u64=10}}) = 0",
                prefix(w2) + "epoll_wait(8,  <unfinished ...>");
        assertThat(w1.files.openFds()).as("worker1: stdio, logs, 6, epoll 7, channel 8, notify eventfd 9")
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(w2.files.openFds()).as("worker2: stdio, logs, 6, the master's end 7 of worker1's channel, "
                + "epoll 8, notify eventfd 9, channel 10").containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(file(w2, 7)).as("worker2's fd 7 is the master's end of worker1's channel")
                .isSameAs(file(master.process(), 7));
    }

    @Test
    void withThreeWorkersTheThirdClosesThreeChannelEnds() {
        NgxMaster master = start(1, 0.5, 3);
        Process w3 = master.workers.get(2).process();
        assertThat(straceOf(w3)).as("worker3 closes worker1's end 8, worker2's end 10 and the master's end 11 of "
                + "its own channel; epoll 8").startsWith(
                prefix(w3) + "close(8) = 0",
                prefix(w3) + "close(10) = 0",
                prefix(w3) + "close(11) = 0",
                prefix(w3) + "epoll_create(512) = 8");
    }

    @Test
    void eachWorkersEpollWatchesTheListeningSocketLevelTriggered() {
        NgxMaster master = start(1, 0.5, 2);
        for (NgxWorker w : master.workers) {
            EventPoll ep = w.eventPoll();
            assertThat(ep).as("%s has its own epoll", w).isNotNull();
            List<Integer> fds = ep.items().stream().map(epi -> epi.ffd.fd()).sorted().toList();
            assertThat(fds).as("%s watches the listening socket, its notify eventfd and its channel", w)
                    .hasSize(3).contains(6);
            EpItem listen = ep.items().stream().filter(epi -> epi.ffd.fd() == 6).findFirst().orElseThrow();
            assertThat(listen.ffd.file()).as("%s's item is on the shared listening file", w)
                    .isSameAs(file(master.process(), 6));
            assertThat(listen.event.events & (Poll.EPOLLIN | Poll.EPOLLRDHUP | herd.epoll.Epoll.EPOLLET))
                    .as("%s: EPOLLIN|EPOLLRDHUP without EPOLLET: level-triggered", w)
                    .isEqualTo(Poll.EPOLLIN | Poll.EPOLLRDHUP);
            assertThat(w.connection(6)).as("%s's connection for fd 6", w).isNotNull();
            assertThat(w.connection(6).listening).as("%s: fd 6 is its listening connection", w).isTrue();
            assertThat(w.connection(6).read.active).as("%s: the listening read event is in the epoll set", w)
                    .isTrue();
        }
        assertThat(master.workers.get(0).eventPoll()).as("two epolls, one per worker")
                .isNotSameAs(master.workers.get(1).eventPoll());
        assertThat(master.workers).as("every worker sleeps in epoll_wait").allSatisfy(w ->
                assertThat(w.task().state()).as("%s's state", w).isEqualTo(Task.TASK_INTERRUPTIBLE));
    }

    @Test
    void beforeAnyConnectionEveryCounterIsZero(Seeds seeds) {
        seeds.explore(10, 0.5, sched -> {
            NgxMaster master = NgxMaster.start(sched, 3);
            sched.runUntilIdle();
            assertThat(WorkerCounters.of(master)).as("the workers set up and sleep: no callback, no wake-up, no "
                    + "return from epoll_wait, no accept").containsExactly(
                    new WorkerCounters("worker1", 0, 0, 0, 0, 0, 0),
                    new WorkerCounters("worker2", 0, 0, 0, 0, 0, 0),
                    new WorkerCounters("worker3", 0, 0, 0, 0, 0, 0));
        });
    }

    @Test
    void oneConnectionToThreeWorkersWakesEachOnceAndOneAccepts(Seeds seeds) {
        seeds.explore(20, 0.5, sched -> {
            NgxMaster master = NgxMaster.start(sched, 3);
            sched.runUntilIdle();
            Telnet.connect(sched);
            sched.runUntilIdle();
            List<WorkerCounters> c = WorkerCounters.of(master);
            assertThat(c).as("the listening socket's one wake-up calls every worker's ep_poll_callback once and "
                    + "wakes every worker once").allSatisfy(w -> {
                        assertThat(w.callbacks()).as("%s's callbacks", w.worker()).isEqualTo(1);
                        assertThat(w.wakeups()).as("%s's wake-ups", w.worker()).isEqualTo(1);
                        assertThat(w.epollWaitReturns() + w.hiddenWakeups())
                                .as("%s's one wake-up either ends its epoll_wait or hides", w.worker()).isEqualTo(1);
                        assertThat(w.accepts() + w.eagain()).as("%s calls accept4 once per return", w.worker())
                                .isEqualTo(w.epollWaitReturns());
                    });
            assertThat(c.stream().mapToLong(WorkerCounters::accepts).sum()).as("exactly one worker accepts")
                    .isEqualTo(1);
            assertThat(c.stream().mapToLong(w -> w.eagain() + w.hiddenWakeups()).sum())
                    .as("the two others were woken for nothing: EAGAIN or hidden").isEqualTo(2);
            assertThat(master.workers).as("no worker logged an error").allSatisfy(w ->
                    assertThat(w.errorLog).as("%s's error log", w).isEmpty());
            NgxWorker winner = master.workers.get(IntStream.range(0, 3).filter(i -> c.get(i).accepts() == 1)
                    .findFirst().orElseThrow());
            List<Long> accepted = sched.trace().events().stream()
                    .filter(e -> e.pid() == winner.task().pid() && e.kind() == TraceEvent.Kind.SYSCALL_EXIT
                            && e.name().equals("accept4") && e.ret() >= 0)
                    .map(TraceEvent::ret).toList();
            assertThat(accepted).as("%s's one successful accept4", winner).hasSize(1);
            assertThat(winner.connection(accepted.get(0).intValue()))
                    .as("%s keeps the accepted connection, waiting for a request", winner).isNotNull();
        });
    }

    @Test
    void minusSubtractsFieldByFieldAndKeepsTheName() {
        WorkerCounters after = new WorkerCounters("worker2", 17, 13, 11, 7, 5, 3);
        WorkerCounters before = new WorkerCounters("worker2", 10, 8, 6, 4, 2, 1);
        assertThat(after.minus(before)).as("each count minus the same count before; the worker's name stays")
                .isEqualTo(new WorkerCounters("worker2", 7, 5, 5, 3, 3, 2));
        assertThat(after.minus(after)).as("a reading minus itself is all 0")
                .isEqualTo(new WorkerCounters("worker2", 0, 0, 0, 0, 0, 0));
    }
}
