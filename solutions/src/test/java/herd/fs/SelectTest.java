package herd.fs;

import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Syscalls.errno;
import static herd.fs.Poll.EPOLLERR;
import static herd.fs.Poll.EPOLLHUP;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLOUT;
import static herd.fs.Poll.EPOLLPRI;
import static herd.fs.Poll.EPOLLRDNORM;
import static herd.fs.Poll.EPOLLWRNORM;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Schedulers;
import herd.net.UnixStream;
import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import herd.sched.Task;
import herd.wait.WaitQueueHead;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * fs/select.c, poll(2): revents, POLLNVAL, timeouts on the virtual clock, the pollwake
 * entries it queues (filtered by key, each holding its file) and takes off again.
 */
class SelectTest {
    /** poll(2)'s names for the bits, which equal the EPOLL ones. */
    private static final int POLLIN = EPOLLIN;
    private static final int POLLOUT = EPOLLOUT;

    @AutoClose
    private final Schedulers schedulers = new Schedulers();
    private final DeterministicScheduler sched = schedulers.deterministic(1);

    /**
     * A file type whose poll returns a set mask, queues on its own wait queue, and
     * records what the poll table asked for: {@code key}, and whether it queues.
     */
    private static class Fake implements FileOperations {
        final WaitQueueHead wq = new WaitQueueHead("fake.wq");
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile int mask;

        Fake(int mask) {
            this.mask = mask;
        }

        @Override
        public int poll(File file, PollTable wait) {
            calls.add((wait != null && wait.qproc != null ? "queue " : "no queue ") + Poll.names("POLL", wait.key));
            PollTable.pollWait(file, wq, wait);
            return mask;
        }
    }

    private static int eventfd() {
        long fd = EventFd.eventfd2(0, EventFd.EFD_NONBLOCK);
        assertThat(fd).isNotNegative();
        return (int) fd;
    }

    private static WaitQueueHead wqh(Process p, int efd) {
        return ((EventFd.Ctx) file(p, efd).privateData).wqh;
    }

    private static void add(int efd, long n) {
        assertThat(Vfs.write(efd, EventFd.value(n), 8)).isEqualTo(8);
    }

    private static String revents(PollFd... fds) {
        StringBuilder out = new StringBuilder();
        for (PollFd f : fds) {
            out.append(out.length() == 0 ? "" : " ").append(f.fd).append('=')
                    .append(f.revents == 0 ? "0" : Poll.names("POLL", f.revents));
        }
        return out.toString();
    }

    @Test
    void reventsAreTheReadyEventsMaskedByWhatWasAsked() {
        inProcess(sched, () -> {
            int ready = eventfd();
            int empty = eventfd();
            add(ready, 1);
            PollFd[] fds = {new PollFd(ready, POLLIN), new PollFd(empty, POLLIN), new PollFd(empty, POLLOUT),
                new PollFd(ready, POLLIN | POLLOUT | EPOLLPRI)};

            assertThat(Select.poll(fds, 0)).as("the number of pollfds with events").isEqualTo(3);

            assertThat(revents(fds)).isEqualTo("3=POLLIN 4=0 4=POLLOUT 3=POLLIN|POLLOUT");
        });
    }

    @Test
    void aClosedFdIsPollnvalAndANegativeFdIsSkipped() {
        inProcess(sched, () -> {
            PollFd closed = new PollFd(9, POLLIN);
            PollFd negative = new PollFd(-1, POLLIN);
            negative.revents = POLLIN;

            assertThat(Select.poll(new PollFd[] {negative}, 0)).as("a negative fd counts for nothing").isZero();
            assertThat(negative.revents).as("and its revents is cleared").isZero();

            assertThat(Select.poll(new PollFd[] {closed, negative}, -1))
                    .as("POLLNVAL counts as an event: poll returns at once, even with no timeout").isEqualTo(1);
            assertThat(revents(closed, negative)).isEqualTo("9=POLLNVAL -1=0");
        });
    }

