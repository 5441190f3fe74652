package herd.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import herd.fs.ProcessTest;
import herd.sched.DeterministicScheduler;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The accept mutex when the workers run as soon as they are forked, before the master's
 * {@code fork} returns: what the parallel scheduler does on real threads.
 */
class AcceptMutexStartTest {
    /**
     * A worker whose first {@code ngx_trylock_accept_mutex} ran before its process knew its
     * pid locked the mutex with -1, then unlocked it with its real pid: the mutex stayed
     * locked by nobody, no worker put the listening socket back in its epoll, and every
     * connection after the first waited in the accept queue forever (the benchmarks' hang
     * on the parallel scheduler). Seeds 0, 3, 4, 5 and 6 showed it: the mutex held by -1,
     * one request of three served. With seeds 0 to 15, a trickle of three requests is
     * served, and the mutex is free or held by a worker.
     */
    @Test
    void everyConnectionIsServedWhenWorkersRunBeforeForkReturns() {
        for (long seed = 0; seed < 16; seed++) {
            try (DeterministicScheduler sched = new DeterministicScheduler(seed)) {
                NgxMaster master = NgxMaster.start(ProcessTest.childMayRunFirst(sched),
                        NgxConf.herd(2).withAcceptMutex());
                sched.runUntil(sched.clock());
                for (int i = 0; i < 3; i++) {
                    Telnet.request(sched, "telnet" + (i + 1), HttpWork.request(0));
                    sched.runUntil(sched.clock());
                }
                List<Long> pids = master.workers.stream().map(w -> (long) w.process().pid()).toList();
                assertThat(master.acceptMutex.holder()).as("the accept mutex's holder, seed %d", seed)
                        .satisfiesAnyOf(h -> assertThat(h).isZero(), h -> assertThat(pids).contains(h));
                assertThat(master.workers.stream().mapToLong(w -> w.requests).sum())
                        .as("requests served, seed %d", seed).isEqualTo(3);
            }
        }
    }
}
