package herd.epoll;

import static herd.course.kit.Io.eventfdQueue;
import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.pause;
import static herd.course.kit.Sockets.connectNonBlocking;
import static herd.course.kit.Sockets.portOf;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Epolls;
import herd.course.kit.Io;
import herd.course.kit.Sockets;
import herd.fs.File;
import herd.fs.Process;
import herd.sched.DeterministicScheduler;
import herd.sched.Task;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import herd.wait.WaitQueueHead;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the lesson-5 epoll tests share: a server process whose keeper task owns the watched
 * file (an eventfd or a TCP listener, fd 3), epolls that watch it, workers that sleep in
 * {@code epoll_wait} on them, and a look at the file's wait queue.
 *
 * <p>Items are added with {@link EpollTests#add} ({@code ep_insert} under {@code ep->mtx},
 * as {@code do_epoll_ctl} calls it after its checks), not with {@code epoll_ctl}: the
 * {@code EPOLLEXCLUSIVE} checks of {@code epoll_ctl} are L05-E3, and the tests of L05-E1 and
 * L05-E2 must not need them. Nothing here calls a lesson-5 exercise by itself, except that
 * adding an item with {@code EPOLLEXCLUSIVE} reaches L05-E1.
 */
final class ExclusiveTests {
    /** The watched file's descriptor: the keeper's first file. */
    static final int FD = 3;

    private ExclusiveTests() {
    }

    /**
     * A server process on a deterministic scheduler (seed 1): its keeper task makes the
     * watched file (fd 3) and sleeps for good, so that the descriptors outlive the epolls,
     * workers and clients spawned into the process. Each helper spawns a task and runs
     * until every task sleeps again, so things happen in the order the test calls them.
     * What the workers report goes to {@link #results}.
     */
    static final class Server implements AutoCloseable {
        final DeterministicScheduler sched = new DeterministicScheduler(1);
        final Process p = new Process(sched, "server");
        final List<String> results = new CopyOnWriteArrayList<>();
        final Map<String, Integer> epfds = new ConcurrentHashMap<>();
        final Map<EventPoll, String> names = new ConcurrentHashMap<>();
        final Map<String, Task> workers = new ConcurrentHashMap<>();
        private final boolean isListener;
        volatile File file;
        volatile WaitQueueHead wq;

        private Server(boolean isListener, int listenerFlags) {
            this.isListener = isListener;
            p.spawn("keeper", () -> {
                int fd = isListener ? Sockets.listener(16, listenerFlags) : Io.eventfd();
                assertThat(fd).as("the watched file's fd").isEqualTo(FD);
                file = file(FD);
                wq = isListener ? Socket.sockFromFile(file).sk.skWq : eventfdQueue(file);
                pause();
            });
            sched.runUntilIdle();
        }

        /** A server watching a non-blocking eventfd with count 0. */
        static Server eventfd() {
            return new Server(false, 0);
        }

        /** A server watching a listener on 127.0.0.1:80; {@code flags} 0 (blocking) or SOCK_NONBLOCK. */
        static Server listener(int flags) {
            return new Server(true, flags);
        }

        /** Spawns a task running {@code body}, and runs until every task sleeps or has exited. */
        void run(String name, Runnable body) {
            p.spawn(name, body);
            sched.runUntilIdle();
        }

        /**
         * A new epoll called {@code name} (epoll_create1) watching fd 3 with {@code events}
         * ({@code ep_insert} as epoll_ctl calls it, ERR|HUP added); returns its fd.
         */
        int epoll(String name, int events) {
            run("setup " + name, () -> {
                int epfd = (int) check(Epoll.epollCreate1(0));
                EpollTests.add(epfd, FD, events, epfds.size());
                epfds.put(name, epfd);
                names.put(Epolls.ep(epfd), name);
            });
            assertThat(epfds).as("epoll %s was made", name).containsKey(name);
            return epfds.get(name);
        }

        /** The eventpoll called {@code name}. */
        EventPoll ep(String name) {
            return names.entrySet().stream().filter(e -> e.getValue().equals(name)).map(Map.Entry::getKey)
                    .findFirst().orElseThrow();
        }

        /**
         * A worker called {@code name} on epoll {@code name}: {@code rounds} times
         * {@code epoll_wait(-1)}, reported as "name=result", then on a listener an
         * {@code accept4}, reported as "name <- peer port" or "name: ERRNO". Run until every
         * task sleeps: it must be asleep in epoll_wait when this returns.
         */
        Task worker(String name, int rounds) {
            int epfd = epfds.get(name);
            Task t = p.spawn(name, () -> {
                for (int i = 0; i < rounds; i++) {
                    long n = Epoll.epollWait(epfd, Epolls.slots(4), 4, -1);
                    results.add(name + "=" + errno(n));
                    if (isListener && n > 0) {
                        accept(name);
                    }
                }
            });
            workers.put(name, t);
            sched.runUntilIdle();
            assertThat(t.state()).as("worker %s sleeps in epoll_wait on its epoll: nothing is ready for it", name)
                    .isEqualTo(Task.TASK_INTERRUPTIBLE);
            return t;
        }

        /** One accept4 on the listener, reported; the new fd is closed. */
        void accept(String name) {
            SockaddrIn[] addr = new SockaddrIn[1];
            int[] len = {SockaddrIn.SIZE};
            long fd = SocketCalls.accept4(FD, addr, len, 0);
            if (fd < 0) {
                results.add(name + ": " + errno(fd));
                return;
            }
            results.add(name + " <- " + addr[0].port());
            check(herd.fs.Vfs.close((int) fd));
        }

        /**
         * A busy worker coming back to epoll {@code name}: {@code epoll_wait(0)} (it does not
         * sleep), reported as "name=result".
         */
        void comeBack(String name) {
            int epfd = epfds.get(name);
            run(name + " back", () -> results.add(name + "=" + errno(Epoll.epollWait(epfd, Epolls.slots(4), 4, 0))));
        }

        /** A write of 1 to the eventfd: wakes its queue with key EPOLLIN. */
        void write(String name) {
            run(name, () -> Io.signal(FD, 1));
        }

        /** A client connecting to 127.0.0.1:80 (the whole handshake on the loopback); its port. */
        int connect(String name) {
            int[] port = {-1};
            run(name, () -> port[0] = portOf(connectNonBlocking()));
            assertThat(port[0]).as("%s connected", name).isPositive();
            return port[0];
        }

        /** The watched file's wait queue, head first (see {@link Epolls#queue}). */
        List<String> queue() {
            return Epolls.queue(wq, names);
        }

        /** Whether the watched file's item is on the ready list of epoll {@code name}. */
        boolean queuedOn(String name) {
            return !ep(name).readyList().isEmpty();
        }

        /** Wake-ups of the named workers, in the order given. */
        List<Long> wakeups(String... names) {
            List<Long> out = new ArrayList<>();
            for (String n : names) {
                out.add(workers.get(n).wakeups());
            }
            return out;
        }

        @Override
        public void close() {
            sched.close();
        }
    }
}