    @Test
    void errorsAndHangUpsAreReportedWhateverWasAsked() {
        inProcess(sched, () -> {
            int[] sv = new int[2];
            UnixStream.socketpair(UnixStream.AF_UNIX, UnixStream.SOCK_STREAM | UnixStream.SOCK_NONBLOCK, 0, sv);
            Vfs.close(sv[1]);
            PollFd[] fds = {new PollFd(sv[0], POLLIN), new PollFd(sv[0], EPOLLPRI), new PollFd(sv[0], 0)};

            assertThat(Select.poll(fds, 0)).isEqualTo(3);

            assertThat(revents(fds)).as("POLLHUP always; POLLRDHUP and the rest only if asked")
                    .isEqualTo("3=POLLIN|POLLHUP 3=POLLHUP 3=POLLHUP");
        });
    }

    @Test
    void fdZeroIsPolledOnlyNegativeFdsAreSkipped() {
        inProcess(sched, () -> {
            assertThat(Vfs.close(0)).isZero();
            int efd = eventfd();
            assertThat(efd).as("the lowest free fd").isZero();
            add(efd, 1);
            PollFd[] fds = {new PollFd(0, POLLIN)};
            assertThat(Select.poll(fds, 0)).as("do_pollfd polls every fd >= 0, fd 0 included").isEqualTo(1);
            assertThat(revents(fds)).isEqualTo("0=POLLIN");
        });
    }

    @Test
    void pollAsStracePrintsIt() {
        inProcess(sched, () -> {
            int efd = eventfd();
            add(efd, 1);
            Select.poll(new PollFd[] {new PollFd(efd, POLLIN), new PollFd(-1, POLLOUT)}, 0);
        });
        assertThat(herd.trace.StraceFormat.render(sched.trace().events()).lines().toList())
                .as("the pollfd array as strace prints it, then nfds and the timeout in ms")
                .contains("[pid   100] poll([{fd=3, events=POLLIN}, {fd=-1, events=POLLOUT}], 2, 0) = 1");
    }

    @Test
    void aPollfdPrintsAsStracePrintsIt() {
        PollFd pfd = new PollFd(3, POLLIN);
        assertThat(pfd).as("before poll: no revents").hasToString("{fd=3, events=POLLIN}");
        pfd.revents = POLLIN | EPOLLHUP;
        assertThat(pfd).hasToString("{fd=3, events=POLLIN, revents=POLLIN|POLLHUP}");
    }

    @Test
    void badArguments() {
        inProcess(sched, () -> {
            assertThat(errno(Select.poll(null, 0))).as("no array").isEqualTo("EFAULT");
            PollFd[] tooMany = new PollFd[FilesStruct.NR_OPEN_DEFAULT + 1];
            for (int i = 0; i < tooMany.length; i++) {
                tooMany[i] = new PollFd(-1, POLLIN);
            }
            assertThat(errno(Select.poll(tooMany, 0))).as("more fds than RLIMIT_NOFILE").isEqualTo("EINVAL");
            assertThat(Select.poll(new PollFd[0], 0)).as("no fds at all is fine").isZero();
            PollFd[] asMany = java.util.Arrays.copyOf(tooMany, FilesStruct.NR_OPEN_DEFAULT);
            assertThat(Select.poll(asMany, 0)).as("exactly RLIMIT_NOFILE fds is allowed (do_sys_poll: nfds > "
                    + "RLIMIT_NOFILE is EINVAL); all negative, so none is polled").isZero();
        });
    }

    @Test
    void timeoutZeroReturnsZeroWithoutSleepingOrQueueing() {
        Process p = new Process(sched, "test");
        Fake fake = new Fake(0);
        long[] ret = {-1};
        Task t = p.spawn("poller", () -> {
            int fd = p.files.installNew(new File("fake", fake, null, 0));
            ret[0] = Select.poll(new PollFd[] {new PollFd(fd, POLLIN)}, 0);
        });

        sched.run();

        assertThat(ret[0]).isZero();
        assertThat(t.voluntarySwitches()).as("it never slept").isZero();
        assertThat(sched.clock()).as("no time passed").isZero();
        assertThat(fake.calls).as("one pass, with no queue procedure").containsExactly("no queue POLLIN|POLLERR|POLLHUP");
    }

