package herd.fs;

import static org.assertj.core.api.Assertions.assertThat;

import herd.locking.SpinLock;
import herd.sched.DeterministicScheduler;
import herd.sched.Scheduler;
import herd.sched.Task;
import herd.sched.TimerList;
import herd.trace.Trace;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

public class ProcessTest {
    /**
     * {@code sched}, except that a new task may run before {@code spawn} returns to its
     * parent: right after {@code wake_up_new_task} the parent yields the CPU, and the seed
     * picks who runs; a child picked runs until it sleeps. (On the parallel scheduler the
     * child's thread simply starts on another CPU; Linux's {@code sched_child_runs_first}
     * does this on one.)
     */
    public static Scheduler childMayRunFirst(DeterministicScheduler sched) {
        return new Scheduler() {
            @Override
            public Task spawn(String comm, Consumer<Task> attach, Runnable body) {
                Task task = sched.spawn(comm, attach, body);
                if (Task.current() != null) {
                    sched.schedule(); // running: a yield
                }
                return task;
            }

            @Override
            public void schedule() {
                sched.schedule();
            }

            @Override
            public long scheduleTimeout(long timeout) {
                return sched.scheduleTimeout(timeout);
            }

            @Override
            public void activate(Task p) {
                sched.activate(p);
            }

            @Override
            public void preemptionPoint() {
                sched.preemptionPoint();
            }

            @Override
            public void spinContended(SpinLock lock) {
                sched.spinContended(lock);
            }

            @Override
            public boolean modTimer(TimerList timer, long expires) {
                return sched.modTimer(timer, expires);
            }

            @Override
            public boolean delTimer(TimerList timer) {
                return sched.delTimer(timer);
            }

            @Override
            public long clock() {
                return sched.clock();
            }

            @Override
            public Trace trace() {
                return sched.trace();
            }
        };
    }

    /**
     * A forked child that runs before {@code fork} has returned to its parent already has
     * its own pid ({@code copy_process} puts it in its thread group before
     * {@code wake_up_new_task}). The model once added the task to its process only after
     * the scheduler had made it runnable: on the parallel scheduler an nginx worker could
     * run {@code ngx_trylock_accept_mutex} with {@code getpid()} -1, then unlock with its
     * real pid, which left the accept mutex held by nobody, forever (the benchmarks' hang).
     * With seeds 0 to 15, some runs switch to the child first.
     */
    @Test
    void aProcessPrintsAsCommAndPid() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            Process p = new Process(sched, "nginx");
            assertThat(p).as("no task yet: getpid() is -1").hasToString("nginx[-1]");
            p.spawn("nginx", () -> { });
            assertThat(p).as("comm[pid], the pid of its first task").hasToString("nginx[100]");
            sched.run();
        }
    }

    @Test
    void aForkedChildHasItsPidEvenWhenItRunsBeforeForkReturns() {
        int childFirst = 0;
        for (long seed = 0; seed < 16; seed++) {
            try (DeterministicScheduler sched = new DeterministicScheduler(seed)) {
                boolean[] returned = {false};
                boolean[] ranFirst = {false};
                int[] childPid = {0};
                Process[] child = {null};
                new Process(childMayRunFirst(sched), "parent").spawn("parent", () -> {
                    child[0] = Process.current().fork("child", () -> {
                        ranFirst[0] = !returned[0];
                        childPid[0] = Process.current().pid();
                    });
                    returned[0] = true;
                });
                sched.runUntilIdle();
                assertThat(childPid[0]).as("getpid() in the child, seed %d", seed)
                        .isEqualTo(child[0].tasks().get(0).pid());
                childFirst += ranFirst[0] ? 1 : 0;
            }
        }
        assertThat(childFirst).as("runs where the child ran before fork returned").isPositive();
    }
}
