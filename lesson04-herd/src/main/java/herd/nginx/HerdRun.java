package herd.nginx;

import herd.sched.DeterministicScheduler;
import java.util.List;

/**
 * One measured run of the herd on a deterministic scheduler: nginx starts with its
 * workers and they go to sleep in {@code epoll_wait}; then connections come, either
 * in a trickle (each one after every worker is asleep again) or in a burst (one client
 * connecting back to back); the run ends when everyone sleeps. No virtual time passes:
 * timers that are not due yet (the accept mutex's retries) do not fire. The counters
 * cover the connections only, not the start.
 *
 * @param master     nginx, still running (its tasks asleep)
 * @param counters   each worker's counters for the connections
 * @param traceStart the index of the first trace event after the start
 */
public record HerdRun(NgxMaster master, List<WorkerCounters> counters, int traceStart) {
    /** {@code connections} connections to {@code workers} workers on {@code sched}, a burst or a trickle. */
    public static HerdRun run(DeterministicScheduler sched, int workers, int connections, boolean burst) {
        return run(sched, NgxConf.herd(workers), connections, burst);
    }

    /** {@code connections} connections to nginx configured by {@code conf} on {@code sched}, a burst or a trickle. */
    public static HerdRun run(DeterministicScheduler sched, NgxConf conf, int connections, boolean burst) {
        int workers = conf.workerProcesses();
        NgxMaster master = NgxMaster.start(sched, conf);
        sched.runUntil(sched.clock());
        List<WorkerCounters> before = WorkerCounters.of(master);
        int traceStart = sched.trace().events().size();
        if (burst) {
            Telnet.burst(sched, "client", connections);
            sched.runUntil(sched.clock());
        } else {
            for (int i = 0; i < connections; i++) {
                Telnet.burst(sched, connections == 1 ? "telnet" : "telnet" + (i + 1), 1);
                sched.runUntil(sched.clock());
            }
        }
        return new HerdRun(master, WorkerCounters.since(master, before), traceStart);
    }

    /** The per-connection figures of this run ({@link HerdAccounting}). */
    public HerdFigures figures(long connections) {
        return HerdAccounting.account(counters, connections);
    }
}