    @Test
    void aPositiveTimeoutReturnsZeroAfterExactlyThatTime() {
        Process p = new Process(sched, "test");
        long[] ret = {-1};
        long[] times = new long[2];
        WaitQueueHead[] wq = {null};
        Task t = p.spawn("poller", () -> {
            int efd = eventfd();
            wq[0] = wqh(p, efd);
            times[0] = sched.clock();
            ret[0] = Select.poll(new PollFd[] {new PollFd(efd, POLLIN)}, 250);
            times[1] = sched.clock();
        });

        sched.run();

        assertThat(ret[0]).as("nothing happened: 0").isZero();
        assertThat(times[1] - times[0]).as("250 ms, in virtual nanoseconds").isEqualTo(250_000_000L);
        assertThat(t.voluntarySwitches()).as("one sleep, ended by the timer").isEqualTo(1);
        assertThat(wq[0].waitqueueActive()).as("poll_freewait took its entry off").isFalse();
    }

    @Test
    void noTimeoutSleepsUntilAWriteThenReturnsOneWithPollin() {
        Process p = new Process(sched, "test");
        long[] ret = {-1};
        PollFd[] fds = {new PollFd(3, POLLIN)};
        Task poller = p.spawn("poller", () -> {
            assertThat(eventfd()).isEqualTo(3);
            ret[0] = Select.poll(fds, -1);
        });
        sched.runUntilIdle();

        assertThat(poller.state()).as("nothing ready: it sleeps").isEqualTo(Task.TASK_INTERRUPTIBLE);
        WaitQueueHead wq = wqh(p, 3);
        assertThat(wq.head.entries()).as("one pollwake entry on the eventfd's queue").hasSize(1);
        assertThat(file(p, 3).fileCount()).as("the entry holds a reference to the file (__pollwait's get_file)")
                .isEqualTo(2);

        p.spawn("writer", () -> add(3, 1));
        sched.run();

        assertThat(ret[0]).isEqualTo(1);
        assertThat(revents(fds)).isEqualTo("3=POLLIN");
        assertThat(poller.wakeups()).isEqualTo(1);
        assertThat(wq.waitqueueActive()).as("poll_freewait took its entry off").isFalse();
        assertThat(sched.clock()).as("no timer was involved").isZero();
    }

    @Test
    void aWakeUpWhoseKeyHasNoneOfTheEventsDoesNotWakeThePoller() {
        Process p = new Process(sched, "test");
        long[] ret = {-1};
        Task poller = p.spawn("poller", () -> {
            int[] sv = new int[2];
            UnixStream.socketpair(UnixStream.AF_UNIX, UnixStream.SOCK_STREAM | UnixStream.SOCK_NONBLOCK, 0, sv);
            ret[0] = Select.poll(new PollFd[] {new PollFd(sv[0], POLLIN)}, -1);
        });
        sched.runUntilIdle();

        p.spawn("other", () -> {
            byte[] buf = "x".getBytes(StandardCharsets.US_ASCII);
            assertThat(Vfs.write(3, buf, 1)).isEqualTo(1);
            // Reading it all on 4 wakes 3's queue (the writer's) with EPOLLOUT|EPOLLWRNORM|EPOLLWRBAND.
            assertThat(Vfs.read(4, buf, 1)).isEqualTo(1);
        });
        sched.runUntilIdle();

        assertThat(poller.wakeups()).as("pollwake ignored a key without POLLIN|POLLERR|POLLHUP").isZero();
        assertThat(poller.state()).as("still asleep").isEqualTo(Task.TASK_INTERRUPTIBLE);

        p.spawn("closer", () -> Vfs.close(4));
        sched.run();

        assertThat(poller.wakeups()).as("a wake-up with no key (the peer closed) wakes every poller").isEqualTo(1);
        assertThat(errno(ret[0])).isEqualTo("1");
    }

