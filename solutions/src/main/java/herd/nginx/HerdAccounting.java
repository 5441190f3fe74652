package herd.nginx;

import java.util.List;

/**
 * Turns the workers' raw counters into what the herd costs per connection: every
 * connection wakes each idle worker once; one of them accepts; the others either
 * return to user space and get {@code EAGAIN} (spurious) or find nothing and sleep
 * again inside {@code epoll_wait} (hidden). Both are useless work, and only the first
 * shows in strace.
 */
public final class HerdAccounting {
    private HerdAccounting() {
    }

    /**
     * The figures of a run of {@code connections} connections: sums over the workers
     * divided by {@code connections}, the accepts of each worker, and their fairness.
     */
    public static HerdFigures account(List<WorkerCounters> counters, long connections) {
        if (connections <= 0) {
            throw new IllegalArgumentException("a run with no connection has no per-connection figures");
        }
        // @exercise L04-E3 the per-connection figures: sum callbacks, wakeups, eagain and hiddenWakeups over
        //   the workers and divide each by connections; the accepts per worker in worker order; fairness =
        //   jainIndex of those accepts
        double n = connections;
        long callbacks = 0;
        long wakeups = 0;
        long spurious = 0;
        long hidden = 0;
        for (WorkerCounters c : counters) {
            callbacks += c.callbacks();
            wakeups += c.wakeups();
            spurious += c.eagain();
            hidden += c.hiddenWakeups();
        }
        List<Long> accepts = counters.stream().map(WorkerCounters::accepts).toList();
        return new HerdFigures(counters.size(), connections, callbacks / n, wakeups / n, spurious / n, hidden / n,
                accepts, jainIndex(accepts));
        // @end L04-E3
    }

    /**
     * Jain's fairness index, {@code (sum x)^2 / (n * sum x^2)}: 1 when every worker took
     * the same share, {@code 1/n} when one took everything; 1 when nobody took anything.
     */
    public static double jainIndex(List<Long> shares) {
        // @exercise L04-E3 Jain's fairness index: (sum x)^2 / (n * sum x^2); 1.0 when every share is 0 (or
        //   there is none)
        double sum = 0;
        double squares = 0;
        for (long x : shares) {
            sum += x;
            squares += (double) x * x;
        }
        return squares == 0 ? 1.0 : sum * sum / (shares.size() * squares);
        // @end L04-E3
    }
}
