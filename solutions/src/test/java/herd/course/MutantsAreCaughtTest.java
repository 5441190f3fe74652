package herd.course;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tests of the tests: each plausible wrong implementation of an exercise, compiled in
 * place of the reference file, must fail that exercise's tests. A suite that lets a
 * known-wrong answer pass is a bug in the course.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@Execution(ExecutionMode.CONCURRENT)
class MutantsAreCaughtTest {
    private static final String QUEUE = "wait/WaitQueueHead.java";
    private static final String ENTRY = "wait/WaitQueueEntry.java";
    private static final String WAIT = "wait/Wait.java";
    private static final String EVENT = "wait/WaitEvent.java";
    private static final String SCHED = "sched/Sched.java";
    private static final String EPOLL = "epoll/Epoll.java";
    private static final String EVENTPOLL = "epoll/EventPoll.java";
    private static final String CTL = "epoll/EpollCtl.java";
    private static final String CALLBACK = "epoll/EpPollCallback.java";
    private static final String WAITING = "epoll/EpollWait.java";
    private static final String LOOP = "epoll/EpollLoopCheck.java";
    private static final String CALLS = "socket/SocketCalls.java";
    private static final String AF_INET = "inet/AfInet.java";
    private static final String TCP_SOCK = "inet/TcpSock.java";
    private static final String CSK = "inet/InetConnectionSock.java";
    private static final String INPUT = "inet/TcpInput.java";
    private static final String IPV4 = "inet/TcpIpv4.java";
    private static final String MINISOCKS = "inet/TcpMinisocks.java";
    private static final String TCP = "inet/Tcp.java";
    private static final String NGX_EPOLL = "nginx/NgxEpollModule.java";
    private static final String NGX_ACCEPT = "nginx/NgxEventAccept.java";
    private static final String NGX_HTTP = "nginx/NgxHttp.java";
    private static final String ACCOUNTING = "nginx/HerdAccounting.java";
    private static final String REUSEPORT = "inet/SockReuseport.java";
    private static final String NGX_MASTER = "nginx/NgxMaster.java";
    private static final String NGX_WORKER = "nginx/NgxWorker.java";
    private static final String PREFORK = "fix/PreforkServer.java";
    private static final String BATCH = "fix/BatchAccept.java";