    @Test
    void eventfdsEpolloutWakeUpDoesNotWakeAPollinPollerItsEpollinDoes() {
        Process p = new Process(sched, "test");
        long[] ret = {-1};
        Task poller = p.spawn("poller", () -> {
            int efd = eventfd();
            ret[0] = Select.poll(new PollFd[] {new PollFd(efd, POLLIN)}, -1);
        });
        sched.runUntilIdle();
        WaitQueueHead wq = wqh(p, 3);

        // What eventfd_read does after taking the count: wake_up_locked_poll(&ctx->wqh, EPOLLOUT).
        p.spawn("reader", () -> {
            wq.lock.lock();
            try {
                wq.wakeUpLockedPoll(EPOLLOUT);
            } finally {
                wq.lock.unlock();
            }
        });
        sched.runUntilIdle();

        assertThat(poller.wakeups()).as("pollwake: EPOLLOUT has none of POLLIN|POLLERR|POLLHUP").isZero();
        assertThat(poller.state()).isEqualTo(Task.TASK_INTERRUPTIBLE);

        // What eventfd_write does: wake_up_locked_poll(&ctx->wqh, EPOLLIN), here without changing the count.
        p.spawn("writer", () -> {
            wq.lock.lock();
            try {
                wq.wakeUpLockedPoll(EPOLLIN);
            } finally {
                wq.lock.unlock();
            }
        });
        sched.runUntilIdle();

        assertThat(poller.wakeups()).as("EPOLLIN matches: woken").isEqualTo(1);
        assertThat(poller.state()).as("but the count is 0: poll looks again and sleeps again")
                .isEqualTo(Task.TASK_INTERRUPTIBLE);
        assertThat(wq.head.entries()).as("still one entry: later passes do not queue again").hasSize(1);

        p.spawn("adder", () -> add(3, 2));
        sched.run();
        assertThat(ret[0]).isEqualTo(1);
        assertThat(poller.wakeups()).isEqualTo(2);
    }

    @Test
    void aSignalInterruptsPollWithEintrButReadyFdsWin() {
        Process p = new Process(sched, "test");
        long[] ret = {0, 0, 0};
        WaitQueueHead[] wq = {null};
        Task poller = p.spawn("poller", () -> {
            int efd = eventfd();
            int ready = eventfd();
            add(ready, 1);
            wq[0] = wqh(p, efd);
            ret[0] = Select.poll(new PollFd[] {new PollFd(efd, POLLIN)}, -1);
            ret[1] = Select.poll(new PollFd[] {new PollFd(efd, POLLIN), new PollFd(ready, POLLIN)}, -1);
            ret[2] = Select.poll(new PollFd[] {new PollFd(efd, POLLIN)}, 1000);
        });
        sched.runUntilIdle();

        Sched.sendSignal(poller);
        sched.run();

        assertThat(errno(ret[0])).as("a signal while it sleeps").isEqualTo("EINTR");
        assertThat(errno(ret[1])).as("signal still pending, but an fd is ready: the count").isEqualTo("1");
        assertThat(errno(ret[2])).as("signal pending, nothing ready: EINTR without sleeping").isEqualTo("EINTR");
        assertThat(poller.voluntarySwitches()).as("it slept only once").isEqualTo(1);
        assertThat(sched.clock()).as("the timeout never ran").isZero();
        assertThat(wq[0].waitqueueActive()).as("no entry left behind").isFalse();
    }

    @Test
    void theFirstPassQueuesOnEveryFileUntilOneIsReadyLaterPassesQueueNothing() {
        Process p = new Process(sched, "test");
        Fake a = new Fake(0);
        Fake b = new Fake(POLLIN);
        Fake c = new Fake(0);
        long[] ret = {-1};
        p.spawn("poller", () -> {
            int fa = p.files.installNew(new File("a", a, null, 0));
            int fb = p.files.installNew(new File("b", b, null, 0));
            int fc = p.files.installNew(new File("c", c, null, 0));
            ret[0] = Select.poll(new PollFd[] {new PollFd(fa, POLLIN), new PollFd(fb, POLLIN),
                new PollFd(fc, POLLOUT)}, -1);
        });

        sched.run();

        assertThat(ret[0]).isEqualTo(1);
        assertThat(a.calls).as("before anything is ready: queued, with its events as key")
                .containsExactly("queue POLLIN|POLLERR|POLLHUP");
        assertThat(b.calls).containsExactly("queue POLLIN|POLLERR|POLLHUP");
        assertThat(c.calls).as("after b was ready: no more queueing").containsExactly("no queue POLLOUT|POLLERR|POLLHUP");
        assertThat(a.wq.waitqueueActive()).isFalse();
        assertThat(b.wq.waitqueueActive()).isFalse();
    }

