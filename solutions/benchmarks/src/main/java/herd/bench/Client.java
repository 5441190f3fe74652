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
 * cannot make system calls itself; it hands the client a whole batch at a time, so that
 * the hand-off between the two threads is not counted in every connection.
 */
final class Client {
    /** What the client is asked to do: {@code connections}, back to back or one at a time. */
    private record Order(int connections, boolean oneAtATime) {
    }

    private static final long ANSWER_TIMEOUT_SECONDS = 60;
    private final SynchronousQueue<Order> orders = new SynchronousQueue<>();
    private final SynchronousQueue<Order> done = new SynchronousQueue<>();
    private volatile boolean stopped;

    /** Starts the client process on {@code sched}. */
    Client(Scheduler sched) {
        new Process(sched, "client").spawn("client", this::serve);
    }

    private void serve() {
        String request = HttpWork.request(0);
        try {
            while (!stopped) {
                Order order = orders.poll(100, TimeUnit.MILLISECONDS);
                if (order == null) {
                    continue;
                }
                if (order.oneAtATime()) {
                    for (int i = 0; i < order.connections(); i++) {
                        Telnet.makeRequests(1, request);
                    }
                } else {
                    Telnet.makeRequests(order.connections(), request);
                }
                done.put(order);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Makes {@code n} connections back to back and returns when the server has served and closed them all. */
    void connections(int n) throws InterruptedException {
        run(new Order(n, false));
    }

    /** Makes {@code n} connections one after the other, each once the server has closed the one before. */
    void oneAtATime(int n) throws InterruptedException {
        run(new Order(n, true));
    }

    private void run(Order order) throws InterruptedException {
        orders.put(order);
        // A batch takes milliseconds: a minute means the model lost a connection or a wake-up,
        // and the run must fail (JMH stops on it) rather than hang the build.
        if (done.poll(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS) == null) {
            throw new IllegalStateException(order.connections() + " connections not served within "
                    + ANSWER_TIMEOUT_SECONDS + " s: the server model is stuck");
        }
    }

    /** Lets the client's task end. */
    void stop() {
        stopped = true;
    }
}
