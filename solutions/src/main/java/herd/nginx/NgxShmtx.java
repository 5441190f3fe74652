package herd.nginx;

import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ngx_shmtx_t} (src/core/ngx_shmtx.c) with atomics: a word in memory the master
 * shares with every worker ({@code ngx_accept_mutex}), 0 when free and the holder's pid
 * when locked. {@code ngx_shmtx_trylock} is one compare-and-swap and never waits; no
 * syscall is made.
 */
public final class NgxShmtx {
    private final AtomicLong lock = new AtomicLong();

    NgxShmtx() {
    }

    /** {@code ngx_shmtx_trylock()}: {@code *lock == 0 && ngx_atomic_cmp_set(lock, 0, pid)}. */
    boolean trylock(long pid) {
        return lock.get() == 0 && lock.compareAndSet(0, pid);
    }

    /** {@code ngx_shmtx_unlock()}: {@code ngx_atomic_cmp_set(lock, pid, 0)}, so only the holder frees it. */
    void unlock(long pid) {
        lock.compareAndSet(pid, 0);
    }

    /** The pid that holds the lock, or 0. */
    public long holder() {
        return lock.get();
    }
}