    @Test
    void aWakeUpBetweenTheCheckAndTheSleepIsNotLost() {
        Process p = new Process(sched, "test");
        // Its state changes right after its first poll queued the entry and found nothing.
        Fake fake = new Fake(0) {
            @Override
            public int poll(File file, PollTable wait) {
                int was = super.poll(file, wait);
                if (calls.size() == 1) {
                    mask = POLLIN;
                    wq.wakeUpPoll(POLLIN);
                }
                return was;
            }
        };
        long[] ret = {-1};
        int[] stateAfter = {-1};
        Task poller = p.spawn("poller", () -> {
            int fd = p.files.installNew(new File("fake", fake, null, 0));
            ret[0] = Select.poll(new PollFd[] {new PollFd(fd, POLLIN)}, -1);
            stateAfter[0] = Task.current().state();
        });

        sched.run();

        assertThat(ret[0]).isEqualTo(1);
        assertThat(Task.stateName(stateAfter[0])).as("poll_schedule_timeout set TASK_INTERRUPTIBLE, did not sleep, "
                + "and set TASK_RUNNING back: poll returns to user space running").isEqualTo("TASK_RUNNING");
        assertThat(fake.calls).as("pollwake set triggered: a second pass instead of a sleep")
                .containsExactly("queue POLLIN|POLLERR|POLLHUP", "no queue POLLIN|POLLERR|POLLHUP");
        assertThat(poller.voluntarySwitches()).as("it never slept").isZero();
        assertThat(poller.wakeups()).as("it was running: try_to_wake_up had nothing to do").isZero();
    }

    @Test
    void aFileClosedWhilePolledLivesUntilPollReturns() {
        Process p = new Process(sched, "test");
        long[] ret = {-1};
        PollFd[] fds = {new PollFd(3, POLLIN)};
        p.spawn("poller", () -> {
            int[] sv = new int[2];
            UnixStream.socketpair(UnixStream.AF_UNIX, UnixStream.SOCK_STREAM | UnixStream.SOCK_NONBLOCK, 0, sv);
            ret[0] = Select.poll(fds, -1);
        });
        sched.runUntilIdle();
        File polled = file(p, 3);

        p.spawn("closer", () -> {
            assertThat(Vfs.close(3)).isZero();
            byte[] buf = new byte[1];
            assertThat(errno(Vfs.read(4, buf, 1)))
                    .as("the poll entry still holds socket 3: its peer sees no EOF").isEqualTo("EAGAIN");
            assertThat(Vfs.write(4, buf, 1)).as("and may still write to it").isEqualTo(1);
        });
        sched.run();

        assertThat(ret[0]).as("the write woke the poller; fd 3 is closed now").isEqualTo(1);
        assertThat(revents(fds)).isEqualTo("3=POLLNVAL");
        assertThat(polled.fileCount()).as("poll_freewait put the last reference").isZero();
    }

    @Test
    void aFileWithoutPollIsAlwaysReadableAndWritable() {
        inProcess(sched, () -> {
            long fd = RegularFile.open("/etc/hosts");
            assertThat(fd).isEqualTo(3);
            PollFd[] fds = {new PollFd(3, POLLIN), new PollFd(3, POLLOUT),
                new PollFd(3, POLLIN | POLLOUT | EPOLLRDNORM | EPOLLWRNORM | EPOLLPRI), new PollFd(3, EPOLLPRI)};

            assertThat(Select.poll(fds, -1)).as("DEFAULT_POLLMASK: no sleep even without a timeout").isEqualTo(3);

            assertThat(revents(fds)).isEqualTo("3=POLLIN 3=POLLOUT 3=POLLIN|POLLOUT|POLLRDNORM|POLLWRNORM 3=0");
            assertThat(Poll.DEFAULT_POLLMASK & (EPOLLERR | EPOLLHUP)).isZero();
        });
    }
}
