package herd.fs;

import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code struct user_struct} (include/linux/sched/user.h): what one user's processes
 * share; here the count of epoll watches that {@code fs.epoll.max_user_watches} limits.
 */
public final class UserStruct {
    /** {@code epoll_watches}. */
    public final AtomicLong epollWatches = new AtomicLong();
    private final int uid;

    /** The user {@code uid}. */
    public UserStruct(int uid) {
        this.uid = uid;
    }

    /** The user id. */
    public int uid() {
        return uid;
    }
}
