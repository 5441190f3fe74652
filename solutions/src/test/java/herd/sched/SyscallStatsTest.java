package herd.sched;

import static herd.course.kit.Epolls.slots;
import static herd.course.kit.Syscalls.check;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Schedulers;
import herd.epoll.Epoll;
import herd.epoll.EpollEvent;
import herd.fs.EventFd;
import herd.fs.Poll;
import herd.fs.Process;
import herd.fs.Vfs;
import herd.trace.Strace;
import herd.uapi.Errno;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * {@link SyscallStats}, counted by {@link Strace} for every syscall of a task: the calls
 * that returned, their errors by errno, the wake-ups each call slept through, and the
 * hidden ones (woken, found nothing, slept again without returning). Real syscalls on
 * a deterministic scheduler without preemption, so that the test decides who runs when:
 * a task runs until it sleeps or exits.
 */
class SyscallStatsTest {
    @AutoClose
    private final Schedulers schedulers = new Schedulers();
    private final DeterministicScheduler sched = schedulers.deterministic(1);
    /** The process whose tasks share the descriptors of the test. */
    private final Process process = new Process(sched, "test");

    private static long write(int fd, long value) {
        return Vfs.write(fd, EventFd.value(value), Long.BYTES);
    }

    private static long read(int fd) {
        return Vfs.read(fd, new byte[Long.BYTES], Long.BYTES);
    }

    /** Runs {@code body} in a new task of the test's process until every task sleeps or has exited. */
    private Task run(String comm, Runnable body) {
        Task task = process.spawn(comm, body);
        sched.runUntilIdle();
        return task;
    }

    @Test
    void aBlockingReadWokenByAWriteReturnsOnceAfterOneWakeup() {
        // fd 3: a blocking eventfd; the reader, asleep, keeps the process and its descriptors alive
        Task reader = run("reader", () -> {
            check(EventFd.eventfd2(0, 0));
            assertThat(read(3)).as("the blocking read returns the 8 bytes of the count once woken").isEqualTo(8);
        });
        SyscallStats stats = reader.syscallStats();
        assertThat(reader.state()).as("the reader sleeps in read(): the count is 0").isEqualTo(Task.TASK_INTERRUPTIBLE);
        assertThat(stats.returned("read")).as("a call in progress has not returned").isZero();
        assertThat(stats.wakeupsInside("read", reader)).as("nobody has woken the reader yet").isZero();

        Task writer = run("writer", () -> assertThat(write(3, 1)).as("write(3, 1)").isEqualTo(8));

        assertThat(reader.state()).as("the write woke the reader and it returned and exited").isEqualTo(Task.TASK_DEAD);
        assertThat(stats.returned("eventfd2")).as("eventfd2 returned once").isEqualTo(1);
        assertThat(stats.returned("read")).as("read returned once").isEqualTo(1);
        assertThat(stats.errors("read", Errno.EAGAIN)).as("a read that returned data is no error").isZero();
        assertThat(stats.wakeupsInside("read", reader)).as("the read slept through exactly one wake-up, the write's")
                .isEqualTo(1);
        assertThat(stats.hiddenWakeups("read", reader))
                .as("the only wake-up ended the call: the first wake-up of a call is never hidden").isZero();
        assertThat(stats.wakeupsInside("eventfd2", reader)).as("eventfd2 never slept").isZero();

        SyscallStats w = writer.syscallStats();
        assertThat(w.returned("write")).as("the writer's write returned once").isEqualTo(1);
        assertThat(w.returned("read")).as("the writer never read: each task has its own counts").isZero();
        assertThat(w.wakeupsInside("write", writer)).as("the write never slept").isZero();
    }

    @Test
    void errorsAreCountedByErrnoAndAmongTheReturnedCalls() {
        Task task = run("test", () -> {
            check(EventFd.eventfd2(0, EventFd.EFD_NONBLOCK));
            assertThat(read(3)).as("a non-blocking read of a 0 count").isEqualTo(Errno.EAGAIN.neg());
            assertThat(read(3)).as("again").isEqualTo(Errno.EAGAIN.neg());
            assertThat(write(3, 5)).as("write(3, 5)").isEqualTo(8);
            assertThat(read(3)).as("now the read takes the count").isEqualTo(8);
            assertThat(read(99)).as("a read of a descriptor that is not open").isEqualTo(Errno.EBADF.neg());
        });
        SyscallStats stats = task.syscallStats();
        assertThat(stats.returned("read")).as("every read returned, the failed ones too (strace -c's calls)")
                .isEqualTo(4);
        assertThat(stats.errors("read", Errno.EAGAIN)).as("two reads failed with EAGAIN").isEqualTo(2);
        assertThat(stats.errors("read", Errno.EBADF)).as("one read failed with EBADF").isEqualTo(1);
        assertThat(stats.errors("read", Errno.EINTR)).as("no read failed with EINTR").isZero();
        assertThat(stats.errors("write", Errno.EAGAIN)).as("the write did not fail").isZero();
        assertThat(stats.returned("write")).as("one write").isEqualTo(1);
        assertThat(stats.returned("epoll_wait")).as("a syscall never made counts 0").isZero();
        assertThat(stats.wakeupsInside("read", task)).as("non-blocking reads never sleep").isZero();
        assertThat(stats.hiddenWakeups("read", task)).as("so nothing hides in them").isZero();
    }

