package herd.fix.demo;

import herd.fix.PreforkServer;
import herd.nginx.NgxConf;
import herd.nginx.NgxMaster;
import herd.nginx.NgxWorker;
import herd.nginx.WorkerCounters;
import herd.sched.Scheduler;
import herd.sched.Task;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.IntFunction;

/**
 * A way to serve port 80 with n workers: it starts the server on a scheduler. The
 * strategies of lessons 4 and 5 are in {@link Strategies}.
 *
 * @param name  the strategy's name, as the comparison's table prints it
 * @param start starts the server with the given number of workers on the scheduler
 */
public record Strategy(String name, BiFunction<Scheduler, Integer, Workers> start) {
    /** nginx configured by {@code conf} for n workers. */
    static Strategy nginx(String name, IntFunction<NgxConf> conf) {
        return new Strategy(name, (sched, n) -> {
            NgxMaster master = NgxMaster.start(sched, conf.apply(n));
            return new Workers() {
                @Override
                public List<WorkerCounters> counters() {
                    return WorkerCounters.of(master);
                }

                @Override
                public List<Task> tasks() {
                    return master.workers.stream().map(NgxWorker::task).toList();
                }
            };
        });
    }

    /** Prefork children that sleep in a blocking {@code accept4}. */
    static Strategy prefork(String name) {
        return new Strategy(name, (sched, n) -> {
            PreforkServer server = PreforkServer.start(sched, n);
            return new Workers() {
                @Override
                public List<WorkerCounters> counters() {
                    return server.counters();
                }

                @Override
                public List<Task> tasks() {
                    return server.children.stream().map(PreforkServer.Child::task).toList();
                }
            };
        });
    }
}
