package herd.fix.crosscheck;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A server on the real kernel: N worker threads serving one port on 127.0.0.1, each
 * counting what it saw. Subclasses set up the sockets and write a worker's loop; this
 * class starts the threads, learns their kernel thread ids, and stops them.
 */
abstract class KernelServer implements AutoCloseable {
    /** What one worker counted: the returns of the call it sleeps in, failed and successful accepts. */
    static final class Counts {
        volatile long returns;
        volatile long failed;
        volatile long accepts;
    }

    final List<Counts> counts = new ArrayList<>();
    /** What the workers and the client did, in time (lane i is worker i + 1; the client's is the last). */
    final KernelTrace trace = new KernelTrace();
    final List<Tid> tids = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    volatile boolean stopping;

    /** The port the server listens on. */
    abstract int port();

    /** Worker {@code i}'s loop, counting into {@code c}; it returns once {@link #stopping} and woken by {@link #wakeAll}. */
    abstract void work(int i, Counts c) throws Exception;

    /** Wakes every worker so that it sees {@link #stopping}. */
    abstract void wakeAll() throws Exception;

    /** Closes the sockets. */
    abstract void release() throws Exception;

    /** Starts {@code n} workers and returns once each has told its thread id. */
    void start(int n) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(n);
        Tid[] ids = new Tid[n];
        for (int i = 0; i < n; i++) {
            Counts c = new Counts();
            counts.add(c);
            int worker = i;
            Thread t = new Thread(() -> {
                ids[worker] = Tid.current();
                started.countDown();
                try {
                    work(worker, c);
                } catch (Exception e) {
                    if (!stopping) {
                        throw new IllegalStateException("worker " + (worker + 1) + " failed", e);
                    }
                }
            }, "kworker" + (i + 1));
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        started.await();
        tids.addAll(List.of(ids));
    }

    @Override
    public void close() throws Exception {
        stopping = true;
        wakeAll();
        for (Thread t : threads) {
            t.join(2_000);
        }
        release();
    }
}