    @Test
    void anEpollWaitWokenForNothingSleepsAgainAndCountsAHiddenWakeup() {
        // fd 3: the epoll, fd 4: a non-blocking eventfd watched for EPOLLIN (level-triggered)
        List<Long> results = new CopyOnWriteArrayList<>();
        Task sleeper = run("sleeper", () -> {
            check(Epoll.epollCreate1(0));
            check(EventFd.eventfd2(0, EventFd.EFD_NONBLOCK));
            check(Epoll.epollCtl(3, Epoll.EPOLL_CTL_ADD, 4, new EpollEvent(Poll.EPOLLIN, 4)));
            EpollEvent[] events = slots(8);
            results.add(Epoll.epollWait(3, events, 8, -1));
            results.add(read(4)); // drain: nothing is ready any more
            results.add(Epoll.epollWait(3, events, 8, -1));
        });
        SyscallStats stats = sleeper.syscallStats();
        assertThat(stats.wakeupsInside("epoll_wait", sleeper)).as("asleep in epoll_wait, not woken yet").isZero();

        // The eventfd becomes readable and is drained before the sleeper runs: the wake-up finds nothing.
        Task drainer = run("drainer", () -> {
            assertThat(write(4, 1)).as("write(4, 1) wakes the sleeper through ep_poll_callback").isEqualTo(8);
            assertThat(read(4)).as("the same task drains it before the sleeper runs").isEqualTo(8);
            assertThat(read(4)).as("nothing left").isEqualTo(Errno.EAGAIN.neg());
        });
        assertThat(sleeper.wakeups()).as("the write woke the sleeper once").isEqualTo(1);
        assertThat(sleeper.state()).as("it found nothing and sleeps again in epoll_wait")
                .isEqualTo(Task.TASK_INTERRUPTIBLE);
        assertThat(results).as("epoll_wait has not returned").isEmpty();
        assertThat(stats.returned("epoll_wait")).as("no epoll_wait returned").isZero();
        assertThat(stats.wakeupsInside("epoll_wait", sleeper)).as("the call in progress was woken once")
                .isEqualTo(1);
        assertThat(stats.hiddenWakeups("epoll_wait", sleeper))
                .as("a call in progress counts all its wake-ups so far as hidden: it slept again after this one")
                .isEqualTo(1);
        assertThat(drainer.syscallStats().errors("read", Errno.EAGAIN)).as("the drainer's second read: EAGAIN")
                .isEqualTo(1);
        assertThat(drainer.syscallStats().returned("read")).as("the drainer's two reads").isEqualTo(2);

        // A second write that stays: the second wake-up ends the call.
        run("writer", () -> assertThat(write(4, 1)).as("write(4, 1)").isEqualTo(8));
        assertThat(results).as("the first epoll_wait returned the eventfd; the read drained it; the second "
                + "epoll_wait sleeps").containsExactly(1L, 8L);
        assertThat(stats.returned("epoll_wait")).as("one epoll_wait returned").isEqualTo(1);
        assertThat(stats.wakeupsInside("epoll_wait", sleeper))
                .as("the returned call slept through two wake-ups; the new call has none yet").isEqualTo(2);
        assertThat(stats.hiddenWakeups("epoll_wait", sleeper))
                .as("of a call woken twice before it returned, one wake-up (k - 1) was hidden").isEqualTo(1);
        assertThat(stats.returned("read")).as("the sleeper's drain").isEqualTo(1);
        assertThat(stats.wakeupsInside("read", sleeper)).as("the drain never slept").isZero();

        // The second call is woken for nothing too: its wake-up counts as hidden while it sleeps.
        run("drainer2", () -> {
            assertThat(write(4, 1)).as("write(4, 1)").isEqualTo(8);
            assertThat(read(4)).as("drained at once").isEqualTo(8);
        });
        assertThat(sleeper.wakeups()).as("three wake-ups in all").isEqualTo(3);
        assertThat(results).as("the second epoll_wait still has not returned").hasSize(2);
        assertThat(stats.returned("epoll_wait")).as("still one epoll_wait returned").isEqualTo(1);
        assertThat(stats.wakeupsInside("epoll_wait", sleeper))
                .as("two in the returned call, one in the call in progress").isEqualTo(3);
        assertThat(stats.hiddenWakeups("epoll_wait", sleeper))
                .as("one hidden in the returned call, one so far in the call in progress").isEqualTo(2);
        assertThat(stats.errors("epoll_wait", Errno.EINTR)).as("no epoll_wait failed").isZero();
    }

