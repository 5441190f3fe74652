package herd.bench;

import herd.fs.Process;
import herd.nginx.HttpWork;
import herd.nginx.Telnet;
import herd.sched.Scheduler;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * The load generator: a client process in the model whose task makes connections when
 * the benchmark thread asks, each with a request served at once, and answers when the
 * server has closed all of them. The benchmark thread is not a task of the model, so it
 * cannot make system calls itself.
 */
final class Client {
    private final SynchronousQueue<Integer> orders = new SynchronousQueue<>();
    private final SynchronousQueue<Integer> done = new SynchronousQueue<>();
    private volatile boolean stopped;

    /** Starts the client process on {@code sched}. */
    Client(Scheduler sched) {
        new Process(sched, "client").spawn("client", this::serve);
    }

    private void serve() {
        try {
            while (!stopped) {
                Integer n = orders.poll(100, TimeUnit.MILLISECONDS);
                if (n != null) {
                    Telnet.makeRequests(n, HttpWork.request(0));
                    done.put(n);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Makes {@code n} connections back to back and returns when the server has served and closed them all. */
    void connections(int n) throws InterruptedException {
        orders.put(n);
        done.take();
    }

    /** Lets the client's task end. */
    void stop() {
        stopped = true;
    }
}
