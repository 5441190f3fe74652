package herd.fix.demo;

import herd.nginx.HttpWork;
import herd.nginx.Telnet;
import herd.sched.DeterministicScheduler;
import java.util.concurrent.TimeUnit;

/** The comparison's workloads: how the connections come, and what their requests cost. */
public enum Workload {
    /** One client process per connection, every 10 ms; each request is served at once. */
    TRICKLE("trickle"),
    /** One client making every connection back to back at time 0, a request on each. */
    BURST("burst"),
    /** The trickle, but every 4th request keeps its worker busy for 50 ms. */
    BUSY("busy");

    /** Connections per run, unless the comparison is given another number. */
    public static final int CONNECTIONS = 64;
    /** The trickle's gap between two connections (virtual ns). */
    static final long GAP = TimeUnit.MILLISECONDS.toNanos(10);

    /** The workload's name, as the table prints it. */
    final String label;

    Workload(String label) {
        this.label = label;
    }

    /** Starts {@code connections} connections of this workload on {@code sched}; virtual time passes in a trickle. */
    void drive(DeterministicScheduler sched, int connections) {
        if (this == BURST) {
            Telnet.requests(sched, "client", connections, HttpWork.request(0));
            return;
        }
        for (int i = 0; i < connections; i++) {
            int work = this == BUSY && i % 4 == 3 ? 50 : 0;
            Telnet.request(sched, "client" + (i + 1), HttpWork.request(work));
            sched.runUntil(sched.clock() + GAP);
        }
    }
}