    @Test
    void aCallThatReturnsWithoutSleepingAfterEarlierWakeupsCountsNone() {
        // Wake-ups before a call are not inside it: the counts start at the call's entry.
        Task sleeper = run("sleeper", () -> {
            check(EventFd.eventfd2(0, 0));
            assertThat(read(3)).as("the first read sleeps and is woken").isEqualTo(8);
            check(write(3, 1));
            assertThat(read(3)).as("the second read finds the count at once").isEqualTo(8);
            assertThat(read(3)).as("the third sleeps").isEqualTo(8);
        });
        run("writer", () -> check(write(3, 1)));
        SyscallStats stats = sleeper.syscallStats();
        assertThat(stats.returned("read")).as("two reads returned; the third sleeps").isEqualTo(2);
        assertThat(stats.wakeupsInside("read", sleeper)).as("only the first read was woken").isEqualTo(1);
        assertThat(stats.hiddenWakeups("read", sleeper))
                .as("the third read, in progress, has not been woken: nothing hidden").isZero();
        assertThat(stats.wakeupsInside("write", sleeper)).as("the wake-up before the write is not inside it")
                .isZero();
    }

    @Test
    void theCountsOfOneNameDoNotLeakIntoAnother() {
        // A task asleep in read: its wake-ups so far belong to read, not to epoll_wait.
        Task reader = run("reader", () -> {
            check(EventFd.eventfd2(0, 0));
            read(3);
        });
        SyscallStats stats = reader.syscallStats();
        assertThat(stats.wakeupsInside("epoll_wait", reader)).as("no epoll_wait in progress").isZero();
        assertThat(stats.hiddenWakeups("epoll_wait", reader)).as("nothing hidden in an epoll_wait never made")
                .isZero();
        assertThat(stats.returned("read")).as("the read is still in progress").isZero();
        assertThat(stats.returned("eventfd2")).as("but eventfd2 returned").isEqualTo(1);
    }

    @Test
    void callsOutsideATaskRunButAreNotCounted() {
        // The test's thread is not a task: Strace runs the body and counts nothing, without failing.
        long ret = Strace.syscall("getpid", () -> "", () -> 42);
        assertThat(ret).as("outside a task the body still runs and its result is returned").isEqualTo(42);
        long err = Strace.syscall("getpid", () -> "", () -> Errno.EAGAIN.neg(), r -> "");
        assertThat(err).as("an error result is returned as is").isEqualTo(Errno.EAGAIN.neg());
        assertThat(sched.trace().events()).as("and nothing is traced").isEmpty();

        Task task = run("test", () -> Strace.syscall("getpid", () -> "", () -> 100));
        assertThat(task.syscallStats().returned("getpid")).as("in a task the same call is counted once")
                .isEqualTo(1);
    }

    @Test
    void enterAndExitCountOneCallWokenKTimesAsKMinusOneHidden() {
        // The counting rule itself, without a scheduler: a call woken 3 times before it returned.
        SyscallStats stats = new SyscallStats();
        stats.enter("epoll_wait", 5);
        stats.exit(1, 8);
        stats.enter("accept4", 8);
        stats.exit(Errno.EAGAIN.neg(), 8);
        stats.enter("epoll_wait", 10);
        stats.exit(2, 11);
        assertThat(stats.returned("epoll_wait")).as("two epoll_wait returned").isEqualTo(2);
        assertThat(stats.wakeupsInside("epoll_wait", null))
                .as("wake-ups inside are counted from each call's entry: 8 - 5 and 11 - 10").isEqualTo(4);
        assertThat(stats.hiddenWakeups("epoll_wait", null))
                .as("the call woken 3 times hid 2 wake-ups; the call woken once hid none").isEqualTo(2);
        assertThat(stats.errors("accept4", Errno.EAGAIN)).as("accept4's EAGAIN").isEqualTo(1);
        assertThat(stats.returned("accept4")).as("the failed accept4 returned").isEqualTo(1);
        assertThat(stats.errors("epoll_wait", Errno.EAGAIN)).as("positive results are no errors").isZero();
    }
}
