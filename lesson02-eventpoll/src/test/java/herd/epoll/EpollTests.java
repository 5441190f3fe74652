package herd.epoll;

import static herd.course.kit.Processes.file;
import static herd.course.kit.Syscalls.check;
import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.Epolls;
import herd.fs.File;
import herd.fs.Poll;
import herd.fs.Process;

/**
 * Epolls and items made with the given code instead of the syscalls, so that a test of a
 * later exercise needs only the exercises its own id stands for. In {@code herd.epoll}
 * because they reach package-private code; the rest of the epoll tests' kit is
 * {@code herd.course.kit.Epolls}. Nothing here calls an exercise by itself.
 */
final class EpollTests {
    private EpollTests() {
    }

    /**
     * An epoll descriptor of the current process, made with the given code
     * ({@code new EventPoll}, an {@code anon_inode:[eventpoll]} file, the lowest free fd)
     * instead of {@code epoll_create1} (L02-E1).
     */
    static int newEpoll() {
        EventPoll ep = new EventPoll(Process.current().user);
        File file = new File("anon_inode:[eventpoll]", EventPollFile.FOPS, ep, 0);
        ep.file = file;
        int fd = Process.current().files.installNew(file);
        assertThat(fd).as("a free descriptor for the test's epoll").isNotNegative();
        return fd;
    }

    /**
     * {@code EPOLL_CTL_ADD} without {@code epoll_ctl} (L02-E6): {@code ep_insert} (L02-E2)
     * under {@code ep->mtx}, with {@code EPOLLERR|EPOLLHUP} added as {@code epoll_ctl} adds
     * them, so that the tests of L02-E4 and L02-E5 need the exercises before them only.
     */
    static void add(int epfd, int fd, int events, long data) {
        EventPoll ep = Epolls.ep(epfd);
        ep.mtx.lock();
        try {
            check(EpollCtl.epInsert(ep, new EpollEvent(events | Poll.EPOLLERR | Poll.EPOLLHUP, data), file(fd), fd));
        } finally {
            ep.mtx.unlock();
        }
    }
}