    static Stream<Mutant> mutants() {
        return Stream.of(
                new Mutant("L01-E1", "add_wait_queue_exclusive links at the head (wrong queue end)", QUEUE,
                        "            addWaitQueueEntryTailLocked(wqEntry);",
                        "            addWaitQueueLocked(wqEntry);"),
                new Mutant("L01-E1", "add_wait_queue keeps a stale WQ_FLAG_EXCLUSIVE", QUEUE,
                        "        wqEntry.flags &= ~WQ_FLAG_EXCLUSIVE;\n        lock.lock();",
                        "        lock.lock();"),
                new Mutant("L01-E2", "wake-all instead of wake-one: the exclusive budget is never spent", QUEUE,
                        "if (ret != 0 && (flags & WQ_FLAG_EXCLUSIVE) != 0 && --nrExclusive == 0) {",
                        "if (ret != 0 && (flags & WQ_FLAG_EXCLUSIVE) != 0 && --nrExclusive == Integer.MIN_VALUE) {"),
                new Mutant("L01-E2", "an entry that declined (returned 0) still spends the budget", QUEUE,
                        "if (ret != 0 && (flags & WQ_FLAG_EXCLUSIVE) != 0 && --nrExclusive == 0) {",
                        "if ((flags & WQ_FLAG_EXCLUSIVE) != 0 && --nrExclusive == 0) {"),
                new Mutant("L01-E2", "a negative return does not stop the walk", QUEUE,
                        "                if (ret < 0) {\n                    break;\n                }\n", ""),
                new Mutant("L01-E3", "try_to_wake_up ignores the state mask", SCHED,
                        "if ((p.state() & state) == 0) {", "if (p.state() == TASK_RUNNING) {"),
                new Mutant("L01-E3", "autoremove_wake_function unlinks even when nothing was woken", ENTRY,
                        "            if (ret != 0) {\n                wqEntry.entry.delInit();",
                        "            if (ret >= 0) {\n                wqEntry.entry.delInit();"),
                new Mutant("L01-E4", "prepare_to_wait_exclusive links at the head (LIFO instead of FIFO)", WAIT,
                        "                wqHead.addWaitQueueEntryTailLocked(wqEntry);\n            }\n            setCurrentState",
                        "                wqHead.addWaitQueueLocked(wqEntry);\n            }\n            setCurrentState"),
                new Mutant("L01-E4", "finish_wait leaves the entry on the queue", WAIT,
                        "        if (!wqEntry.entry.isEmpty()) {\n            wqHead.lock.lock();",
                        "        if (false) {\n            wqHead.lock.lock();"),
                new Mutant("L01-E5", "lost wake-up: the condition is tested before the task is queued", EVENT,
                        "                long interrupted = Wait.prepareToWaitEvent(wqHead, wait, state);\n"
                                + "                if (condition.getAsBoolean()) {",
                        "                boolean ready = condition.getAsBoolean();\n"
                                + "                long interrupted = Wait.prepareToWaitEvent(wqHead, wait, state);\n"
                                + "                if (ready) {",
                        "replay exactly this run"),
                new Mutant("L01-E5", "a pending signal is ignored", EVENT,
                        "                if (interrupted != 0) {\n                    return interrupted;\n                }\n",
                        ""),
                new Mutant("L01-E6", "wake_up wakes every exclusive sleeper (thundering herd)", QUEUE,
                        "return wakeUp(TASK_NORMAL, 1, 0, 0);", "return wakeUp(TASK_NORMAL, 0, 0, 0);"),
                new Mutant("L01-E6", "wake_up_interruptible also wakes uninterruptible sleepers", QUEUE,
                        "return wakeUp(TASK_INTERRUPTIBLE, 1, 0, 0);", "return wakeUp(TASK_NORMAL, 1, 0, 0);"),
                new Mutant("L01-E6", "wake_up_interruptible_sync_poll drops the poll key", QUEUE,
                        "return wakeUp(TASK_INTERRUPTIBLE, 1, WF_SYNC, mask);",
                        "return wakeUp(TASK_INTERRUPTIBLE, 1, WF_SYNC, 0);"),
                new Mutant("L02-E1", "epoll_create1 accepts any flags", EPOLL,
                        "if ((flags & ~EPOLL_CLOEXEC) != 0) {", "if (false) {"),
                new Mutant("L02-E1", "the tree keys items by file only: a dup'd fd collides", EVENTPOLL,
                        ": Integer.compare(p1.fd(), p2.fd());", ": 0;"),
                new Mutant("L02-E2", "epoll's entry is exclusive at the tail: one epoll per wake-up", CTL,
                        "whead.addWaitQueue(pwq);", "whead.addWaitQueueExclusive(pwq);"),
                new Mutant("L02-E2", "a file that is ready when added is not queued", CTL,
                        "if (epItemPoll(epi, new EpPqueue(epi), 1) != 0) {",
                        "if (epItemPoll(epi, new EpPqueue(epi), 1) != 0 && false) {"),
                new Mutant("L02-E3", "the callback ignores the wake-up's key", CALLBACK,
                        "if (pollflags != 0 && (pollflags & epi.event.events) == 0) {", "if (false) {"),
                new Mutant("L02-E3", "during a scan the item goes to the ready list, not the overflow chain", CALLBACK,
                        "if (ep.ovflist != EP_UNACTIVE_PTR) {", "if (false) {"),
                new Mutant("L02-E3", "the callback wakes every epoll_wait sleeper", CALLBACK,
                        "                        if (sync != 0) {\n                            ep.wq.wakeUpSync(); "
                                + "// the waker asked for WF_SYNC: pass the hint on\n                        } else {\n"
                                + "                            ep.wq.wakeUp();\n                        }\n",
                        "                        ep.wq.wakeUpAll();\n"),
                new Mutant("L02-E3", "the callback drops the sync hint (before 900bbaae67e9, 2024)", CALLBACK,
                        "                        if (sync != 0) {\n                            ep.wq.wakeUpSync();",
                        "                        if (false) {\n                            ep.wq.wakeUpSync();"),
                new Mutant("L02-E5", "epoll_wait sleepers queue at the tail (FIFO instead of LIFO)", WAITING,
                        "ep.wq.addWaitQueueExclusiveLocked(wait);",
                        "wait.flags |= herd.wait.WaitQueueEntry.WQ_FLAG_EXCLUSIVE; "
                                + "ep.wq.addWaitQueueEntryTailLocked(wait);"),
                new Mutant("L02-E5", "a pending signal wins over ready events", WAITING,
                        "                if (eavail) {\n                    long res",
                        "                if (signalPending(current())) {\n                    return Errno.EINTR.neg();\n"
                                + "                }\n                if (eavail) {\n                    long res"),
                new Mutant("L02-E5", "ep_poll's entry is autoremove_wake_function (before 6.0): a waiter that timed out "
                        + "keeps its entry when a callback reaches it, and returns 0", WAITING,
                        "new WaitQueueEntry(current(), EpollWait::epAutoremoveWakeFunction, 0);",
                        "WaitQueueEntry.initWaitEntry(0);"),
                new Mutant("L02-E5", "a woken thread that finds nothing returns 0 instead of sleeping again", WAITING,
                        "                    if (res != 0) {\n                        return res;\n                    }",
                        "                    return res;"),
                new Mutant("L02-E4", "edge-triggered items are re-queued like level-triggered ones", WAITING,
                        "} else if ((epi.event.events & EPOLLET) == 0) {", "} else {"),
                new Mutant("L02-E4", "the end of the scan wakes nobody (the LT cascade is lost)", EVENTPOLL,
                        "if (!rdllist.isEmpty() && wq.waitqueueActive()) {", "if (false) {"),
                new Mutant("L02-E4", "items not reached go to the back: maxevents does not rotate fairly", EVENTPOLL,
                        "rdllist.spliceInit(txlist);",
                        "for (EpItem left : txlist.entries()) { left.rdllink.delInit(); rdllist.addTail(left.rdllink); }"),
                new Mutant("L02-E6", "EINVAL (not an epoll) checked before EPERM (no poll)", CTL,
                        "            if (!tf.fOp.canPoll()) {\n                return Errno.EPERM.neg();\n            }\n",
                        "            if (!isFileEpoll(f)) {\n                return Errno.EINVAL.neg();\n            }\n"
                                + "            if (!tf.fOp.canPoll()) {\n                return Errno.EPERM.neg();\n"
                                + "            }\n"),
                new Mutant("L02-E6", "EPOLL_CTL_MOD does not re-poll: a re-armed ready file wakes nobody", CTL,
                        "            if (epItemPoll(epi, new PollTable(null), 1) != 0) {", "            if (false) {"),
                new Mutant("L02-E6", "the loop check ignores the epolls above", LOOP,
                        "return depth + 1 + epGetUpwardsDepthProc(ep) > EP_MAX_NESTS ? -1 : 0;",
                        "return depth + 1 > EP_MAX_NESTS ? -1 : 0;"),
                new Mutant("L02-E6", "no cycle check", LOOP,
                        "            if (child == insertingInto || depth > EP_MAX_NESTS) {",
                        "            if (depth > EP_MAX_NESTS) {"),
                new Mutant("L03-E1", "the accept queue is full AT the backlog: it holds b, not b+1", TCP_SOCK,
                        "return skAckBacklog > skMaxAckBacklog;", "return skAckBacklog >= skMaxAckBacklog;"),
                new Mutant("L03-E1", "the SYN queue is full AT the backlog, as before 2025: listen(fd, 0) admits nothing", CSK,
                        "return sk.icskAcceptQueue.len() > sk.skMaxAckBacklog;",
                        "return sk.icskAcceptQueue.len() >= sk.skMaxAckBacklog;"),
                new Mutant("L03-E1", "the somaxconn cap compares signed: a negative backlog stays negative", CALLS,
                        "Integer.compareUnsigned(backlog, somaxconn) > 0", "backlog > somaxconn"),
                new Mutant("L03-E1", "a SYN that finds the accept queue full is admitted", INPUT,
                        "        if (sk.skAcceptqIsFull()) {\n            sk.net.incStats(Mib.LISTEN_OVERFLOWS);\n"
                                + "            return false;\n        }\n", ""),
                new Mutant("L03-E1", "listen() on a listener is refused", AF_INET,
                        "if (oldState != TCP_CLOSE && oldState != TCP_LISTEN) {", "if (oldState != TCP_CLOSE) {"),
                new Mutant("L03-E2", "the listener is woken before the child is in the accept queue", CSK,
                        "                req.sk = child;\n                queue.linkTail(req);",
                        "                sk.skDataReady.accept(sk);\n                req.sk = child;\n"
                                + "                queue.linkTail(req);"),
                new Mutant("L03-E2", "sk_ack_backlog is not counted: the accept queue never fills", CSK,
                        "                sk.skAckBacklog++;\n", ""),
                new Mutant("L03-E2", "a final ACK that overflows is not counted", IPV4,
                        "            sk.net.incStats(Mib.LISTEN_OVERFLOWS);\n            TcpInput.tcpListendrop(sk);",
                        "            TcpInput.tcpListendrop(sk);"),
                new Mutant("L03-E2", "an overflowing final ACK kills the request instead of marking it acked", MINISOCKS,
                        "                req.acked = true;\n                return null;",
                        "                embryonicReset(sk, skb, req);\n                return null;"),
                new Mutant("L03-E2", "the child's sk_data_ready is called instead of the listener's", MINISOCKS,
                        "parent.skDataReady.accept(parent);", "child.skDataReady.accept(child);"),
                new Mutant("L03-E3", "tcp_poll does not register the caller on the socket's queue", TCP,
                        "        PollTable.pollWait(file, sk.skWq, wait);\n        return sk.skState;",
                        "        return sk.skState;"),
                new Mutant("L03-E3", "a request in the SYN queue makes the listener readable", CSK,
                        "return sk.icskAcceptQueue.isEmpty() ? 0 : EPOLLIN | EPOLLRDNORM;",
                        "return sk.icskAcceptQueue.isEmpty() && sk.icskAcceptQueue.len() == 0 ? 0 : EPOLLIN | EPOLLRDNORM;"),
                new Mutant("L03-E4", "accept on a socket that is not listening gives EAGAIN, not EINVAL", CSK,
                        "                if (sk.skState != TCP_LISTEN) {\n                    err[0] = Errno.EINVAL.neg();",
                        "                if (false) {\n                    err[0] = Errno.EINVAL.neg();"),
                new Mutant("L03-E4", "a non-blocking listener blocks in accept", CSK,
                        "sk.sockRcvtimeo((flags & File.O_NONBLOCK) != 0)", "sk.sockRcvtimeo(false)"),
                new Mutant("L03-E5", "acceptors sleep non-exclusive: one connection wakes them all", CSK,
                        "Wait.prepareToWaitExclusive(sk.skWq, wait, TASK_INTERRUPTIBLE);",
                        "Wait.prepareToWait(sk.skWq, wait, TASK_INTERRUPTIBLE);"),
                new Mutant("L03-E5", "a signal without a timeout gives EINTR inside the kernel, not ERESTARTSYS", CSK,
                        "                err = sockIntrErrno(timeo);", "                err = Errno.EINTR.neg();"),
                new Mutant("L03-E5", "a timed-out accept returns 0 without a connection", CSK,
                        "                err = Errno.EAGAIN.neg();\n                if (timeo == 0) {",
                        "                err = 0;\n                if (timeo == 0) {"),
                new Mutant("L04-E1", "epoll_create1(0) instead of nginx's epoll_create(512)", NGX_EPOLL,
                        "return (int) Epoll.epollCreate(1024 / 2);", "return (int) Epoll.epollCreate1(0);"),
                new Mutant("L04-E1", "the descriptors are added without EPOLLRDHUP", NGX_EPOLL,
                        "new EpollEvent(EPOLLIN | EPOLLRDHUP | flags, c.fd)", "new EpollEvent(EPOLLIN | flags, c.fd)"),
                new Mutant("L04-E1", "an event is handled even when its read side is not active", NGX_EPOLL,
                        "(EPOLLIN | EPOLLERR | EPOLLHUP)) != 0 && rev.active) {", "(EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) {"),
                new Mutant("L04-E1", "epoll_wait gets one slot instead of 512", NGX_EPOLL,
                        "eventList, NEVENTS, timer);", "eventList, 1, timer);"),
                new Mutant("L04-E2", "accept4 without SOCK_NONBLOCK: the connection blocks the worker", NGX_ACCEPT,
                        "socklen, Socket.SOCK_NONBLOCK);", "socklen, 0);"),
                new Mutant("L04-E2", "connections added level-triggered", NGX_HTTP,
                        "NgxEpollModule.ngxEpollAddEvent(NgxWorker.current(), c.read, NgxEpollModule.NGX_CLEAR_EVENT);",
                        "NgxEpollModule.ngxEpollAddEvent(NgxWorker.current(), c.read, 0);"),
                new Mutant("L04-E2", "multi_accept is ignored: one accept per event", NGX_ACCEPT,
                        "ev.available = worker.multiAccept;", "ev.available = false;"),
                new Mutant("L04-E2", "the request handler closes the connection on EAGAIN", NGX_HTTP,
                        "        if (n == Errno.EAGAIN.neg()) {\n            return;\n        }\n", ""),
                new Mutant("L04-E3", "Jain's index without n: equal shares give n, not 1", ACCOUNTING,
                        "sum * sum / (shares.size() * squares)", "sum * sum / squares"),
                new Mutant("L04-E3", "hidden wake-ups are left out of the figures", ACCOUNTING,
                        "            hidden += c.hiddenWakeups();\n", ""),
                new Mutant("L04-E3", "EAGAIN returns are not counted as spurious", ACCOUNTING,
                        "            spurious += c.eagain();\n", ""),
                new Mutant("L05-E1", "EPOLLEXCLUSIVE is ignored: a non-exclusive entry at the head", CTL,
                        "        whead.addWaitQueueExclusive(pwq);", "        whead.addWaitQueue(pwq);"),
                new Mutant("L05-E2", "a key with both EPOLLIN and EPOLLOUT counts as the exclusive wake-up", CALLBACK,
                        "            default -> 0;", "            default -> 1;"),
                new Mutant("L05-E2", "a wake-up without a key does not count", CALLBACK,
                        "            case 0 -> 1;", "            case 0 -> 0;"),
                new Mutant("L05-E3", "EPOLL_CTL_MOD with EPOLLEXCLUSIVE is allowed", CTL,
                        "        if (op == EPOLL_CTL_MOD) {\n            return Errno.EINVAL.neg();\n        }\n", ""),
                new Mutant("L05-E3", "EPOLLRDHUP is accepted with EPOLLEXCLUSIVE", CTL,
                        "(epds.events & ~EPOLLEXCLUSIVE_OK_BITS) != 0", "(epds.events & ~(EPOLLEXCLUSIVE_OK_BITS | 0x2000)) != 0"),
                new Mutant("L05-E4", "the group ignores the hash: every connection goes to the first listener", REUSEPORT,
                        "return n == 0 ? null : (TcpSock) socks[reciprocalScale(hash, n)];",
                        "return n == 0 ? null : (TcpSock) socks[0];"),
                new Mutant("L05-E4", "a member leaving keeps the order instead of moving the last one into its slot",
                        REUSEPORT, "            int i = reuse.socks.indexOf(sk);\n            TcpSock last = "
                                + "reuse.socks.remove(reuse.socks.size() - 1);\n            if (last != sk) {\n"
                                + "                reuse.socks.set(i, last);\n            }",
                        "            reuse.socks.remove(sk);"),
                new Mutant("L05-E6", "the exclusive add keeps EPOLLRDHUP, which the kernel refuses", NGX_EPOLL,
                        "new EpollEvent(EPOLLIN | EPOLLEXCLUSIVE, c.fd)",
                        "new EpollEvent(EPOLLIN | EPOLLEXCLUSIVE | herd.fs.Poll.EPOLLRDHUP, c.fd)"),
                new Mutant("L05-E6", "the listening socket is re-added on every accept event", NGX_ACCEPT,
                        "if (c.requests++ % 16 != 0 && worker.acceptDisabled <= 0) {",
                        "if (c.requests++ < 0 && worker.acceptDisabled <= 0) {"),
                new Mutant("L05-E6", "a worker short of connections does not give way", NGX_ACCEPT,
                        "if (c.requests++ % 16 != 0 && worker.acceptDisabled <= 0) {", "if (c.requests++ % 16 != 0) {"),
                new Mutant("L05-E6", "the worker never moves to the back of the queue", NGX_ACCEPT,
                        "        NgxEpollModule.ngxEpollDelEvent(worker, c.read);\n"
                                + "        NgxEpollModule.ngxEpollAddExclusiveEvent(worker, c.read);\n", ""),
                new Mutant("L05-E7", "the cloned sockets do not set SO_REUSEPORT", NGX_MASTER,
                        "listening.add(ngxOpenListeningSocket(true));", "listening.add(ngxOpenListeningSocket(false));"),
                new Mutant("L05-E7", "one socket for every worker instead of one each", NGX_MASTER,
                        "for (int n = 0; n < conf.workerProcesses(); n++) {", "for (int n = 0; n < 1; n++) {"),
                new Mutant("L05-E5", "the holder unlocks before it accepts from the posted accept events", NGX_WORKER,
                        "            NgxEventPosted.ngxEventProcessPosted(postedAcceptEvents);\n"
                                + "            if (acceptMutexHeld) {\n"
                                + "                master.acceptMutex.unlock(process.pid());\n            }\n",
                        "            if (acceptMutexHeld) {\n"
                                + "                master.acceptMutex.unlock(process.pid());\n            }\n"
                                + "            NgxEventPosted.ngxEventProcessPosted(postedAcceptEvents);\n"),
                new Mutant("L05-E5", "the holder handles its events at once instead of posting them", NGX_WORKER,
                        "flags |= NGX_POST_EVENTS;", "flags |= 0;"),
                new Mutant("L05-E5", "a worker without the mutex waits forever instead of accept_mutex_delay", NGX_WORKER,
                        "                    timer = ACCEPT_MUTEX_DELAY;\n", ""),
                new Mutant("L05-E5", "the holder never adds the listening socket", NGX_ACCEPT,
                        "            if (!ngxEnableAcceptEvents(worker)) {\n                mutex.unlock(pid);",
                        "            if (false) {\n                mutex.unlock(pid);"),
                new Mutant("L05-E5", "a worker that lost the mutex keeps the listening socket", NGX_ACCEPT,
                        "            if (!ngxDisableAcceptEvents(worker, false)) {\n                return false;\n            }\n",
                        ""),
                new Mutant("L05-E5", "ngx_accept_disabled is ignored: a worker short of connections still competes",
                        NGX_WORKER, "if (acceptDisabled > 0) {", "if (acceptDisabled > 1) {"),
                new Mutant("L05-E8", "the prefork child does not count what it served", PREFORK,
                        "            child.requests++;\n", ""),
                new Mutant("L05-E8", "the batch has no cap: accept until EAGAIN", BATCH,
                        "loops < limit; loops++) {\n", "loops < Integer.MAX_VALUE; loops++) {\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mutants")
    void theExerciseTestsRejectIt(Mutant mutant) {
        Path mutantClasses = mutant.compile();
        Path tests = IsolatedRun.classes(mutant.lessonModule(), "test-classes");
        List<Path> classPath = List.of(mutantClasses, IsolatedRun.classes("solutions", "classes"), tests);

        // Not the stress tests: a mutant may make them spin until the exercise timeout; the exact tests decide.
        List<IsolatedRun.Result> results = IsolatedRun.run(classPath, tests, mutant.exercise() + " & !stress");

        assertThat(results).as("tests tagged " + mutant.exercise()).isNotEmpty();
        assertThat(results).as("tests of " + mutant.exercise() + " that fail on the mutant '" + mutant.name() + "'")
                .anyMatch(r -> !r.passed());
        assertThat(results).as("a failure report of the mutant that says '" + mutant.reportSays() + "'")
                .anyMatch(r -> !r.passed() && r.message().contains(mutant.reportSays()));
    }
}
